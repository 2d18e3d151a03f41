// engine/base/sha256.h: SHA-256 as lowercase hex (OpenSSL's libcrypto underneath).
#pragma once

#include <string>

namespace slipway {

std::string Sha256Hex(const std::string& data);

}  // namespace slipway
