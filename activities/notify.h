// activities/notify.h: the welcome e-mail to a new tenant, over SMTP (Poco's SMTP client).
//
// Notifier::SendWelcome sends one plain-text message with the tenant's editor URL and repository
// link to SMTP_URL (smtp://host:port; ServiceConfig::smtp_url). No TLS, no AUTH: the relay is
// expected on a trusted network (or the emulator's sink).
//
// Idempotency: the Message-ID is derived from the idempotency key (<sha256(key)[:32]@slipway>),
// so every attempt sends the same message. SMTP cannot tell a sender whether a message was
// already delivered, so delivery is at-least-once: an attempt that dies after the relay accepted
// DATA but before the step was recorded sends the mail again, with the same Message-ID, which
// mail systems (and the emulator's sink) use to drop the duplicate.
// Errors: kInvalidArgument (a bad address, a CR/LF in a field, a malformed SMTP_URL);
// kUnavailable for network failures, timeouts, SMTP 4xx replies and a connection closed before
// the reply (retry); kPermanent for SMTP 5xx replies (e.g. recipient rejected). Messages carry no credentials or message bodies.
// Thread-safe: each call opens its own SMTP session.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/status.h"

namespace slipway::activities {

struct SmtpConfig {
  std::string host;
  int port = 25;
  std::string from = "Slipway <no-reply@slipway.invalid>";
  int64_t timeout_ms = 15'000;
};

// "smtp://host:port" (port defaults to 25). Errors: kInvalidArgument (field SMTP_URL).
Result<SmtpConfig> ParseSmtpUrl(const std::string& url);

struct WelcomeEmail {
  std::string to;               // the tenant's address
  std::string tenant;           // tenant name, for the greeting
  std::string editor_url;       // https://<tenant>-dev.<base domain>
  std::string repo_url;         // https://github.com/<owner>/<repo>
  std::string idempotency_key;  // required: the Message-ID is derived from it
};

struct NotifyResult {
  std::string message_id;
  std::string to;
};

nlohmann::json ToJson(const NotifyResult& r);
// Errors: kInvalidArgument naming the missing field.
Result<WelcomeEmail> WelcomeEmailFromJson(const nlohmann::json& j);

// <hex>@slipway, stable for a key.
std::string MessageIdFor(const std::string& idempotency_key);

class Notifier {
 public:
  explicit Notifier(SmtpConfig config);
  Result<NotifyResult> SendWelcome(const WelcomeEmail& mail);

 private:
  const SmtpConfig config_;
};

}  // namespace slipway::activities
