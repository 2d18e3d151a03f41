#include "tools/emulator/smtp_sink.h"

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <cctype>

namespace slipway::emulator {

namespace {

constexpr size_t kMaxMessage = 10 * 1024 * 1024;
constexpr int kIdleLimitS = 60;

// Outlives every session: sessions poll `stopping` so Stop() can wait for them to end.
struct Shared {
  SmtpSink::OnMail on_mail;
  SmtpSink::DecideFault decide_fault;
  std::atomic<bool> stopping{false};
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "MAIL FROM:<a@b>" -> "a@b".
std::string Address(const std::string& line) {
  size_t open = line.find('<');
  size_t close = line.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) {
    size_t colon = line.find(':');
    return colon == std::string::npos ? "" : line.substr(colon + 1);
  }
  return line.substr(open + 1, close - open - 1);
}

class Session : public Poco::Net::TCPServerConnection {
 public:
  Session(const Poco::Net::StreamSocket& s, std::shared_ptr<Shared> shared)
      : TCPServerConnection(s), shared_(std::move(shared)) {}

  void run() override {
    try {
      socket().setReceiveTimeout(Poco::Timespan(1, 0));  // to notice Stop()
      Send("220 emulator.local ESMTP slipway-emulator");
      std::string line;
      while (ReadLine(&line) && Handle(line)) {
      }
    } catch (const Poco::Exception&) {
      // The client went away: nothing to do.
    }
  }

 private:
  void Send(const std::string& reply) {
    std::string out = reply + "\r\n";
    socket().sendBytes(out.data(), static_cast<int>(out.size()));
  }

  bool ReadLine(std::string* line) {
    for (;;) {
      size_t eol = buffer_.find("\r\n");
      if (eol != std::string::npos) {
        *line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        return true;
      }
      char chunk[4096];
      int n = 0;
      for (int idle_s = 0;; ++idle_s) {
        if (shared_->stopping || idle_s >= kIdleLimitS) return false;
        try {
          n = socket().receiveBytes(chunk, sizeof chunk);
          break;
        } catch (const Poco::TimeoutException&) {
        }
      }
      if (n <= 0 || buffer_.size() > kMaxMessage) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  bool ReadData(std::string* data) {
    std::string line;
    while (ReadLine(&line)) {
      if (line == ".") return true;
      if (!line.empty() && line[0] == '.') line.erase(0, 1);  // dot-unstuffing
      *data += line + "\r\n";
      if (data->size() > kMaxMessage) return false;
    }
    return false;
  }

  void Auth(const std::string& rest) {
    std::string mech = Upper(rest.substr(0, rest.find(' ')));
    std::string line;
    if (mech == "LOGIN") {
      Send("334 VXNlcm5hbWU6");
      if (!ReadLine(&line)) return;
      Send("334 UGFzc3dvcmQ6");
      if (!ReadLine(&line)) return;
    } else if (rest.find(' ') == std::string::npos) {
      Send("334 ");
      if (!ReadLine(&line)) return;
    }
    Send("235 2.7.0 Authentication successful");
  }

  bool Handle(const std::string& line) {
    std::string verb = Upper(line.substr(0, line.find(' ')));
    std::string rest = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
    if (verb == "EHLO") {
      Send("250-emulator.local\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760");
    } else if (verb == "HELO" || verb == "NOOP") {
      Send("250 OK");
    } else if (verb == "AUTH") {
      Auth(rest);
    } else if (verb == "MAIL") {
      mail_ = Mail{Address(rest), {}, ""};
      Send("250 2.1.0 OK");
    } else if (verb == "RCPT") {
      mail_.to.push_back(Address(rest));
      Send("250 2.1.5 OK");
    } else if (verb == "DATA") {
      if (mail_.to.empty()) {
        Send("503 5.5.1 RCPT first");
        return true;
      }
      std::optional<SmtpFault> fault;
      if (shared_->decide_fault) fault = shared_->decide_fault();
      if (fault && !fault->after_effect) {
        Send(std::to_string(fault->code) + " 4.3.0 emulated fault, try again later");
        mail_ = Mail{};
        return true;
      }
      Send("354 End data with <CR><LF>.<CR><LF>");
      if (!ReadData(&mail_.data)) return false;
      shared_->on_mail(std::move(mail_));
      mail_ = Mail{};
      if (fault) return false;  // delivered, but the sender never hears so
      Send("250 2.0.0 OK queued");
    } else if (verb == "RSET") {
      mail_ = Mail{};
      Send("250 OK");
    } else if (verb == "QUIT") {
      Send("221 2.0.0 Bye");
      return false;
    } else {
      Send("502 5.5.2 Command not recognized");
    }
    return true;
  }

  std::shared_ptr<Shared> shared_;
  std::string buffer_;
  Mail mail_;
};

class Factory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit Factory(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& s) override {
    return new Session(s, shared_);
  }

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace

class SmtpSink::Impl {
 public:
  Impl(Poco::Net::ServerSocket socket, OnMail on_mail, DecideFault decide_fault)
      : shared_(std::make_shared<Shared>()), port_(socket.address().port()) {
    shared_->on_mail = std::move(on_mail);
    shared_->decide_fault = std::move(decide_fault);
    auto* params = new Poco::Net::TCPServerParams;
    params->setMaxThreads(8);
    server_ = std::make_unique<Poco::Net::TCPServer>(new Factory(shared_), socket, params);
    server_->start();
  }
  // Sessions notice `stopping` within their 1 s receive timeout; wait for them (bounded) so
  // that none calls on_mail after the owner is gone.
  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    shared_->stopping = true;
    server_->stop();
    for (int i = 0; i < 300 && server_->currentConnections() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  int port() const { return port_; }

 private:
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
  int port_;
  bool stopped_ = false;
};

SmtpSink::SmtpSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SmtpSink::~SmtpSink() { Stop(); }
int SmtpSink::port() const { return impl_->port(); }
void SmtpSink::Stop() { impl_->Stop(); }

Result<std::unique_ptr<SmtpSink>> SmtpSink::Start(const std::string& host, int port,
                                                  OnMail on_mail, DecideFault decide_fault) {
  try {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), 16);
    return std::unique_ptr<SmtpSink>(
        new SmtpSink(std::make_unique<Impl>(socket, std::move(on_mail), std::move(decide_fault))));
  } catch (const Poco::Exception& e) {
    return Unavailable("smtp sink cannot listen on " + host + ":" + std::to_string(port) + ": " +
                       e.displayText());
  }
}

}  // namespace slipway::emulator
