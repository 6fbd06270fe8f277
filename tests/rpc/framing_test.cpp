#include "rpc/framing.h"

#include <catch2/catch.hpp>

using devwatch::rpc::FrameErrorKind;
using devwatch::rpc::FrameEvent;
using devwatch::rpc::FrameLimits;
using devwatch::rpc::FrameReader;

namespace {

std::string framed(const std::string& body) {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::vector<FrameEvent> feed_all(FrameReader& reader, const std::string& bytes, std::size_t piece = 0) {
  std::vector<FrameEvent> out;
  if (piece == 0) piece = bytes.size();
  for (std::size_t i = 0; i < bytes.size(); i += piece) {
    reader.feed(std::string_view(bytes).substr(i, piece), out);
  }
  return out;
}

std::vector<std::string> bodies(const std::vector<FrameEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (!e.is_error) out.push_back(e.body);
  }
  return out;
}

std::vector<FrameErrorKind> errors(const std::vector<FrameEvent>& events) {
  std::vector<FrameErrorKind> out;
  for (const auto& e : events) {
    if (e.is_error) out.push_back(e.error);
  }
  return out;
}

}  // namespace

TEST_CASE("a whole message in one read") {
  FrameReader reader;
  auto events = feed_all(reader, framed(R"({"a":1})"));
  REQUIRE(bodies(events) == std::vector<std::string>{R"({"a":1})"});
  REQUIRE(errors(events).empty());
  REQUIRE_FALSE(reader.mid_message());
}

TEST_CASE("every split point of a stream of three messages gives the same bodies") {
  std::string stream = framed("first") + framed(R"({"x":"é"})") + framed("third message");
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    FrameReader reader;
    auto events = feed_all(reader, stream, piece);
    INFO("piece size " << piece);
    REQUIRE(bodies(events) == std::vector<std::string>{"first", R"({"x":"é"})", "third message"});
    REQUIRE(errors(events).empty());
  }
}

TEST_CASE("Content-Length counts bytes, not characters") {
  FrameReader reader;
  std::string body = "\"\xC3\xA9\xE2\x82\xAC\"";  // two multi-byte characters
  auto events = feed_all(reader, framed(body) + framed("next"));
  REQUIRE(bodies(events) == std::vector<std::string>{body, "next"});
}

TEST_CASE("Content-Type and unknown headers are ignored; header names are case-insensitive") {
  FrameReader reader;
  auto events = feed_all(reader,
                         "content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
                         "X-Other: y\r\n\r\n{}");
  REQUIRE(bodies(events) == std::vector<std::string>{"{}"});
  REQUIRE(errors(events).empty());
}

TEST_CASE("bare LF line endings are tolerated") {
  FrameReader reader;
  auto events = feed_all(reader, "Content-Length: 2\n\n{}");
  REQUIRE(bodies(events) == std::vector<std::string>{"{}"});
}

TEST_CASE("stray blank lines between messages are skipped silently") {
  FrameReader reader;
  auto events = feed_all(reader, framed("a") + "\r\n\r\n" + framed("b"));
  REQUIRE(bodies(events) == std::vector<std::string>{"a", "b"});
  REQUIRE(errors(events).empty());
}

TEST_CASE("junk lines are reported once per run and the next message is read") {
  FrameReader reader;
  auto events = feed_all(reader, "hello world\r\nmore junk\r\n" + framed("ok"));
  REQUIRE(errors(events) == std::vector<FrameErrorKind>{FrameErrorKind::JunkLine});
  REQUIRE(bodies(events) == std::vector<std::string>{"ok"});
}

TEST_CASE("junk glued to the front of a header still resynchronises on it") {
  FrameReader reader;
  auto events = feed_all(reader, "garbage{]Content-Length: 2\r\n\r\n{}" + framed("x"));
  REQUIRE(errors(events) == std::vector<FrameErrorKind>{FrameErrorKind::JunkLine});
  REQUIRE(bodies(events) == std::vector<std::string>{"{}", "x"});
}

TEST_CASE("a header block without Content-Length is reported") {
  FrameReader reader;
  auto events = feed_all(reader, std::string("Content-Type: x\r\n\r\n") + framed("after"));
  REQUIRE(errors(events) == std::vector<FrameErrorKind>{FrameErrorKind::MissingLength});
  REQUIRE(bodies(events) == std::vector<std::string>{"after"});
}

TEST_CASE("non-numeric, negative and overflowing lengths are reported") {
  for (std::string value : {"abc", "-5", "12x", "", "99999999999999999999999999"}) {
    FrameReader reader;
    auto events = feed_all(reader, "Content-Length: " + value + "\r\n\r\n" + framed("after"));
    INFO("value '" << value << "'");
    REQUIRE(errors(events) == std::vector<FrameErrorKind>{FrameErrorKind::BadLength});
    REQUIRE(bodies(events) == std::vector<std::string>{"after"});
  }
}

