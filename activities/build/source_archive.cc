// activities/build/source_archive.cc: TempDir and tarball extraction.
#include "activities/build/source_archive.h"

#include <stdlib.h>

#include <filesystem>
#include <vector>

namespace slipway::activities::build {
namespace fs = std::filesystem;

Result<TempDir> TempDir::Create(const std::string& parent, const std::string& prefix) {
  std::string root = parent;
  if (root.empty()) {
    const char* tmp = getenv("TMPDIR");
    root = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::error_code ec;
  fs::create_directories(root, ec);
  std::string pattern = (fs::path(root) / (prefix + "XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return Internal("mkdtemp under " + root + " failed");
  return TempDir(std::string(buf.data()));
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void TempDir::Remove() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);  // does not follow symlinks out of the tree
  path_.clear();
}

namespace {

// GitHub's tarballs hold one directory, "<owner>-<repo>-<sha>/": that is the source root.
std::string SourceRoot(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    entries.push_back(e);
    if (entries.size() > 1) return dir;
  }
  if (entries.size() == 1 && entries[0].is_directory(ec) && !entries[0].is_symlink(ec)) {
    return entries[0].path().string();
  }
  return dir;
}

}  // namespace

Result<ExtractedSource> ExtractTarball(ProcessRunner& runner, const std::string& tarball,
                                       const ExtractOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(tarball, ec)) return NotFound("no such tarball: " + tarball);
  Result<TempDir> dir = TempDir::Create(options.parent_dir, "slipway-src-");
  if (!dir.ok()) return dir.status();
  ProcessSpec spec;
  // GNU tar refuses members with "..", strips a leading "/" and defers symlinks, so the
  // archive cannot write outside the directory.
  spec.argv = {"tar", "-xzf", fs::absolute(tarball).string(), "-C", dir->path(),
               "--no-same-owner", "--no-same-permissions"};
  spec.timeout_ms = options.timeout_ms;
  spec.cancelled = options.cancelled;
  spec.output_cap = 16 * 1024;
  Result<ProcessResult> run = runner.Run(spec);
  if (!run.ok()) return run.status();
  if (run->cancelled) return Cancelled("tarball extraction cancelled");
  if (run->timed_out) return Status(Code::kDeadlineExceeded, "tar timed out on " + tarball);
  if (run->exit_code != 0) return Permanent("tar could not extract the archive: " + run->output);
  std::string root = SourceRoot(dir->path());
  return ExtractedSource{std::move(*dir), root};
}

}  // namespace slipway::activities::build
