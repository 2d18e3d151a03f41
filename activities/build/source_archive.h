// activities/build/source_archive.h: private temporary directories and the extraction of a
// GitHub source tarball into one.
//
// TempDir owns a fresh directory (mkdtemp, mode 0700) and removes it with everything in it when
// destroyed. ExtractTarball runs `tar` through a ProcessRunner (no shell) and, like GitHub's
// tarballs need, treats a single top-level directory as the source root.
// Thread-safety: each object is used by one thread; different objects are independent.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "activities/build/process_runner.h"
#include "engine/base/status.h"

namespace slipway::activities::build {

class TempDir {
 public:
  // A new directory "<parent>/<prefix>XXXXXX". Empty parent: $TMPDIR, else /tmp.
  // Errors: kInternal.
  static Result<TempDir> Create(const std::string& parent, const std::string& prefix);
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { Remove(); }

  const std::string& path() const { return path_; }
  // Deletes the tree now (symlinks are removed, never followed). Idempotent.
  void Remove();

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct ExtractedSource {
  TempDir dir;             // removed when this goes away
  std::string source_dir;  // dir itself, or its single top-level directory
};

struct ExtractOptions {
  std::string parent_dir;  // where the temp dir goes; empty: $TMPDIR or /tmp
  int64_t timeout_ms = 2 * 60 * 1000;
  std::function<bool()> cancelled;
};

// Extracts a .tar.gz. Errors: kNotFound (no such tarball), kPermanent (tar rejected the
// archive), kDeadlineExceeded (tar timed out), kCancelled, kInternal.
Result<ExtractedSource> ExtractTarball(ProcessRunner& runner, const std::string& tarball,
                                       const ExtractOptions& options);

}  // namespace slipway::activities::build
