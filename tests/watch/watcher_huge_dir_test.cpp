// A folder with thousands of entries is processed over several crawl steps
// (entries_per_step), with events handled in between: nothing created,
// deleted or renamed meanwhile may be lost, invented or left as a ghost.
#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;

namespace {

constexpr int kEntries = 3000;

WatcherOptions small_steps() {
  WatcherOptions o;
  o.entries_per_step = 100;
  return o;
}

void fill(const std::string& dir) {
  make_dir(dir);
  for (int i = 0; i < kEntries; ++i) write_file(dir + "/e" + std::to_string(i), "");
}

}  // namespace

TEST_CASE("a huge folder is crawled over several steps", "[watch][crawl]") {
  Harness h("inotify", small_steps());
  fill(h.at("big"));
  REQUIRE(h.watcher->add_root(h.root()).ok());
  // The old crawl listed and processed a folder in one step: three
  // handlers (root, big, done) ended it. At 100 entries a step it takes 30.
  int handlers = 0;
  while (!h.ready && handlers < 10) handlers += static_cast<int>(h.io.run_one());
  CHECK_FALSE(h.ready);
  CHECK(h.watcher->status().crawling);
  REQUIRE(h.run_until([&] { return h.ready; }));
  CHECK(h.watcher->status().watched_dirs == 2);
  CHECK(h.problems.empty());
}

TEST_CASE("changes between the steps of a huge folder's scan are neither lost nor invented", "[watch][crawl]") {
  Harness h("inotify", small_steps());
  fill(h.at("big"));
  REQUIRE(h.watcher->add_root(h.root()).ok());
  // big/ is listed (and watched) once it has a watch; its entries are then
  // processed 100 per step, so these changes land between its steps.
  REQUIRE(h.run_until([&] { return h.watcher->status().watched_dirs == 2; }));
  REQUIRE_FALSE(h.ready);
  write_file(h.at("big/new.txt"), "n");
  unlink_path(h.at("big/e2999"));
  rename_path(h.at("big/e1500"), h.at("big/e1500b"));
  REQUIRE(h.run_until([&] { return h.ready; }));
  ChangeSet first = h.take();
  CHECK(first.count({h.at("big/new.txt"), ChangeType::Created}) == 1);
  CHECK(first.count({h.at("big/new.txt"), ChangeType::Deleted}) == 0);
  CHECK(first.count({h.at("big/e1500b"), ChangeType::Created}) == 1);
  for (const auto& [path, type] : first) {
    if (type != ChangeType::Deleted) continue;
    // Only what was really deleted may be reported so.
    CHECK((path == h.at("big/e2999") || path == h.at("big/e1500")));
  }

  // The snapshot matches the disk: a file that came in between is known
  // (a write is a change), the deleted ones left no ghost (re-creating them
  // is a creation, not a change of a file thought to exist).
  append_file(h.at("big/new.txt"), "more");
  write_file(h.at("big/e2999"), "back");
  write_file(h.at("big/e1500"), "back");
  ChangeSet second = h.take();
  CHECK(second.count({h.at("big/new.txt"), ChangeType::Changed}) == 1);
  CHECK(second.count({h.at("big/e2999"), ChangeType::Created}) == 1);
  CHECK(second.count({h.at("big/e1500"), ChangeType::Created}) == 1);
}

TEST_CASE("a huge folder removed during its scan ends the crawl cleanly", "[watch][crawl]") {
  Harness h("inotify", small_steps());
  fill(h.at("big"));
  REQUIRE(h.watcher->add_root(h.root()).ok());
  REQUIRE(h.run_until([&] { return h.watcher->status().watched_dirs == 2; }));
  REQUIRE_FALSE(h.ready);
  std::error_code ec;
  fs::remove_all(h.at("big"), ec);
  REQUIRE_FALSE(ec);
  REQUIRE(h.run_until([&] { return h.ready; }));
  h.sync();
  CHECK(h.watcher->status().watched_dirs == 1);
  write_file(h.at("after.txt"), "x");
  CHECK(h.take().count({h.at("after.txt"), ChangeType::Created}) == 1);
}
