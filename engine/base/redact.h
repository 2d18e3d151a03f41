// engine/base/redact.h: keeps secrets out of history, logs and errors.
//
// RedactJson replaces the value of any key that names a secret (token, secret, password,
// api_key, authorization, cookie, private_key, credential...) with "[redacted]", at any depth,
// and masks string values that look like a known credential (GitHub, Anthropic, Vercel,
// Bearer ...). RedactText masks such credentials inside free text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace slipway {

inline constexpr const char* kRedacted = "[redacted]";

bool IsSecretKey(const std::string& key);
nlohmann::json RedactJson(const nlohmann::json& value);
void RedactJsonInPlace(nlohmann::json& value);  // the same, without a copy
std::string RedactText(const std::string& text);

}  // namespace slipway
