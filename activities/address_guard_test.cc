#include "activities/address_guard.h"

#include <gtest/gtest.h>

#include <map>

namespace slipway::activities {
namespace {

TEST(AddressGuardTest, RefusesPrivateLoopbackAndLinkLocal) {
  for (const char* ip :
       {"127.0.0.1", "127.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.9.9",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
        "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
        "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1",
        "[::1]", "localhost", "", "not an address", "127.0.0.1 "}) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
}

TEST(AddressGuardTest, AcceptsPublicAddresses) {
  for (const char* ip : {"93.184.215.14", "8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1",
                         "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:8.8.8.8",
                         "[2001:4860:4860::8888]"}) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

class MapResolver : public HostResolver {
 public:
  std::map<std::string, std::vector<std::string>> answers;
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    auto it = answers.find(host);
    if (it == answers.end()) return NotFound("no such host: " + host);
    return it->second;
  }
};

TEST(AddressGuardTest, ResolvePublicRefusesWhenAnyAddressIsPrivate) {
  MapResolver r;
  r.answers["ok.test"] = {"93.184.215.14"};
  r.answers["metadata.test"] = {"169.254.169.254"};
  r.answers["mixed.test"] = {"93.184.215.14", "10.0.0.7"};  // a rebinding-style answer
  r.answers["v6.test"] = {"fd00::5"};
  EXPECT_EQ(*ResolvePublic(r, "ok.test"), "93.184.215.14");
  Result<std::string> refused = ResolvePublic(r, "mixed.test");
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("10.0.0.7"), std::string::npos);
  EXPECT_EQ(ResolvePublic(r, "metadata.test").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(ResolvePublic(r, "v6.test").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(ResolvePublic(r, "nowhere.test").status().code(), Code::kNotFound);
}

TEST(AddressGuardTest, SystemResolverAnswersNumericHosts) {
  SystemResolver r;
  Result<std::vector<std::string>> a = r.Resolve("127.0.0.1");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->front(), "127.0.0.1");
  EXPECT_EQ(ResolvePublic(r, "127.0.0.1").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(ResolvePublic(r, "[::1]").status().code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace slipway::activities
