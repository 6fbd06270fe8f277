#include <catch2/catch.hpp>

#include "proxy/chunked.h"

using namespace devwatch::proxy;

namespace {

// Feeds `body` in pieces of `piece` bytes the way a connection does: bytes
// not consumed stay in the buffer and come again with the next piece.
struct Fed {
  std::string forwarded;
  std::optional<std::size_t> last_chunk_at;  // offset in `forwarded`
  bool done = false;
};
Fed feed_in_pieces(const std::string& body, std::size_t piece) {
  ChunkedTracker tracker;
  Fed out;
  std::string buffer;
  for (std::size_t pos = 0; pos < body.size() && !tracker.done(); pos += piece) {
    buffer += body.substr(pos, piece);
    auto step = tracker.feed(buffer);
    if (step.last_chunk_at) out.last_chunk_at = out.forwarded.size() + *step.last_chunk_at;
    out.forwarded += buffer.substr(0, step.consumed);
    buffer.erase(0, step.consumed);
  }
  out.done = tracker.done();
  return out;
}

}  // namespace

TEST_CASE("a chunked body is delimited at every split point, and its last chunk is found") {
  const std::string body = "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n";
  for (std::size_t piece = 1; piece <= body.size(); ++piece) {
    auto fed = feed_in_pieces(body + "NEXT", piece);
    INFO("piece " << piece);
    CHECK(fed.done);
    CHECK(fed.forwarded == body);
    REQUIRE(fed.last_chunk_at);
    CHECK(body.substr(*fed.last_chunk_at, 3) == "0\r\n");
  }
}

TEST_CASE("broken chunk framing is an error, not a guess") {
  ChunkedTracker bad_size;
  bad_size.feed("zz\r\n");
  CHECK_FALSE(bad_size.error().empty());
  ChunkedTracker no_crlf;
  no_crlf.feed("3\r\nabcX\r\n");
  CHECK_FALSE(no_crlf.error().empty());
  ChunkedTracker long_line;
  long_line.feed(std::string(5000, '1'));
  CHECK_FALSE(long_line.error().empty());
}

TEST_CASE("encode_chunk writes hex size, data, CRLF") {
  CHECK(encode_chunk("hello world, hi!") == "10\r\nhello world, hi!\r\n");
}
