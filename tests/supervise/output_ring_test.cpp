#include <catch2/catch.hpp>

#include "supervise/output_ring.h"

using namespace devwatch::supervise;

TEST_CASE("sequence numbers start at 1 and the backlog starts where asked", "[output_ring]") {
  OutputRing ring(10);
  for (int i = 1; i <= 5; ++i) CHECK(ring.push(Stream::Stdout, "line" + std::to_string(i)).seq == static_cast<uint64_t>(i));
  auto backlog = ring.lines_from(3);
  REQUIRE(backlog.lines.size() == 3);
  CHECK(backlog.lines.front().text == "line3");
  CHECK(backlog.lines.back().seq == 5);
  CHECK(backlog.dropped == 0);
  CHECK(backlog.next_seq == 6);
  CHECK(ring.lines_from(6).lines.empty());
  CHECK(ring.lines_from(0).lines.size() == 5);
}

TEST_CASE("the ring keeps the last N lines and reports what a late reader missed", "[output_ring]") {
  OutputRing ring(3);
  for (int i = 1; i <= 10; ++i) ring.push(i % 2 ? Stream::Stdout : Stream::Stderr, std::to_string(i));
  CHECK(ring.size() == 3);
  CHECK(ring.evicted() == 7);
  auto backlog = ring.lines_from(2);
  CHECK(backlog.dropped == 6);  // 2..7 are gone
  REQUIRE(backlog.lines.size() == 3);
  CHECK(backlog.lines.front().text == "8");
  CHECK(backlog.lines.front().stream == Stream::Stderr);
  auto last = ring.last(2);
  REQUIRE(last.size() == 2);
  CHECK(last[0].text == "9");
  CHECK(last[1].text == "10");
  ring.set_capacity(1);
  CHECK(ring.size() == 1);
}
