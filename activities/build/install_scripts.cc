// activities/build/install_scripts.cc: which installed packages wanted an install script that
// `npm ci --ignore-scripts` did not run (a native module, a downloader, or a hostile package).
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "activities/build/build_plan.h"

namespace slipway::activities::build {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxDepth = 32;          // node_modules nested in node_modules
constexpr size_t kMaxManifest = 1 << 20;

bool WantsScripts(const fs::path& package) {
  std::error_code ec;
  if (fs::is_regular_file(package / "binding.gyp", ec)) return true;  // npm runs node-gyp
  const fs::path manifest = package / "package.json";
  if (fs::file_size(manifest, ec) > kMaxManifest || ec) return false;
  std::ifstream in(manifest, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return false;
  auto scripts = doc.find("scripts");
  if (scripts == doc.end() || !scripts->is_object()) return false;
  for (const char* hook : {"preinstall", "install", "postinstall"}) {
    auto s = scripts->find(hook);
    if (s != scripts->end() && s->is_string() && !s->get<std::string>().empty()) return true;
  }
  return false;
}

struct Scan {
  std::string root;  // the site, canonical, with a trailing '/'
  std::vector<WantedScript> out;
};

void ScanModules(const fs::path& modules, const std::string& prefix, int depth, Scan& scan);

// A package directory, or a symlink to one inside the site (npm links `file:` dependencies);
// symlinks leading out of the site are not followed.
bool Followable(const fs::directory_entry& e, const Scan& scan) {
  std::error_code ec;
  if (!e.is_directory(ec)) return false;
  if (!e.is_symlink(ec)) return true;
  const std::string target = fs::canonical(e.path(), ec).string();
  return !ec && target.rfind(scan.root, 0) == 0;
}

void ScanPackage(const fs::path& package, const std::string& name, const std::string& prefix,
                 int depth, Scan& scan) {
  const std::string rel = prefix + name;
  if (WantsScripts(package)) scan.out.push_back(WantedScript{name, rel});
  ScanModules(package / "node_modules", rel + "/node_modules/", depth + 1, scan);
}

void ScanModules(const fs::path& modules, const std::string& prefix, int depth, Scan& scan) {
  std::error_code ec;
  if (depth > kMaxDepth || !fs::is_directory(modules, ec)) return;
  for (const fs::directory_entry& e : fs::directory_iterator(modules, ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || !Followable(e, scan)) continue;
    if (name[0] != '@') {
      ScanPackage(e.path(), name, prefix, depth, scan);
      continue;
    }
    for (const fs::directory_entry& s : fs::directory_iterator(e.path(), ec)) {
      if (!Followable(s, scan)) continue;
      ScanPackage(s.path(), name + "/" + s.path().filename().string(), prefix, depth, scan);
    }
  }
}

}  // namespace

std::vector<WantedScript> FindInstallScripts(const std::string& dir) {
  Scan scan;
  std::error_code ec;
  scan.root = fs::canonical(dir, ec).string() + "/";
  ScanModules(fs::path(dir) / "node_modules", "node_modules/", 0, scan);
  return scan.out;
}

}  // namespace slipway::activities::build
