// activities/build/install_sources.cc: where the install step may fetch from. The install is the
// one step with network, and npm fetches whatever the lockfile's `resolved` URLs and
// package.json's URL or git specs name: a tenant could aim it at a loopback service or the
// cloud's metadata address. Only the registry is allowed.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "activities/build/build_plan.h"

namespace slipway::activities::build {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxLockfile = 64 << 20;

nlohmann::json ReadJson(const fs::path& p) {
  std::error_code ec;
  if (fs::file_size(p, ec) > kMaxLockfile || ec) return nullptr;
  std::ifstream in(p, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// A dependency spec npm would fetch from somewhere other than the registry.
bool IsRemoteSpec(const std::string& spec) {
  for (const char* p : {"http:", "https:", "git:", "git+", "github:", "gitlab:", "bitbucket:",
                        "gist:"}) {
    if (StartsWith(spec, p)) return true;
  }
  // "owner/repo" (a GitHub shorthand) — but not "npm:name@1" aliases or "file:" paths.
  return spec.find('/') != std::string::npos && spec.find(':') == std::string::npos &&
         spec[0] != '.' && spec[0] != '/' && spec[0] != '@' && spec[0] != '~';
}

void CheckDependencies(const nlohmann::json& manifest, std::vector<BuildError>& out) {
  if (!manifest.is_object()) return;
  for (const char* section : {"dependencies", "devDependencies", "optionalDependencies",
                              "peerDependencies", "overrides"}) {
    auto deps = manifest.find(section);
    if (deps == manifest.end() || !deps->is_object()) continue;
    for (auto it = deps->begin(); it != deps->end(); ++it) {
      if (!it->is_string() || !IsRemoteSpec(it->get<std::string>())) continue;
      out.push_back(BuildError{"npm", "package.json", 0, 0, "EINSTALLSOURCE",
                               "dependency " + it.key() + " is fetched from " +
                                   it->get<std::string>() +
                                   "; builds install only from the npm registry"});
    }
  }
}

void CheckLockfile(const std::string& name, const nlohmann::json& lock,
                   const std::vector<std::string>& registries, std::vector<BuildError>& out) {
  if (!lock.is_object()) return;
  auto packages = lock.find("packages");
  if (packages == lock.end() || !packages->is_object()) return;
  for (auto it = packages->begin(); it != packages->end(); ++it) {
    if (!it->is_object()) continue;
    auto resolved = it->find("resolved");
    if (resolved == it->end() || !resolved->is_string()) continue;
    const std::string url = resolved->get<std::string>();
    bool ok = StartsWith(url, "file:");  // inside the sandbox only the site itself is there
    for (const std::string& r : registries) ok = ok || StartsWith(url, r);
    if (ok) continue;
    out.push_back(BuildError{"npm", name, 0, 0, "EINSTALLSOURCE",
                             it.key() + " resolves to " + url.substr(0, 200) +
                                 "; builds install only from the npm registry"});
    if (out.size() >= 20) return;
  }
}

}  // namespace

std::vector<BuildError> CheckInstallSources(const std::string& dir,
                                            const std::vector<std::string>& registries) {
  std::vector<BuildError> out;
  CheckDependencies(ReadJson(fs::path(dir) / "package.json"), out);
  for (const char* name : {"package-lock.json", "npm-shrinkwrap.json"}) {
    CheckLockfile(name, ReadJson(fs::path(dir) / name), registries, out);
  }
  return out;
}

}  // namespace slipway::activities::build
