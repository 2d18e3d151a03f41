// http/api_response.h: the response object every request gets (connection.h): Poco's, except
// that a response sent whole (sendBuffer: every JSON answer, status polls included) leaves in
// one write with its status line and headers formatted here, not through Poco's header
// stream (an iostream built and torn down per response). On an event loop's thread it never
// blocks: the response goes to the connection's outbox, which the connection sends without
// waiting and the loop finishes as the client reads. Streamed responses (send(): SSE) are Poco's own and blocking:
// only pool threads may use them. Internal to http/.
//
// Thread-safety: one request thread.
#pragma once

#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>

#include <cstddef>
#include <functional>
#include <string>

namespace slipway::http {

class ApiResponse final : public Poco::Net::HTTPServerResponseImpl {
 public:
  explicit ApiResponse(Poco::Net::HTTPServerSession& session)
      : HTTPServerResponseImpl(session), session_(session) {}
  // A HEAD request: headers only.
  void set_head_request(bool head) { head_ = head; }
  // Whole responses are appended to `outbox` instead of sent (the event loop's mode);
  // null: sent at once, blocking.
  void set_outbox(std::string* outbox) { outbox_ = outbox; }

  void sendBuffer(const void* buffer, std::size_t length) override;
  bool sent() const override { return sent_ || HTTPServerResponseImpl::sent(); }
  // Who hears why an answer is a 500 (the dispatcher, which logs it with the request id: the
  // client sees only that). WriteError reports the cause, a code and redacted message,
  // before the answer leaves, so that the log line is there when the client has its answer.
  void set_error_reporter(std::function<void(const std::string& cause)> reporter) {
    reporter_ = std::move(reporter);
  }
  void ReportError(const std::string& cause) {
    if (reporter_) reporter_(cause);
  }

 private:
  Poco::Net::HTTPServerSession& session_;
  std::string* outbox_ = nullptr;
  bool head_ = false;
  bool sent_ = false;
  std::function<void(const std::string&)> reporter_;
};

}  // namespace slipway::http
