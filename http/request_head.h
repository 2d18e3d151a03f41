// http/request_head.h: a first look at the bytes of a request before anything parses it:
// is its head all here, and may it be answered on the event loop's own thread?
//
// "Inline" requests answer from memory or one quick store read and never wait: a GET of a
// route marked quick in the route table (router.h), without a body and without `wait=`. All
// others (writes, long polls, streams, lists, histories, anything unusual) go to the worker
// pool, where blocking is fine. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace slipway::http {

enum class RequestKind {
  kNone,        // nothing buffered
  kIncomplete,  // the head has not all arrived yet: wait for more bytes
  kInline,      // serve on the loop thread
  kPool,        // serve on a pool thread (and let Poco judge anything malformed)
  kTooLarge,    // the head is longer than max_head: answer 431 on the loop and close
};

// `data` starts at the first byte of a request. A head is handed on (kInline, kPool) only
// once it is all here; one longer than `max_head` bytes, complete or not, is kTooLarge.
RequestKind ClassifyRequest(std::string_view data, size_t max_head);

// One past the blank line that ends the head starting at data[0] (bare LF line ends count
// too), or std::string_view::npos when it has not all arrived.
size_t RequestHeadEnd(std::string_view data);

}  // namespace slipway::http
