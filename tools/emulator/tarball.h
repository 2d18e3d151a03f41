// tools/emulator/tarball.h: builds a .tar.gz (POSIX ustar, gzip) from in-memory files.
//
// Like GitHub's archives, every entry sits under one top-level directory (`prefix`). Pure
// function; thread-safe.
#pragma once

#include <map>
#include <string>

#include "engine/base/status.h"

namespace slipway::emulator {

// files: relative path -> content. Errors: kInvalidArgument for a path too long for ustar.
Result<std::string> BuildTarGz(const std::string& prefix,
                               const std::map<std::string, std::string>& files);

}  // namespace slipway::emulator
