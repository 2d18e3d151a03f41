// tests/fuzz/fuzz_redact.cc: text and JSON a tenant controls, through redaction
// (engine/base/redact.h), which runs on every history event, log line and error message.
//
// The bytes go to RedactText as they are; when they are a JSON document (depth bounded as the
// API bounds it), to RedactJson and RedactJsonInPlace too, and the redacted value is serialised
// as history does. The two JSON forms must agree.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/base/redact.h"
#include "tests/fuzz/fuzz_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slipway;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)RedactText(text);
  (void)IsSecretKey(text);
  const nlohmann::json value = fuzz::ParseBounded(text);
  if (value.is_discarded()) return 0;
  const nlohmann::json redacted = RedactJson(value);
  nlohmann::json in_place = value;
  RedactJsonInPlace(in_place);
  if (redacted != in_place) __builtin_trap();
  (void)fuzz::DumpReplacing(redacted);
  return 0;
}
