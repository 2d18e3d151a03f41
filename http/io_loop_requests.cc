// http/io_loop_requests.cc: what an event loop does with requests: serves quick ones on its
// own thread, waits for bodies, hands whole requests to the pool, refuses and counts, and
// enforces the head, body and idle deadlines (see io_loop.h and io_server.h).
#include <sys/epoll.h>

#include "http/io_loop.h"

namespace slipway::http {

// Serves the requests buffered on `c` that may be served here; then watches it again, hands
// it to the pool, or closes it. A response the socket does not take at once is finished
// from the outbox (OnWritable) before the next request is read: a client that does not read
// holds up its own connection only.
void IoLoop::Drive(Connection* c) {
  for (;;) {
    switch (c->Next(server_.options_.max_head)) {
      case RequestKind::kNone:
        Watch(c, EPOLLIN);
        return;
      case RequestKind::kIncomplete:
        StartHead(c);
        Watch(c, EPOLLIN);
        return;
      case RequestKind::kTooLarge:
        Refuse(c->fd(), Refusal::kHeadTooLarge, RefusalReason::kHeadTooLarge);
        return Close(c);
      case RequestKind::kInline: {
        c->reading_head = false;
        const RequestExtent e = c->MeasureNext(server_.options_.max_body);
        if (e.state != RequestExtent::State::kComplete) return ToPoolWhenWhole(c);
        const bool keep = c->ServeOne(server_.factory_, stopping(), /*on_loop=*/true, e.size);
        if (c->has_outbox()) {
          c->close_after_flush = !keep;
          Watch(c, EPOLLOUT);
          return;
        }
        if (!keep) return Close(c);
        c->last_active = Clock::now();
        continue;
      }
      case RequestKind::kPool:
        c->reading_head = false;
        return ToPoolWhenWhole(c);
    }
  }
}

// The head deadline runs from the first byte of a request (it runs since the accept for
// the first one).
void IoLoop::StartHead(Connection* c) {
  if (c->reading_head) return;
  c->reading_head = true;
  c->head_since = Clock::now();
}

// A request for the pool goes there only whole: a body still on its way waits here, under
// its deadline and the loops' budget of body bytes, so that no pool thread ever waits for
// a client's bytes.
void IoLoop::ToPoolWhenWhole(Connection* c) {
  const RequestExtent e = c->MeasureNext(server_.options_.max_body);
  switch (e.state) {
    case RequestExtent::State::kComplete:
      EndBody(c);
      return ToPool(c, e.size);
    case RequestExtent::State::kIncomplete:
      if (AwaitBody(c, e)) Watch(c, EPOLLIN);
      return;
    case RequestExtent::State::kTooLarge:
      Refuse(c->fd(), Refusal::kBodyTooLarge, RefusalReason::kBodyTooLarge);
      return Discard(c);
    case RequestExtent::State::kMalformed:
      Refuse(c->fd(), Refusal::kBadFraming, RefusalReason::kBadRequest);
      return Close(c);
  }
}

// Starts (or goes on) waiting for `c`'s body and counts what it holds against the body
// budget. False when the budget is spent: refused and closed.
bool IoLoop::AwaitBody(Connection* c, const RequestExtent& e) {
  if (!c->reading_body) {
    c->reading_body = true;
    c->body_since = Clock::now();
    c->body_read_limit = e.wire_limit;
    if (e.expect_continue) c->SendContinue();
  }
  const auto held = static_cast<int64_t>(c->input_size());
  if (held > c->body_held) {
    if (!server_.ReserveBody(held - c->body_held)) {
      Refuse(c->fd(), Refusal::kBodiesFull, RefusalReason::kBodyBufferFull);
      Close(c);
      return false;
    }
    c->body_held = held;
  }
  return true;
}

// Reads and drops what the client still sends of a refused body (at most a few MiB, until
// the body deadline), then closes: a client that writes its whole body before it reads gets
// the answer instead of a reset.
void IoLoop::Discard(Connection* c) {
  EndBody(c);
  c->discard_left = 8 << 20;
  c->body_since = Clock::now();
  Watch(c, EPOLLIN);
}

// The body is whole (or the connection closes): its bytes leave the budget.
void IoLoop::EndBody(Connection* c) {
  server_.ReleaseBody(c->body_held);
  c->body_held = 0;
  c->reading_body = false;
}

// The size of the next request when it is for the pool and all here (its body too), else 0.
// On the pool thread that holds `c`.
size_t IoLoop::WholePoolRequest(Connection* c) {
  if (c->Next(server_.options_.max_head) != RequestKind::kPool) return 0;
  const RequestExtent e = c->MeasureNext(server_.options_.max_body);
  return e.state == RequestExtent::State::kComplete ? e.size : 0;
}

// Hands `c`, whose next request (`size` bytes) is all here, to a pool thread. That thread
// goes on with the requests after it while they are whole and for the pool too.
void IoLoop::ToPool(Connection* c, size_t size) {
  // The loop must not touch the connection while a pool thread has it.
  if (!Watch(c, 0)) return;
  c->busy = true;
  const bool taken = server_.pool_.Submit([this, c, size] {
    bool keep = c->ServeOne(server_.factory_, stopping(), /*on_loop=*/false, size);
    for (size_t next = 0; keep && (next = WholePoolRequest(c)) > 0;) {
      keep = c->ServeOne(server_.factory_, stopping(), /*on_loop=*/false, next);
    }
    Return(c, keep);
  });
  if (taken) return;
  c->busy = false;
  Refuse(c->fd(), Refusal::kPoolFull, RefusalReason::kPoolFull);
  Close(c);
}

// Counts the refusal, then answers it (SendRefusal).
void IoLoop::Refuse(int fd, Refusal which, RefusalReason reason) {
  server_.refusals_->Count(reason);
  const size_t limit =
      which == Refusal::kBodyTooLarge ? server_.options_.max_body : server_.options_.max_head;
  if (which == Refusal::kPoolFull || which == Refusal::kTooManyConnections ||
      which == Refusal::kBodiesFull) {
    server_.refusals_->CountServerError(503);
  }
  SendRefusal(fd, which, limit);
}

void IoLoop::CloseIdle(Clock::time_point now) {
  if (accepts_ && accept_paused_ && !stopping()) ResumeAccepting();
  const auto limit = server_.options_.keep_alive_timeout;
  const auto head_limit = server_.options_.head_timeout;
  const auto body_limit = server_.options_.body_timeout;
  for (auto it = conns_.begin(); it != conns_.end();) {
    Connection* c = it->first;
    ++it;
    if (c->busy) continue;
    if (c->discard_left > 0) {
      if (now - c->body_since >= body_limit) Close(c);
    } else if (c->reading_body) {
      // A body on its way answers to its own deadline, however often its bytes arrive.
      if (now - c->body_since < body_limit) continue;
      Refuse(c->fd(), Refusal::kBodyTimeout, RefusalReason::kBodyTimeout);
      Close(c);
    } else if (c->reading_head && now - c->head_since >= head_limit) {
      // Part of a head: tell the client why; nothing yet: just close.
      if (c->has_input()) Refuse(c->fd(), Refusal::kHeadTimeout, RefusalReason::kHeadTimeout);
      Close(c);
    } else if (now - c->last_active >= limit) {
      Close(c);
    }
  }
}

}  // namespace slipway::http
