// http/request_body.h: how many bytes a request takes on the wire, head and body, judged on
// the bytes the event loop buffered before any thread parses it.
//
// The loops (io_server.h) read a request's body themselves and hand the request to a pool
// thread only once all of it is here, so that no pool thread ever waits for a client's bytes
// (a body trickled a byte every few seconds would otherwise hold one for as long as the client
// likes). The framing is what Poco would read: Content-Length, or Transfer-Encoding: chunked
// (sizes, extensions and trailers scanned in one pass); neither means no body. Anything
// ambiguous (both, two different lengths, another transfer coding, a malformed chunk) is
// kMalformed: answered 400 on the loop, never guessed at. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace slipway::http {

struct RequestExtent {
  enum class State {
    kComplete,    // `size` bytes (head + body) are the whole request
    kIncomplete,  // more body bytes are on their way
    kTooLarge,    // the body is (or is declared) longer than max_body
    kMalformed,   // framing that cannot be trusted: answer 400
  };
  State state = State::kMalformed;
  size_t size = 0;        // kComplete: the request's bytes, head included
  size_t wire_limit = 0;  // kIncomplete: the most bytes the whole request may still take
  bool expect_continue = false;  // the head asks for "100 Continue" before the body
};

// Where a scan of a chunked body stopped, so that the next look at a growing body goes on
// from there instead of reading it all again. Belongs to one request; starts zeroed.
struct ChunkCursor {
  size_t pos = 0;       // from the body's start: the first chunk (or trailer line) not yet seen
  uint64_t total = 0;   // body bytes in the chunks before pos
  bool trailers = false;  // the last chunk was seen
};

// `data` starts at a request whose head is whole (ClassifyRequest said kInline or kPool) and
// may hold more than that request. A chunked body's framing may take at most twice max_body
// on the wire besides the body (beyond that: kTooLarge). `cursor` (may be null) carries a
// chunked scan from one call to the next for the same request and the same `data` start.
RequestExtent MeasureRequest(std::string_view data, size_t max_body,
                             ChunkCursor* cursor = nullptr);

}  // namespace slipway::http
