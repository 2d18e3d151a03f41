// tests/hostile/front_door_test.cc: the front door of a real slipwayd held at by an attacker
// without a token (issue 10, item 4): slowloris heads and oversized heads from one address
// while ops reads and cancels; the per-address connection cap; one tenant's long polls at its
// cap while another tenant's still work; a token holder trickling request bodies; the API's
// own refusals. After each attack, its refusal counter in /metrics moved.
//
// Attackers connect from 127.0.0.2 (another client address, as slipwayd sees it); the
// fixture's own calls come from 127.0.0.1. Reads wait on the server (an answer, a close) with
// a 20 s guard against a hang; the only sleeps are the attacker's pacing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/hostile/hostile_fixture.h"

namespace slipway::hostile {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kAttacker = "127.0.0.2";

// A raw TCP connection from a chosen loopback address: sends exactly what the attack writes.
class Socket {
 public:
  Socket(uint16_t port, const char* from) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    timeval tv{20, 0};  // a guard against a hang, not a timing assertion
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from, &local.sin_addr);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0 &&
                 connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Socket() { close(fd_); }
  bool connected() const { return connected_; }
  // False once the server closed or reset the connection.
  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0 ||
           errno == EAGAIN;
  }
  // Everything the server sends until it closes (or the guard fires).
  std::string ReadUntilClosed() {
    std::string all;
    char chunk[4096];
    for (;;) {
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return all;
      all.append(chunk, static_cast<size_t>(n));
    }
  }
  // The first bytes the server sends.
  std::string ReadSome() {
    char chunk[4096];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    return n > 0 ? std::string(chunk, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_;
  bool connected_ = false;
};

const char* kHeadStart = "GET /v1/workflows/x HTTP/1.1\r\nHost: x\r\n";

// slipway_http_refused_total{reason="<reason>"} from /metrics (as ops); -1 when missing.
int64_t Refused(const SlipwaydProcess& s, const std::string& reason) {
  Reply m = s.Call("GET", "/metrics", s.token("ops"));
  const std::string key = "\nslipway_http_refused_total{reason=\"" + reason + "\"} ";
  const size_t at = m.text.find(key);
  return at == std::string::npos ? -1 : std::atoll(m.text.c_str() + at + key.size());
}

int WaitingRequests(const SlipwaydProcess& s) {
  Reply m = s.Call("GET", "/metrics", s.token("ops"));
  const std::string key = "\nslipway_http_waiting_requests ";
  const size_t at = m.text.find(key);
  return at == std::string::npos ? -1 : std::atoi(m.text.c_str() + at + key.size());
}

// 150 connections trickle a head a line at a time and 150 send heads over 16 KiB, all from
// one address and without a token. Ops still reads and cancels (on the event loop and on the
// pool), /healthz says ok, every oversized head got 431, every trickled head is cut at the
// (short) head deadline with 408, and nothing reached the emulator.
TEST(FrontDoorHostileTest, SlowlorisAndOversizedHeadsDoNotHoldTheFrontDoorShut) {
  auto s = SlipwaydProcess::Start({"SLIPWAY_HTTP_HEAD_TIMEOUT_MS=500"});
  ASSERT_TRUE(s);
  const size_t emulator_before = s->EmulatorLog().size();
  const int64_t too_large_before = Refused(*s, "head_too_large");
  const int64_t timeout_before = Refused(*s, "head_timeout");
  std::vector<std::unique_ptr<Socket>> slow;
  for (int i = 0; i < 150; ++i) {
    slow.push_back(std::make_unique<Socket>(s->port(), kAttacker));
    ASSERT_TRUE(slow.back()->connected());
    slow.back()->Send(kHeadStart);
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {  // a line every 50 ms: far inside any per-line idle timeout
    while (!stop.load()) {
      for (auto& c : slow) (void)c->Send("X-Line: 1\r\n");
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  std::string big = kHeadStart;
  while (big.size() <= 16 * 1024) big += "X-Pad: 0123456789abcdef0123456789abcdef\r\n";
  for (int i = 0; i < 150; ++i) {
    Socket c(s->port(), kAttacker);
    ASSERT_TRUE(c.connected());
    c.Send(big);
    const std::string r = c.ReadUntilClosed();
    ASSERT_EQ(r.compare(0, 12, "HTTP/1.1 431"), 0) << r.substr(0, 200);
    const json body = json::parse(r.substr(r.find("\r\n\r\n") + 4), nullptr, false);
    EXPECT_EQ(body["error"]["code"], "request_head_too_large") << r;
    EXPECT_EQ(body["error"]["field"], "head") << r;
  }

  const seconds prompt(5);  // was: 503, then timeouts
  Reply got = s->Call("GET", "/v1/workflows/no-such-workflow", s->token("ops"), "", prompt);
  EXPECT_EQ(got.status, 404) << got.text;
  Reply cancel =
      s->Call("POST", "/v1/workflows/no-such-workflow/cancel", s->token("ops"), "{}", prompt);
  EXPECT_EQ(cancel.status, 404) << cancel.text;
  EXPECT_EQ(s->Call("GET", "/healthz", "", "", prompt).status, 200);

  for (auto& c : slow) {
    const std::string r = c->ReadUntilClosed();
    EXPECT_EQ(r.compare(0, 12, "HTTP/1.1 408"), 0) << r.substr(0, 200);
  }
  stop = true;
  trickle.join();
  EXPECT_EQ(Refused(*s, "head_too_large") - too_large_before, 150);
  EXPECT_EQ(Refused(*s, "head_timeout") - timeout_before, 150);
  EXPECT_TRUE(s->EmulatorLogSince(emulator_before).empty());
  s->ExpectAlive();
}

// One address at its cap is refused at once (503 or closed); 127.0.0.1 is still served.
TEST(FrontDoorHostileTest, OneAddressCannotTakeEveryConnection) {
  auto s = SlipwaydProcess::Start({"SLIPWAY_HTTP_MAX_CONNECTIONS_PER_ADDRESS=32",
                                   "SLIPWAY_HTTP_HEAD_TIMEOUT_MS=60000"});
  ASSERT_TRUE(s);
  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 32; ++i) {
    held.push_back(std::make_unique<Socket>(s->port(), kAttacker));
    ASSERT_TRUE(held.back()->connected());
    held.back()->Send(kHeadStart);
  }
  const int64_t capped_before = Refused(*s, "connections_per_address_cap");
  for (int i = 0; i < 5; ++i) {
    Socket refused(s->port(), kAttacker);
    ASSERT_TRUE(refused.connected());  // the kernel completes the handshake; slipwayd refuses
    refused.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string r = refused.ReadUntilClosed();
    EXPECT_TRUE(r.empty() || r.compare(0, 12, "HTTP/1.1 503") == 0) << r;
  }
  EXPECT_EQ(Refused(*s, "connections_per_address_cap") - capped_before, 5);
  s->ExpectAlive();
}

// Tenant alpha holds its cap of long polls (2 here); its next wait, and its stream, get 429
// with Retry-After. Tenant beta's wait and ops' are answered as usual.
TEST(FrontDoorHostileTest, OneTenantsWaitsDoNotStarveAnotherTenant) {
  auto s = SlipwaydProcess::Start({"SLIPWAY_HTTP_MAX_WAITS_PER_PRINCIPAL=2"});
  ASSERT_TRUE(s);
  auto onboarded = [&](const std::string& tenant) {
    json start = {{"type", "onboarding"}, {"tenant", tenant},
                  {"input", {{"email", tenant + "@example.com"}}}};
    Reply r = s->Call("POST", "/v1/workflows", s->token("ops"), start.dump());
    EXPECT_EQ(r.status, 201) << r.text;
    const std::string id = r.body.value("id", "");
    EXPECT_EQ(s->WaitForEnd(id).value("status", ""), "completed");
    return id;  // final: a long poll on it waits its whole time
  };
  const std::string alpha = onboarded("alpha");
  const std::string beta = onboarded("beta");
  std::vector<std::unique_ptr<Socket>> polls;
  for (int i = 0; i < 2; ++i) {
    polls.push_back(std::make_unique<Socket>(s->port(), "127.0.0.1"));
    polls.back()->Send("GET /v1/workflows/" + alpha + "?wait=60 HTTP/1.1\r\nHost: x\r\n" +
                       "Authorization: Bearer " + s->token("alpha") + "\r\n\r\n");
  }
  for (int i = 0; i < 2000 && WaitingRequests(*s) < 2; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_EQ(WaitingRequests(*s), 2) << polls[0]->ReadSome();

  const int64_t waits_before = Refused(*s, "waits_per_principal_cap");
  Reply over = s->Call("GET", "/v1/workflows/" + alpha + "?wait=1", s->token("alpha"));
  EXPECT_EQ(over.status, 429) << over.text;
  EXPECT_EQ(over.body["error"]["code"], "resource_exhausted") << over.text;
  EXPECT_EQ(over.headers["retry-after"], "1");
  EXPECT_EQ(s->Call("GET", "/v1/workflows/" + alpha + "/stream", s->token("alpha")).status, 429);
  EXPECT_EQ(Refused(*s, "waits_per_principal_cap") - waits_before, 2);

  Reply other = s->Call("GET", "/v1/workflows/" + beta + "?wait=1", s->token("beta"));
  EXPECT_EQ(other.status, 200) << other.text;
  EXPECT_EQ(other.body.value("id", ""), beta);
  EXPECT_EQ(s->Call("GET", "/v1/workflows/" + alpha + "?wait=1", s->token("ops")).status, 200);
  polls.clear();
  s->ExpectAlive();
}

// A token holder sends request heads with a body announced and trickles the body a byte a
// second, on more connections than the pool has threads (128). The bodies are read by the
// event loops, so no pool thread waits for them: ops still reads and cancels (a pool route),
// /healthz says ok; each trickler is cut at the body deadline with 408 (or closed), nothing
// reached the emulator, and the body_timeout counter moved.
TEST(FrontDoorHostileTest, BodyTricklersWithATokenDoNotPinThePool) {
  auto s = SlipwaydProcess::Start({"SLIPWAY_HTTP_BODY_TIMEOUT_MS=4000",
                                   "SLIPWAY_HTTP_MAX_CONNECTIONS_PER_ADDRESS=400"});
  ASSERT_TRUE(s);
  const size_t emulator_before = s->EmulatorLog().size();
  const int64_t before = Refused(*s, "body_timeout");
  const std::string head = "POST /v1/workflows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                           s->token("alpha") +
                           "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
  std::vector<std::unique_ptr<Socket>> tricklers;
  for (int i = 0; i < 140; ++i) {
    tricklers.push_back(std::make_unique<Socket>(s->port(), kAttacker));
    ASSERT_TRUE(tricklers.back()->connected());
    tricklers.back()->Send(head);
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop.load()) {
      for (auto& t : tricklers) (void)t->Send(" ");
      std::this_thread::sleep_for(seconds(1));
    }
  });

  const seconds guard(10);  // was: queued behind 128 pinned threads, no answer
  EXPECT_EQ(s->Call("GET", "/v1/workflows/no-such-workflow", s->token("ops"), "", guard).status,
            404);
  Reply cancel =
      s->Call("POST", "/v1/workflows/no-such-workflow/cancel", s->token("ops"), "{}", guard);
  EXPECT_EQ(cancel.status, 404) << cancel.text;
  EXPECT_EQ(s->Call("GET", "/healthz", "", "", guard).status, 200);

  int timed_out = 0;
  for (auto& t : tricklers) {
    const std::string r = t->ReadUntilClosed();
    EXPECT_TRUE(r.empty() || r.compare(0, 12, "HTTP/1.1 408") == 0) << r.substr(0, 200);
    if (r.compare(0, 12, "HTTP/1.1 408") == 0) ++timed_out;
  }
  stop = true;
  trickle.join();
  EXPECT_GT(timed_out, 0);
  EXPECT_GE(Refused(*s, "body_timeout") - before, timed_out);
  EXPECT_TRUE(s->EmulatorLogSince(emulator_before).empty());
  s->ExpectAlive();
}

// The API's own refusals are counted too: 401, 403, 400, 413.
TEST(FrontDoorHostileTest, TheApisRefusalsAreCountedByReason) {
  auto s = SlipwaydProcess::Start();
  ASSERT_TRUE(s);
  const std::vector<std::string> reasons = {"unauthorized", "forbidden", "bad_request",
                                            "body_too_large"};
  std::vector<int64_t> before;
  for (const auto& r : reasons) before.push_back(Refused(*s, r));
  EXPECT_EQ(s->Call("GET", "/v1/workflows", "").status, 401);
  EXPECT_EQ(s->Call("GET", "/v1/workflows", "not-a-token").status, 401);
  json approve_self = {{"type", "deployment"}, {"tenant", "alpha"},
                      {"input", {{"require_approval", false}}}};
  EXPECT_EQ(s->Call("POST", "/v1/workflows", s->token("alpha"), approve_self.dump()).status, 403);
  EXPECT_EQ(s->Call("POST", "/v1/workflows", s->token("ops"), "{\"type\": ").status, 400);
  const std::string big = "{\"x\": \"" + std::string(2 << 20, 'a') + "\"}";
  EXPECT_EQ(s->Call("POST", "/v1/workflows", s->token("ops"), big).status, 413);
  const std::vector<int64_t> moved = {2, 1, 1, 1};
  for (size_t i = 0; i < reasons.size(); ++i) {
    EXPECT_EQ(Refused(*s, reasons[i]) - before[i], moved[i]) << reasons[i];
  }
  s->ExpectAlive();
}

}  // namespace
}  // namespace slipway::hostile
