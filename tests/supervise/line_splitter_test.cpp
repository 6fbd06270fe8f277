#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "supervise/line_splitter.h"

using devwatch::supervise::LineSplitter;

namespace {
struct Collected {
  std::vector<std::pair<std::string, bool>> lines;
  LineSplitter splitter(size_t max_line = 8192) {
    return LineSplitter([this](std::string_view text, bool cut) { lines.emplace_back(std::string(text), cut); },
                        max_line);
  }
};
}  // namespace

TEST_CASE("LF, CRLF and lone CR end lines, also across chunk boundaries", "[line_splitter]") {
  Collected c;
  auto s = c.splitter();
  s.feed("one\ntwo\r");
  s.feed("\nthree\rfour");
  s.feed("\r\n\n");
  REQUIRE(c.lines.size() == 5);
  CHECK(c.lines[0].first == "one");
  CHECK(c.lines[1].first == "two");
  CHECK(c.lines[2].first == "three");
  CHECK(c.lines[3].first == "four");
  CHECK(c.lines[4].first.empty());
  for (const auto& line : c.lines) CHECK_FALSE(line.second);
}

TEST_CASE("a line without newline is cut into bounded chunks", "[line_splitter]") {
  Collected c;
  auto s = c.splitter(8);
  s.feed(std::string(20, 'x'));
  CHECK(s.pending_bytes() <= 8);
  s.feed("yy\n");
  REQUIRE(c.lines.size() == 3);
  CHECK(c.lines[0] == std::make_pair(std::string(8, 'x'), true));
  CHECK(c.lines[1] == std::make_pair(std::string(8, 'x'), true));
  CHECK(c.lines[2] == std::make_pair(std::string("xxxxyy"), false));
}

TEST_CASE("a line of exactly the maximum length is not cut", "[line_splitter]") {
  Collected c;
  auto s = c.splitter(4);
  s.feed("abcd");
  s.feed("\nef");
  s.flush();
  REQUIRE(c.lines.size() == 2);
  CHECK(c.lines[0] == std::make_pair(std::string("abcd"), false));
  CHECK(c.lines[1] == std::make_pair(std::string("ef"), false));
}