TEST_CASE("conflicting Content-Length headers are reported") {
  FrameReader reader;
  auto events = feed_all(reader, "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}" + framed("z"));
  REQUIRE(errors(events).front() == FrameErrorKind::BadLength);
  REQUIRE(bodies(events).back() == "z");
}

TEST_CASE("a header line over the limit is reported and skipped") {
  FrameLimits limits;
  limits.max_header_line = 64;
  FrameReader reader(limits);
  std::string long_line = "X-Long: " + std::string(500, 'a') + "\r\n";
  auto events = feed_all(reader, long_line + "Content-Length: 2\r\n\r\n{}" + framed("next"), 7);
  REQUIRE(errors(events) == std::vector<FrameErrorKind>{FrameErrorKind::HeaderTooLong});
  // The block's own body is skipped quietly to stay in sync; the next is read.
  REQUIRE(bodies(events) == std::vector<std::string>{"next"});
}

TEST_CASE("a body over the limit is skipped without being stored, and its id is sniffed") {
  FrameLimits limits;
  limits.max_content_length = 100;
  FrameReader reader(limits);
  std::string big = R"({"jsonrpc":"2.0","id":42,"method":"x","params":")" + std::string(10000, 'q') + "\"}";
  auto events = feed_all(reader, framed(big) + framed("small"), 1000);
  REQUIRE(errors(events) == std::vector<FrameErrorKind>{FrameErrorKind::TooLarge});
  const auto& error = *std::find_if(events.begin(), events.end(), [](auto& e) { return e.is_error; });
  REQUIRE(error.sniffed_id == std::optional<std::string>("42"));
  REQUIRE(error.detail.find("exceeds the limit") != std::string::npos);
  REQUIRE(bodies(events) == std::vector<std::string>{"small"});
}

TEST_CASE("string ids are sniffed; floats and missing ids are not") {
  FrameLimits limits;
  limits.max_content_length = 10;
  struct Case { std::string body; std::optional<std::string> id; };
  for (const auto& c : {Case{R"({"id":"abc","method":"m"})", "\"abc\""}, Case{R"({"id": 1.5})", std::nullopt},
                        Case{R"({"method":"no id here"})", std::nullopt}}) {
    FrameReader reader(limits);
    auto events = feed_all(reader, framed(c.body));
    REQUIRE(events.size() == 1);
    REQUIRE(events[0].sniffed_id == c.id);
  }
}

TEST_CASE("an announced huge length allocates nothing up front") {
  FrameReader reader;  // default limit: 64 MiB
  std::vector<FrameEvent> out;
  reader.feed("Content-Length: 104857600\r\n\r\n{\"id\":7,", out);
  REQUIRE(out.empty());
  REQUIRE(reader.mid_message());
  REQUIRE(reader.describe_partial().find("oversized") != std::string::npos);
}

TEST_CASE("a zero-length body is delivered as an empty message") {
  FrameReader reader;
  auto events = feed_all(reader, "Content-Length: 0\r\n\r\n" + framed("x"));
  REQUIRE(bodies(events) == std::vector<std::string>{"", "x"});
}

TEST_CASE("EOF in the middle of a body is described") {
  FrameReader reader;
  std::vector<FrameEvent> out;
  reader.feed("Content-Length: 10\r\n\r\n{\"a\"", out);
  REQUIRE(reader.mid_message());
  REQUIRE(reader.describe_partial().find("4 of 10") != std::string::npos);
}

// Found by tests/fuzz/fuzz_framing.cpp (corpus: framing/regress_header_too_long_split):
// the quoted start of an over-long header line ended in "..." or not
// depending on how the bytes were split, so one stream gave two messages.
TEST_CASE("an over-long header line is reported the same however the bytes are split") {
  for (std::size_t limit : {std::size_t{20}, std::size_t{100}, std::size_t{8192}}) {
    FrameLimits limits;
    limits.max_header_line = limit;
    // The blank line ends the bad header block, so the next message is read.
    const std::string stream = std::string(limit + 200, 'x') + "\r\n\r\n" + framed("{}");
    FrameReader whole_reader(limits);
    const auto whole = feed_all(whole_reader, stream);
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
      FrameReader reader(limits);
      const auto split = feed_all(reader, stream, piece);
      REQUIRE(split.size() == whole.size());
      for (std::size_t i = 0; i < whole.size(); ++i) {
        CHECK(split[i].is_error == whole[i].is_error);
        CHECK(split[i].detail == whole[i].detail);
        CHECK(split[i].body == whole[i].body);
      }
    }
    REQUIRE(errors(whole) == std::vector<FrameErrorKind>{FrameErrorKind::HeaderTooLong});
    REQUIRE(bodies(whole) == std::vector<std::string>{"{}"});
  }
}
