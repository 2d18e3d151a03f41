// tools/emulator/emulator.cc: Poco HTTP server adapter and emulator lifecycle. Poco throws;
// exceptions are caught here and turned into Status or a 500 answer.
#include "tools/emulator/emulator.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <sstream>

#include "tools/emulator/emulator_state.h"

namespace slipway::emulator {

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr std::streamsize kMaxBody = 16 * 1024 * 1024;
constexpr int64_t kKeepAliveMs = 1000;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The Message-ID header of a message as received (headers end at the first empty line).
std::string MessageId(const std::string& data) {
  std::istringstream in(data);
  std::string line;
  while (std::getline(in, line) && !line.empty() && line != "\r") {
    if (Lower(line).rfind("message-id:", 0) != 0) continue;
    std::string v = line.substr(11);
    size_t b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : v.substr(b, e - b + 1);
  }
  return "";
}

EmuRequest ToEmuRequest(HTTPServerRequest& in) {
  EmuRequest r;
  r.method = in.getMethod();
  Poco::URI uri(in.getURI());
  r.path = uri.getPath();
  for (const auto& [k, v] : uri.getQueryParameters()) r.query[k] = v;
  for (const auto& [k, v] : in) r.headers[Lower(k)] = v;
  r.peer = in.clientAddress().toString();
  r.base_url = "http://" + (in.getHost().empty() ? in.serverAddress().toString() : in.getHost());
  std::vector<char> buf(64 * 1024);
  std::istream& body = in.stream();
  while (body && static_cast<std::streamsize>(r.body.size()) < kMaxBody) {
    body.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    r.body.append(buf.data(), static_cast<size_t>(body.gcount()));
  }
  return r;
}

void Send(const EmuResponse& r, HTTPServerResponse& out) {
  out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
  for (const auto& [k, v] : r.headers) out.add(k, v);
  if (!r.content_type.empty()) out.setContentType(r.content_type);
  out.sendBuffer(r.body.data(), r.body.size());
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(EmulatorState& state) : state_(state) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
    EmuResponse r;
    try {
      r = Dispatch(state_, ToEmuRequest(req));
    } catch (const std::exception& e) {
      r = Json(500, {{"message", std::string("emulator error: ") + e.what()}});
    }
    try {
      Send(r, resp);
    } catch (const Poco::Exception&) {
      // The client went away (for example it timed out on a hung request): nothing to answer.
    }
  }

 private:
  EmulatorState& state_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(EmulatorState& state) : state_(state) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(state_);
  }

 private:
  EmulatorState& state_;
};

}  // namespace

class Emulator::Server {
 public:
  Server(EmulatorState& state, Poco::Net::ServerSocket socket)
      : pool_(2, state.options.max_threads), port_(socket.address().port()) {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(state.options.max_threads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    // Short, so that Stop() can let idle keep-alive connections end on their own (see Stop).
    params->setKeepAliveTimeout(Poco::Timespan(0, kKeepAliveMs * 1000));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state), pool_, socket, params);
    server_->start();
  }
  ~Server() { Stop(); }
  // Stops accepting, then waits for open connections to finish (idle ones close after the
  // keep-alive timeout). HTTPServer::stopAll() would be quicker, but Poco 1.11's serverStopped
  // event races with connections being destroyed (ThreadSanitizer reports it), so it is only
  // the fallback for connections that are still busy after a bounded wait.
  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    server_->stop();
    for (int i = 0; i < 200 && server_->currentConnections() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (server_->currentConnections() > 0) server_->stopAll(true);
    pool_.joinAll();
  }
  int port() const { return port_; }

 private:
  Poco::ThreadPool pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_;
  bool stopped_ = false;
};

Emulator::Emulator(std::unique_ptr<EmulatorState> state) : state_(std::move(state)) {}

Emulator::~Emulator() { Stop(); }

Result<std::unique_ptr<Emulator>> Emulator::Start(EmulatorOptions options) {
  if (options.data_dir.empty()) return InvalidArgument("data_dir", "data_dir is required");
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return InvalidArgument("data_dir", "cannot create " + options.data_dir);
  auto state = std::make_unique<EmulatorState>(options);
  SLIPWAY_RETURN_IF_ERROR(state->repos.Load());
  if (!options.template_dir.empty()) {
    size_t slash = options.template_repo.find('/');
    if (slash == std::string::npos) return InvalidArgument("template_repo", "must be owner/name");
    SLIPWAY_RETURN_IF_ERROR(state->repos.SeedTemplate(options.template_repo.substr(0, slash),
                                                      options.template_repo.substr(slash + 1),
                                                      options.template_dir));
  }
  if (!options.faults_json.empty()) SLIPWAY_RETURN_IF_ERROR(state->faults.Configure(options.faults_json));
  std::unique_ptr<Emulator> emu(new Emulator(std::move(state)));
  SLIPWAY_RETURN_IF_ERROR(emu->StartSmtp());
  try {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(options.host, options.port), 64);
    emu->server_ = std::make_unique<Server>(*emu->state_, socket);
  } catch (const Poco::Exception& e) {
    return Unavailable("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                       ": " + e.displayText());
  }
  return emu;
}

Status Emulator::StartSmtp() {
  if (state_->options.smtp_port < 0) return Status::Ok();
  EmulatorState* state = state_.get();
  // A resent message (same Message-ID, as a retried notify sends it) is accepted but kept and
  // counted once, the way a mailbox's duplicate suppression would.
  auto on_mail = [state](Mail mail) {
    std::string to;
    for (const std::string& t : mail.to) to += (to.empty() ? "" : ",") + t;
    std::string id = MessageId(mail.data);
    bool duplicate = false;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      duplicate = !id.empty() && !state->mail_ids.insert(id).second;
      if (!duplicate) state->mails.push_back(std::move(mail));
    }
    state->log.Append({0, "SMTP", duplicate ? "DATA duplicate Message-ID" : "DATA", 250,
                       duplicate ? "" : "mail_sent", to, "", ""});
  };
  // SMTP faults come from the rules whose method is "SMTP" (faults.h).
  auto decide = [state]() -> std::optional<SmtpFault> {
    std::optional<FaultDecision> f = state->faults.Decide("SMTP", "DATA");
    if (!f || f->rule.status == 0) return std::nullopt;
    state->log.Append({0, "SMTP", "DATA", f->rule.status, "", "", f->Describe(), ""});
    return SmtpFault{f->rule.status, f->rule.after_effect};
  };
  auto sink = SmtpSink::Start(state_->options.host, state_->options.smtp_port, on_mail, decide);
  if (!sink.ok()) return sink.status();
  smtp_ = std::move(*sink);
  return Status::Ok();
}

int Emulator::smtp_port() const { return smtp_ ? smtp_->port() : -1; }

int Emulator::port() const { return server_->port(); }

std::string Emulator::base_url() const {
  return "http://" + state_->options.host + ":" + std::to_string(port());
}

RequestLog& Emulator::log() { return state_->log; }
Faults& Emulator::faults() { return state_->faults; }

void Emulator::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_->stop_mu);
    state_->stopping = true;
  }
  state_->stop_cv.notify_all();
  if (smtp_) smtp_->Stop();
  if (server_) server_->Stop();
}

}  // namespace slipway::emulator
