// tools/emulator/smtp_sink.h: an SMTP server that accepts every message and keeps it, so the
// notify activity's welcome e-mail can be checked (GET /_admin/mail, effect "mail_sent").
//
// Speaks enough of RFC 5321 for Poco's SMTPClientSession: greeting, EHLO/HELO, AUTH PLAIN and
// LOGIN (any credentials pass), MAIL FROM, RCPT TO, DATA (dot-unstuffed), RSET, NOOP, QUIT.
// No TLS. Thread-safe: one thread per connection; on_mail and decide_fault are called from
// those threads.
// Faults: decide_fault is asked at each DATA command. A fault without after_effect answers DATA
// with its code (nothing is delivered); with after_effect the message is delivered (on_mail),
// then the connection closes before the final reply, so the sender cannot tell it landed.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace slipway::emulator {

struct Mail {
  std::string from;
  std::vector<std::string> to;
  std::string data;  // headers and body as received, without the final "."
};

struct SmtpFault {
  int code = 451;  // reply to DATA (4xx transient, 5xx final)
  bool after_effect = false;
};

class SmtpSink {
 public:
  using OnMail = std::function<void(Mail)>;
  using DecideFault = std::function<std::optional<SmtpFault>()>;
  // port 0: ephemeral. decide_fault may be empty (no faults). Errors: kUnavailable when the
  // port cannot be bound.
  static Result<std::unique_ptr<SmtpSink>> Start(const std::string& host, int port, OnMail on_mail,
                                                 DecideFault decide_fault = nullptr);
  ~SmtpSink();
  int port() const;
  void Stop();

 private:
  class Impl;
  explicit SmtpSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::emulator
