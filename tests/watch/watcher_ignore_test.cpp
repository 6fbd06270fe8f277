// Watcher::set_root_ignore on real directories with real inotify: a
// devwatch.json edit that adds an exclude takes effect while running (the
// subtree's watches are released and it leaves the snapshot silently), and
// removing it brings the folder back without reporting its files as new.
#include "watch/watcher.h"

#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;
using CT = ChangeType;

namespace {

devwatch::paths::IgnoreOptions excluding(std::initializer_list<std::string> globs) {
  devwatch::paths::IgnoreOptions o;
  o.excludes = globs;
  return o;
}

}  // namespace

TEST_CASE("an exclude added while running stops events and releases its watches", "[watcher][ignore]") {
  Harness h("inotify");
  make_dir(h.at("src"));
  make_dir(h.at("gen"));
  make_dir(h.at("gen/a"));
  make_dir(h.at("gen/a/b"));
  write_file(h.at("gen/a/old.txt"), "old");
  h.start();
  REQUIRE(h.watcher->status().watched_dirs == 5);

  REQUIRE(h.watcher->set_root_ignore(h.root(), excluding({"gen"})).ok());
  CHECK(h.watcher->status().watched_dirs == 2);  // root and src: at once, not after a scan
  CHECK(h.take().empty());                       // leaving the snapshot is not a deletion

  write_file(h.at("gen/new.txt"), "n");
  append_file(h.at("gen/a/old.txt"), "+");
  make_dir(h.at("gen/a/c"));
  write_file(h.at("src/main.py"), "m");
  CHECK(h.take() == created({h.at("src/main.py")}));
  CHECK(h.watcher->status().watched_dirs == 2);
  CHECK(h.problems.empty());
}

TEST_CASE("an exclude removed while running brings the folder back without creates", "[watcher][ignore]") {
  Harness h("inotify", [] {
    WatcherOptions o;
    o.ignore = excluding({"gen"});
    return o;
  }());
  make_dir(h.at("gen"));
  make_dir(h.at("gen/a"));
  write_file(h.at("gen/a/old.txt"), "old");
  write_file(h.at("gen/top.txt"), "top");
  h.start();
  REQUIRE(h.watcher->status().watched_dirs == 1);
  write_file(h.at("gen/ignored.txt"), "i");
  CHECK(h.take().empty());

  REQUIRE(h.watcher->set_root_ignore(h.root(), {}).ok());
  CHECK(h.take().empty());  // what was there before is not new
  CHECK(h.watcher->status().watched_dirs == 3);

  write_file(h.at("gen/a/new.txt"), "n");
  append_file(h.at("gen/a/old.txt"), "+");
  unlink_path(h.at("gen/top.txt"));
  CHECK(h.take() == ChangeSet{{h.at("gen/a/new.txt"), CT::Created},
                              {h.at("gen/a/old.txt"), CT::Changed},
                              {h.at("gen/top.txt"), CT::Deleted}});

  // And back again: the round trip leaves nothing behind.
  REQUIRE(h.watcher->set_root_ignore(h.root(), excluding({"gen"})).ok());
  CHECK(h.watcher->status().watched_dirs == 1);
  write_file(h.at("gen/a/later.txt"), "l");
  CHECK(h.take().empty());
}

TEST_CASE("an exclude that frees watches lets the budget cover the rest", "[watcher][ignore][budget]") {
  WatcherOptions o;
  o.watch_limit_override = 3;
  Harness h("inotify", o);
  make_dir(h.at("big"));
  for (int i = 0; i < 4; ++i) make_dir(h.at("big/d" + std::to_string(i)));
  make_dir(h.at("src"));
  make_dir(h.at("src/app"));
  h.start();
  REQUIRE(h.count_problems("budget") == 1);
  REQUIRE_FALSE(h.watcher->status().unwatched.empty());

  REQUIRE(h.watcher->set_root_ignore(h.root(), excluding({"big"})).ok());
  h.sync();
  WatcherStatus s = h.watcher->status();
  CHECK(s.unwatched.empty());
  CHECK(s.watched_dirs == 3);  // root, src, src/app
  write_file(h.at("src/app/f.txt"), "f");
  CHECK(h.take() == created({h.at("src/app/f.txt")}));
}

TEST_CASE("set_root_ignore refuses an unknown root and a bad glob", "[watcher][ignore]") {
  Harness h("inotify");
  h.start();
  CHECK(h.watcher->set_root_ignore(h.at("nope"), {}).error().code == devwatch::ErrorCode::NotFound);
  CHECK(h.watcher->set_root_ignore(h.root(), excluding({""})).error().code ==
        devwatch::ErrorCode::InvalidParams);
  write_file(h.at("x.txt"), "x");  // the old rules stay in force
  CHECK(h.take() == created({h.at("x.txt")}));
}

TEST_CASE("an exclude added during the first crawl: the crawl still ends", "[watcher][ignore]") {
  WatcherOptions o;
  o.dirs_per_step = 1;
  Harness h("inotify", o);
  make_dir(h.at("gen"));
  for (int i = 0; i < 5; ++i) make_dir(h.at("gen/d" + std::to_string(i)));
  make_dir(h.at("src"));
  REQUIRE(h.watcher->add_root(h.root()).ok());
  h.io.run_one();  // one step: the root is listed, gen and src are queued
  REQUIRE_FALSE(h.ready);
  REQUIRE(h.watcher->set_root_ignore(h.root(), excluding({"gen"})).ok());
  REQUIRE(h.run_until([&] { return h.ready; }));  // gen's queued scan is counted though gen is gone
  CHECK(h.watcher->status().watched_dirs == 2);
  write_file(h.at("gen/x.txt"), "x");
  write_file(h.at("src/y.txt"), "y");
  CHECK(h.take() == created({h.at("src/y.txt")}));
}
