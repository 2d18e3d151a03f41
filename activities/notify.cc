// activities/notify.cc: Poco's SMTP client behind Notifier. Poco throws; everything is caught in
// Deliver() and turned into a Status.
#include "activities/notify.h"

#include <Poco/Exception.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include "engine/base/sha256.h"

namespace slipway::activities {

namespace {

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

std::string Body(const WelcomeEmail& m) {
  return "Hello " + m.tenant +
         ",\n\n"
         "your website is set up.\n\n"
         "Edit your site: " +
         m.editor_url +
         "\n"
         "Your site's repository: " +
         m.repo_url +
         "\n\n"
         "Changes you save in the editor are validated and deployed for you.\n\n"
         "-- Slipway\n";
}

Status Validate(const WelcomeEmail& m) {
  if (m.idempotency_key.empty()) return InvalidArgument("idempotency_key", "is required");
  size_t at = m.to.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == m.to.size() ||
      m.to.find_first_of(" <>,;\"") != std::string::npos || HasLineBreak(m.to)) {
    return InvalidArgument("to", "not a plain e-mail address");
  }
  for (const std::string* f : {&m.tenant, &m.editor_url, &m.repo_url}) {
    if (HasLineBreak(*f)) return InvalidArgument("welcome", "a field holds a line break");
  }
  if (m.editor_url.empty()) return InvalidArgument("editor_url", "is required");
  return Status::Ok();
}

// Sends one message; the only place Poco's exceptions are caught.
Status Deliver(const SmtpConfig& c, Poco::Net::MailMessage& message) {
  std::string where = "smtp " + c.host + ":" + std::to_string(c.port);
  try {
    Poco::Timespan timeout(c.timeout_ms * 1000);
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(c.host, static_cast<Poco::UInt16>(c.port)), timeout);
    Poco::Net::SMTPClientSession session(socket);
    session.setTimeout(timeout);
    session.login();
    session.sendMessage(message);
    try {
      session.close();  // the relay took the message: a failed QUIT must not make us resend it
    } catch (const Poco::Exception&) {
    }
    return Status::Ok();
  } catch (const Poco::Net::SMTPException& e) {
    // Poco keeps the server's reply code in code(): 5xx is final; 4xx is transient, and so is
    // no code at all (the connection closed before a reply: the message may have landed, and a
    // resend carries the same Message-ID).
    std::string what = where + ": server refused (" + std::to_string(e.code()) + ")";
    return e.code() >= 500 && e.code() < 600 ? Permanent(what) : Unavailable(what);
  } catch (const Poco::TimeoutException&) {
    return Status(Code::kDeadlineExceeded, where + ": timed out");
  } catch (const Poco::Exception& e) {
    return Unavailable(where + ": " + e.className());
  } catch (const std::exception&) {
    return Unavailable(where + ": connection failed");
  }
}

}  // namespace

Result<SmtpConfig> ParseSmtpUrl(const std::string& url) {
  const std::string scheme = "smtp://";
  if (url.rfind(scheme, 0) != 0) return InvalidArgument("SMTP_URL", "must start with smtp://");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find_first_of("@/") != std::string::npos) {
    return InvalidArgument("SMTP_URL", "expected smtp://host:port");
  }
  SmtpConfig c;
  size_t colon = rest.rfind(':');
  c.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    std::string port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 ||
        std::stoi(port) > 65535) {
      return InvalidArgument("SMTP_URL", "bad port");
    }
    c.port = std::stoi(port);
  }
  if (c.host.empty()) return InvalidArgument("SMTP_URL", "host is empty");
  return c;
}

std::string MessageIdFor(const std::string& idempotency_key) {
  return "<" + Sha256Hex("slipway welcome " + idempotency_key).substr(0, 32) + "@slipway>";
}

nlohmann::json ToJson(const NotifyResult& r) {
  return {{"message_id", r.message_id}, {"to", r.to}};
}

Result<WelcomeEmail> WelcomeEmailFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("welcome", "not an object");
  WelcomeEmail m;
  for (auto [key, field] : {std::pair<const char*, std::string*>{"to", &m.to},
                            {"tenant", &m.tenant},
                            {"editor_url", &m.editor_url},
                            {"repo_url", &m.repo_url},
                            {"idempotency_key", &m.idempotency_key}}) {
    if (j.contains(key) && !j[key].is_string()) return InvalidArgument(key, "must be a string");
    *field = j.value(key, "");
  }
  return m;
}

Notifier::Notifier(SmtpConfig config) : config_(std::move(config)) {}

Result<NotifyResult> Notifier::SendWelcome(const WelcomeEmail& mail) {
  SLIPWAY_RETURN_IF_ERROR(Validate(mail));
  Poco::Net::MailMessage message;
  message.setSender(config_.from);
  message.addRecipient(
      Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, mail.to));
  message.setSubject("Welcome to Slipway: your site is ready");
  message.setContentType("text/plain; charset=utf-8");
  message.setContent(Body(mail), Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
  std::string id = MessageIdFor(mail.idempotency_key);
  message.set("Message-ID", id);
  SLIPWAY_RETURN_IF_ERROR(Deliver(config_, message));
  return NotifyResult{id, mail.to};
}

}  // namespace slipway::activities
