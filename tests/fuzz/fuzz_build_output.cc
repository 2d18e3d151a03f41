// tests/fuzz/fuzz_build_output.cc: build output, as a tenant's build scripts print it.
//
// Tenant code controls every byte of what npm, tsc, ESLint and Next print, and the lines can
// be of any length. Runs ParseBuildOutput (all the tool parsers), StripAnsi and NormalizePath
// on the bytes. The project directory does not exist, so the parsers that look into files
// (to turn an offset into a line) find nothing: the target stays a pure function of its input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "activities/build/error_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slipway::activities::build;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.project_dir = "/nonexistent/slipway-fuzz/project";
  options.max_errors = 20;
  const std::vector<BuildError> errors = ParseBuildOutput(text, options);
  if (errors.size() > options.max_errors) __builtin_trap();
  (void)StripAnsi(text);
  (void)NormalizePath(text, options.project_dir);
  return 0;
}
