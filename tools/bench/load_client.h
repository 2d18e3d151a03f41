// tools/bench/load_client.h: a small HTTP/1.1 load generator for the benchmarks.
//
// `connections` keep-alive TCP connections to host:port, driven by `threads` threads with
// epoll (connections are split evenly between them). Each connection has exactly one request
// in flight: it sends a GET for the path `next_path` picks, reads the whole response (status
// line, headers, a Content-Length body), records the latency, and sends the next one, until
// `end`. Much cheaper per request than one blocking client thread per connection, so that on
// a small machine the server, not the load generator, gets most of the CPU.
//
// Limits (it only has to talk to our own server): responses must carry Content-Length (no
// chunked bodies); a response with "Connection: close" or a dropped connection reconnects.
// Not a library: no tests of its own; bench-http prints what it measures.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace slipway::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int connections = 64;
  int threads = 1;
  std::chrono::steady_clock::time_point end;
  // Extra request header lines, each ending in "\r\n" (e.g. "Authorization: Bearer x\r\n").
  std::string headers;
};

struct LoadResult {
  std::vector<double> latency_ms;  // one per complete response, unsorted
  std::map<int, int64_t> codes;    // HTTP status -> responses
  int64_t errors = 0;              // connect failures, resets, unparsable responses
  int64_t reconnects = 0;
  double cpu_seconds = 0;          // CPU time of the load threads themselves
};

// The path of the next request ("/v1/workflows/..."); called on the load threads, each with
// its own generator, so it must be thread-safe.
using PathPicker = std::function<std::string(std::mt19937_64& rng)>;

// Runs until `end`, then returns the merged results of all threads.
LoadResult RunLoad(const LoadOptions& options, const PathPicker& next_path);

}  // namespace slipway::bench
