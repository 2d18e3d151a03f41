// tools/emulator/smtp_sink.h: an SMTP server that accepts every message and keeps it, so the
// notify activity's welcome e-mail can be checked (GET /_admin/mail, effect "mail_sent").
//
// Speaks enough of RFC 5321 for Poco's SMTPClientSession: greeting, EHLO/HELO, AUTH PLAIN and
// LOGIN (any credentials pass), MAIL FROM, RCPT TO, DATA (dot-unstuffed), RSET, NOOP, QUIT.
// No TLS. Thread-safe: one thread per connection; on_mail is called from those threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace slipway::emulator {

struct Mail {
  std::string from;
  std::vector<std::string> to;
  std::string data;  // headers and body as received, without the final "."
};

class SmtpSink {
 public:
  using OnMail = std::function<void(Mail)>;
  // port 0: ephemeral. Errors: kUnavailable when the port cannot be bound.
  static Result<std::unique_ptr<SmtpSink>> Start(const std::string& host, int port, OnMail on_mail);
  ~SmtpSink();
  int port() const;
  void Stop();

 private:
  class Impl;
  explicit SmtpSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::emulator
