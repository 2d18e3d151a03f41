// engine/base/bearer_token.h: fresh bearer tokens for the API (slipctl's tokens-file entries
// and the tokens ops create through /v1/tokens): 32 bytes from /dev/urandom, base64url
// without padding (43 characters). Only their SHA-256 is ever kept.
#pragma once

#include <string>

#include "engine/base/status.h"

namespace slipway {

// kUnavailable when /dev/urandom cannot be read.
Result<std::string> NewBearerToken();

}  // namespace slipway
