#include "tools/emulator/tarball.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace slipway::emulator {
namespace {

std::string RunShell(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  char buf[256];
  while (p && fgets(buf, sizeof buf, p.get()) != nullptr) out += buf;
  return out;
}

TEST(TarballTest, GnuTarListsEveryFileUnderThePrefix) {
  std::string long_dir(120, 'd');
  Result<std::string> tgz = BuildTarGz("acme-site-abc1234", {{"package.json", "{}\n"},
                                                              {"src/pages/index.tsx", "x"},
                                                              {long_dir + "/file.txt", "y"}});
  ASSERT_TRUE(tgz.ok()) << tgz.status().ToString();
  std::string path = (std::filesystem::temp_directory_path() / "emu_tarball_test.tgz").string();
  std::ofstream(path, std::ios::binary) << *tgz;
  std::string listing = RunShell("tar -tzf " + path + " 2>&1");
  EXPECT_NE(listing.find("acme-site-abc1234/package.json"), std::string::npos) << listing;
  EXPECT_NE(listing.find("acme-site-abc1234/src/pages/index.tsx"), std::string::npos);
  EXPECT_NE(listing.find(long_dir + "/file.txt"), std::string::npos);
  EXPECT_EQ(RunShell("tar -xzOf " + path + " acme-site-abc1234/package.json"), "{}\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace slipway::emulator
