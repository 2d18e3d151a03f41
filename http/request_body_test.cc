// http/request_body_test.cc: MeasureRequest: how much of a request (head and body) is here,
// for Content-Length and chunked bodies, and the framings refused outright.
#include "http/request_body.h"

#include <gtest/gtest.h>

#include <string>

namespace slipway::http {
namespace {

using State = RequestExtent::State;

const std::string kHead = "POST /v1/workflows HTTP/1.1\r\nHost: x\r\n";

RequestExtent Measure(const std::string& data, size_t max_body = 100) {
  return MeasureRequest(data, max_body);
}

TEST(RequestBodyTest, NoFramingMeansNoBody) {
  const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /next";
  const RequestExtent e = Measure(get);
  EXPECT_EQ(e.state, State::kComplete);
  EXPECT_EQ(e.size, get.find("GET /next"));
}

TEST(RequestBodyTest, ContentLengthBodyIsWholeOnlyWithAllItsBytes) {
  const std::string head = kHead + "Content-Length: 5\r\n\r\n";
  RequestExtent e = Measure(head + "abc");
  EXPECT_EQ(e.state, State::kIncomplete);
  EXPECT_EQ(e.wire_limit, head.size() + 5);
  e = Measure(head + "abcdeGET /pipelined");
  EXPECT_EQ(e.state, State::kComplete);
  EXPECT_EQ(e.size, head.size() + 5);
  EXPECT_EQ(Measure(kHead + "content-length:   0  \r\n\r\n").state, State::kComplete);
}

TEST(RequestBodyTest, DeclaredLengthOverTheLimitIsTooLargeAtOnce) {
  EXPECT_EQ(Measure(kHead + "Content-Length: 101\r\n\r\n").state, State::kTooLarge);
  EXPECT_EQ(Measure(kHead + "Content-Length: 99999999999999999\r\n\r\n").state, State::kTooLarge);
}

TEST(RequestBodyTest, AmbiguousFramingIsMalformed) {
  for (const std::string& headers :
       {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Content-Length: 5\r\nContent-Length: 6\r\n",
        "Content-Length: -1\r\n", "Content-Length: 5x\r\n", "Content-Length: \r\n",
        "Content-Length: 1234567890123456789012\r\n", "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"}) {
    EXPECT_EQ(Measure(kHead + headers + "\r\n").state, State::kMalformed) << headers;
  }
  // The same length twice is one length.
  EXPECT_EQ(Measure(kHead + "Content-Length: 1\r\nContent-Length: 1\r\n\r\nx").state,
            State::kComplete);
}

TEST(RequestBodyTest, ChunkedBodyWithExtensionsAndTrailersIsMeasuredWhole) {
  const std::string head = kHead + "Transfer-Encoding: Chunked\r\n\r\n";
  const std::string body = "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
  const RequestExtent e = Measure(head + body + "GET /next");
  EXPECT_EQ(e.state, State::kComplete);
  EXPECT_EQ(e.size, head.size() + body.size());
  // Bare LF line ends too.
  EXPECT_EQ(Measure(kHead + "Transfer-Encoding: chunked\n\n3\nabc\n0\n\n").state, State::kComplete);
}

TEST(RequestBodyTest, ChunkedScanResumesWhereItStopped) {
  const std::string head = kHead + "Transfer-Encoding: chunked\r\n\r\n";
  const std::string body = "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n";
  ChunkCursor cursor;
  for (size_t cut = 0; cut < body.size(); ++cut) {
    const RequestExtent e = MeasureRequest(head + body.substr(0, cut), 100, &cursor);
    EXPECT_EQ(e.state, State::kIncomplete) << cut;
  }
  EXPECT_GT(cursor.pos, 0u);
  const RequestExtent e = MeasureRequest(head + body, 100, &cursor);
  EXPECT_EQ(e.state, State::kComplete);
  EXPECT_EQ(e.size, head.size() + body.size());
}

TEST(RequestBodyTest, ChunkedBodyOverTheLimitOrMalformedIsRefused) {
  const std::string head = kHead + "Transfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(Measure(head + "65\r\n").state, State::kTooLarge);  // 101 bytes declared
  EXPECT_EQ(Measure(head + "ffffffffffffffffffffff\r\n").state, State::kTooLarge);
  EXPECT_EQ(Measure(head + "32\r\n" + std::string(50, 'a') + "\r\n33\r\n").state,
            State::kTooLarge);  // 50 + 51 in all
  EXPECT_EQ(Measure(head + "zz\r\n").state, State::kMalformed);
  EXPECT_EQ(Measure(head + "3\r\nabcX").state, State::kMalformed);  // no line end after data
  EXPECT_EQ(Measure(head + std::string(2000, '1')).state, State::kMalformed);  // endless size
}

TEST(RequestBodyTest, ExpectContinueIsReported) {
  EXPECT_TRUE(Measure(kHead + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n").expect_continue);
  EXPECT_FALSE(Measure(kHead + "Content-Length: 3\r\n\r\n").expect_continue);
}

}  // namespace
}  // namespace slipway::http
