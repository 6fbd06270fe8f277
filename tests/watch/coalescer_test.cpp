#include "watch/coalescer.h"

#include <catch2/catch.hpp>

using namespace devwatch::watch;
using namespace std::chrono_literals;
using TP = Coalescer::TimePoint;

namespace {

Change ch(const std::string& p, ChangeType t) { return Change{p, t, false}; }

TP t0() { return TP{} + 1000s; }

}  // namespace

TEST_CASE("coalescer merges per path", "[coalescer]") {
  Coalescer c(20ms, 200ms);
  auto t = t0();
  c.add(ch("/r/created-then-changed", ChangeType::Created), t);
  c.add(ch("/r/created-then-changed", ChangeType::Changed), t);
  c.add(ch("/r/created-then-deleted", ChangeType::Created), t);
  c.add(ch("/r/created-then-deleted", ChangeType::Deleted), t);
  c.add(ch("/r/atomic-save", ChangeType::Deleted), t);
  c.add(ch("/r/atomic-save", ChangeType::Created), t);
  c.add(ch("/r/changed-twice", ChangeType::Changed), t);
  c.add(ch("/r/changed-twice", ChangeType::Changed), t);
  c.add(ch("/r/changed-then-deleted", ChangeType::Changed), t);
  c.add(ch("/r/changed-then-deleted", ChangeType::Deleted), t);
  c.add(ch("/r/deleted-created-deleted", ChangeType::Deleted), t);
  c.add(ch("/r/deleted-created-deleted", ChangeType::Created), t);
  c.add(ch("/r/deleted-created-deleted", ChangeType::Deleted), t);
  Batch b = c.take_ready(t + 20ms);
  std::vector<Change> expected{
      ch("/r/atomic-save", ChangeType::Changed),
      ch("/r/changed-then-deleted", ChangeType::Deleted),
      ch("/r/changed-twice", ChangeType::Changed),
      ch("/r/created-then-changed", ChangeType::Created),
      ch("/r/deleted-created-deleted", ChangeType::Deleted),
  };
  CHECK(b.changes == expected);
  CHECK_FALSE(b.resync_reason);
  CHECK(c.empty());
  CHECK_FALSE(c.next_deadline());
}

TEST_CASE("coalescer settles after a quiet spell", "[coalescer]") {
  Coalescer c(20ms, 200ms);
  auto t = t0();
  c.add(ch("/r/a", ChangeType::Changed), t);
  REQUIRE(c.next_deadline() == t + 20ms);
  CHECK(c.take_ready(t + 19ms).changes.empty());
  c.add(ch("/r/b", ChangeType::Changed), t + 15ms);  // restarts the quiet spell
  CHECK(c.next_deadline() == t + 35ms);
  CHECK(c.take_ready(t + 34ms).changes.empty());
  CHECK(c.take_ready(t + 35ms).changes.size() == 2);
  CHECK(c.empty());
}

TEST_CASE("coalescer flushes a continuous stream at max latency", "[coalescer]") {
  Coalescer c(20ms, 200ms);
  auto t = t0();
  std::size_t delivered = 0;
  TP first_flush{};
  for (int i = 0; i <= 300; i += 10) {
    auto now = t + std::chrono::milliseconds(i);
    c.add(ch("/r/f" + std::to_string(i), ChangeType::Created), now);
    Batch b = c.take_ready(now);
    if (!b.changes.empty() && delivered == 0) first_flush = now;
    delivered += b.changes.size();
  }
  CHECK(first_flush == t + 200ms);
  CHECK(delivered == 21);
}

TEST_CASE("coalescer sorts batches by path and keeps the resync reason", "[coalescer]") {
  Coalescer c(0ms, 0ms);
  auto t = t0();
  Batch in;
  in.changes = {ch("/r/z", ChangeType::Created), ch("/r/a", ChangeType::Created), ch("/r/m", ChangeType::Deleted)};
  in.resync_reason = "inotify queue overflow";
  c.add(in, t);
  Batch out = c.take_ready(t);
  REQUIRE(out.changes.size() == 3);
  CHECK(out.changes[0].path == "/r/a");
  CHECK(out.changes[1].path == "/r/m");
  CHECK(out.changes[2].path == "/r/z");
  REQUIRE(out.resync_reason);
  CHECK(*out.resync_reason == "inotify queue overflow");
  c.add(ch("/r/q", ChangeType::Changed), t);
  CHECK_FALSE(c.take_ready(t).resync_reason);
}

TEST_CASE("coalescer with settle 0 delivers at once", "[coalescer]") {
  Coalescer c(0ms, 200ms);
  auto t = t0();
  c.add(ch("/r/a", ChangeType::Created), t);
  CHECK(c.take_ready(t).changes.size() == 1);
}
