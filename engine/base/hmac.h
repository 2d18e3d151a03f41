// engine/base/hmac.h: HMAC-SHA256 (GitHub's webhook signatures), a constant-time comparison and
// random secrets, on OpenSSL's libcrypto. Stateless; thread-safe.
#pragma once

#include <string>

#include "engine/base/status.h"

namespace slipway {

// Lower-case hex of HMAC-SHA256(key, data), 64 characters.
std::string HmacSha256Hex(const std::string& key, const std::string& data);
// True when a and b are equal; for equal sizes the time taken does not depend on the contents.
bool ConstantTimeEquals(const std::string& a, const std::string& b);
// `bytes` random bytes from the operating system's CSPRNG, as lower-case hex. kInternal when
// the generator fails.
Result<std::string> RandomSecretHex(size_t bytes);

}  // namespace slipway
