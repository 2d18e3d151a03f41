// http/request_head_test.cc: which requests the event loop answers itself, which go to the
// pool, and when it waits for more bytes.
#include "http/request_head.h"

#include <gtest/gtest.h>

#include <string>

namespace slipway::http {
namespace {

constexpr size_t kMax = 16 * 1024;

RequestKind Of(const std::string& bytes) { return ClassifyRequest(bytes, kMax); }

std::string Get(const std::string& target, const std::string& headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n";
}

TEST(RequestHeadTest, NothingAndPartialHeadsWait) {
  EXPECT_EQ(Of(""), RequestKind::kNone);
  EXPECT_EQ(Of("GET /healthz HTTP/1.1\r\nHo"), RequestKind::kIncomplete);
  EXPECT_EQ(Of("GET /healthz HTTP/1.1\r\n"), RequestKind::kIncomplete);
}

TEST(RequestHeadTest, StatusPollsAndOtherQuickGetsAreServedInline) {
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1")), RequestKind::kInline);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1", "If-None-Match: \"3\"\r\n")), RequestKind::kInline);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1", "Content-Length: 0\r\n")), RequestKind::kInline);
  EXPECT_EQ(Of(Get("/healthz")), RequestKind::kInline);
  EXPECT_EQ(Of(Get("/v1/openapi.json")), RequestKind::kInline);
  EXPECT_EQ(Of("GET /healthz HTTP/1.1\nHost: x\n\n"), RequestKind::kInline);  // bare LFs
  // Answered with an error at once: nothing to wait for.
  EXPECT_EQ(Of(Get("/no/such/thing")), RequestKind::kInline);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1?waiting=1")), RequestKind::kInline);
}

TEST(RequestHeadTest, WhatMayWaitOrReadABodyGoesToThePool) {
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1?wait=30")), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1?a=1&wait=30")), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1/stream")), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1/history")), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/v1/workflows?status=failed")), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/metrics")), RequestKind::kPool);
  EXPECT_EQ(Of("POST /v1/workflows HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1", "Content-Length: 5\r\n")), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1", "transfer-encoding: chunked\r\n")), RequestKind::kPool);
  EXPECT_EQ(Of(Get("/v1/workflows/wf_1", "Expect: 100-continue\r\n")), RequestKind::kPool);
}

TEST(RequestHeadTest, MalformedHeadsGoToThePoolWherePocoRejectsThem) {
  EXPECT_EQ(Of("NONSENSE\r\n\r\n"), RequestKind::kPool);
  EXPECT_EQ(Of("GET\r\n\r\n"), RequestKind::kPool);
}

// An oversized head, whole or still arriving, is answered on the loop (431): it never takes a
// pool thread, where reading the rest of it would block.
TEST(RequestHeadTest, OversizedHeadsAreTooLargeWhetherCompleteOrNot) {
  EXPECT_EQ(Of("GET /healthz HTTP/1.1\r\nX: " + std::string(kMax, 'a')), RequestKind::kTooLarge);
  EXPECT_EQ(Of(Get("/healthz", "X: " + std::string(kMax, 'a') + "\r\n")),
            RequestKind::kTooLarge);
  std::string lines = "POST /v1/workflows HTTP/1.1\r\n";
  while (lines.size() < kMax) lines += "X-Pad: 0123456789\r\n";
  EXPECT_EQ(Of(lines), RequestKind::kTooLarge);
}

}  // namespace
}  // namespace slipway::http
