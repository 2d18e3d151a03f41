// activities/address_guard.cc: the public-address check and getaddrinfo.
#include "activities/address_guard.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace slipway::activities {

namespace {

bool InV4(uint32_t a, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

uint32_t V4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

bool PublicV4(uint32_t a) {
  static const struct { uint32_t net; int bits; } kBlocked[] = {
      {V4(0, 0, 0, 0), 8},     {V4(10, 0, 0, 0), 8},     {V4(100, 64, 0, 0), 10},
      {V4(127, 0, 0, 0), 8},   {V4(169, 254, 0, 0), 16}, {V4(172, 16, 0, 0), 12},
      {V4(192, 0, 0, 0), 24},  {V4(192, 168, 0, 0), 16}, {V4(198, 18, 0, 0), 15},
      {V4(224, 0, 0, 0), 4},   {V4(240, 0, 0, 0), 4}};
  for (const auto& b : kBlocked) {
    if (InV4(a, b.net, b.bits)) return false;
  }
  return true;
}

uint32_t Tail4(const std::array<uint8_t, 16>& b) {
  return (uint32_t(b[12]) << 24) | (uint32_t(b[13]) << 16) | (uint32_t(b[14]) << 8) | b[15];
}

bool PublicV6(const std::array<uint8_t, 16>& b) {
  bool zero10 = std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; });
  if (zero10 && b[10] == 0xff && b[11] == 0xff) return PublicV4(Tail4(b));  // ::ffff:a.b.c.d
  if (zero10 && b[10] == 0 && b[11] == 0) return PublicV4(Tail4(b));  // ::, ::1, ::a.b.c.d
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b.data(), kNat64, 12) == 0) return PublicV4(Tail4(b));
  if ((b[0] & 0xfe) == 0xfc) return false;                   // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;   // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;   // fec0::/10 site-local (old)
  if (b[0] == 0xff) return false;                            // multicast
  return true;
}

}  // namespace

bool IsPublicAddress(const std::string& ip) {
  in_addr v4{};
  if (::inet_pton(AF_INET, ip.c_str(), &v4) == 1) return PublicV4(ntohl(v4.s_addr));
  std::string bare = ip;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  std::array<uint8_t, 16> v6{};
  if (::inet_pton(AF_INET6, bare.c_str(), v6.data()) == 1) return PublicV6(v6);
  return false;
}

Result<std::vector<std::string>> SystemResolver::Resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc == EAI_NONAME) return NotFound("no such host: " + host);
  if (rc != 0) return Unavailable("cannot resolve " + host + ": " + ::gai_strerror(rc));
  std::vector<std::string> out;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* src = a->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (::inet_ntop(a->ai_family, src, text, sizeof text) != nullptr) out.push_back(text);
  }
  ::freeaddrinfo(res);
  if (out.empty()) return NotFound("no address for " + host);
  return out;
}

Result<std::string> ResolvePublic(HostResolver& resolver, const std::string& host) {
  std::string bare = host;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  Result<std::vector<std::string>> addrs = resolver.Resolve(bare);
  if (!addrs.ok()) return addrs.status();
  for (const std::string& a : *addrs) {
    if (!IsPublicAddress(a)) {
      return Status(Code::kPermissionDenied,
                    "refused: " + host + " resolves to " + a + ", not a public address");
    }
  }
  return addrs->front();
}

}  // namespace slipway::activities
