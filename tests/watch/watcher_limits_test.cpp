// The Watcher at its limits: a real inotify queue overflow, a watch budget
// smaller than the tree (test hook: watch_limit_override) and backend choice.
#include "watch/watcher.h"

#include <fcntl.h>

#include "watch/backend_factory.h"
#include "watch/budget.h"
#include "session/watcher_status.h"
#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;
using CT = ChangeType;

TEST_CASE("a real queue overflow is resynced: exactly the created files, marked", "[watcher][overflow]") {
  Harness h("inotify");
  write_file(h.at("existing.txt"), "e");
  h.start();
  const std::size_t queue = read_budget_limits().max_queued_events;
  REQUIRE(queue > 0);
  const std::size_t n = queue + 1000;  // at least one event per file: more than the queue holds
  h.watcher->pause_draining_for_test();
  std::set<std::string> expected;
  for (std::size_t i = 0; i < n; ++i) {
    std::string p = h.at("burst-" + std::to_string(i));
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    ::close(fd);
    expected.insert(p);
  }
  h.watcher->resume_draining_for_test();
  auto created = [&] {
    std::map<std::string, int> m;
    for (auto& c : h.raw)
      if (c.type == CT::Created) ++m[c.path];
    return m;
  };
  REQUIRE(h.run_until([&] { return created().size() >= expected.size(); }, std::chrono::seconds(60)));
  h.sync();
  auto got = created();
  std::set<std::string> paths;
  std::size_t twice = 0;
  for (auto& [p, k] : got) {
    paths.insert(p);
    twice += k > 1;
  }
  CHECK(twice == 0);
  CHECK(paths == expected);
  CHECK(h.raw.size() == expected.size());  // nothing else: no change, no delete
  REQUIRE_FALSE(h.resync_reasons.empty());
  CHECK(h.resync_reasons.front().find("overflow") != std::string::npos);
  CHECK(h.resync_paths.size() == expected.size());
  CHECK(h.watcher->status().resync_count == 1);
  CHECK(h.count_problems("resync") == 1);
  CHECK(devwatch::session::to_json(h.watcher->status())["resyncs"] == 1);
}

TEST_CASE("a watch budget smaller than the tree is reported, the rest watched", "[watcher][budget]") {
  WatcherOptions o;
  o.watch_limit_override = 4;
  Harness h("inotify", o);
  // root + big(1 + 6) + small(1) = 9 directories; 4 watches fit.
  make_dir(h.at("big"));
  for (int i = 0; i < 6; ++i) make_dir(h.at("big/d" + std::to_string(i)));
  make_dir(h.at("small"));
  h.start();
  REQUIRE(h.count_problems("budget") == 1);
  const Problem* p = nullptr;
  for (auto& pr : h.problems)
    if (pr.kind == "budget") p = &pr;
  INFO(p->message << "\n" << p->fix);
  CHECK(p->message.find("needed 9") != std::string::npos);
  CHECK(p->message.find("available 4") != std::string::npos);
  CHECK(p->message.find("watching 4") != std::string::npos);
  CHECK(p->fix.find("sudo sysctl fs.inotify.max_user_watches=524288") != std::string::npos);
  CHECK(p->fix.find("/etc/sysctl.d/") != std::string::npos);
  CHECK(p->fix.find("big (7 folders)") != std::string::npos);
  for (auto& pr : h.problems) CHECK(pr.message.find("No space left") == std::string::npos);
  WatcherStatus s = h.watcher->status();
  CHECK(s.watched_dirs == 4);
  CHECK(s.budget_limit == 4);
  CHECK(s.unwatched.size() == 5);
  auto j = devwatch::session::to_json(h.watcher->status());
  CHECK(j["budget"]["used"] == 4);
  CHECK(j["unwatched"].size() == 5);
  // What fits is still watched.
  write_file(h.at("top.txt"), "t");
  CHECK(h.take() == ChangeSet{{h.at("top.txt"), CT::Created}});
}

TEST_CASE("unwatched folders are polled when configured", "[watcher][budget]") {
  WatcherOptions o;
  o.watch_limit_override = 1;
  o.poll_unwatched = true;
  o.poll_interval_ms = 20;
  Harness h("inotify", o);
  make_dir(h.at("deep"));
  h.start();
  REQUIRE(h.count_problems("budget") == 1);
  write_file(h.at("deep/f.txt"), "f");
  auto seen = [&] {
    for (auto& c : h.raw)
      if (c.path == h.at("deep/f.txt") && c.type == CT::Created) return true;
    return false;
  };
  CHECK(h.run_until(seen));
}

TEST_CASE("the factory says which backend and why", "[backend]") {
  asio::io_context io;
  WatcherOptions o;
  auto a = make_backend(io, o);
  CHECK(a.backend->name() == "inotify");
  CHECK(a.reason == "inotify: native kernel events");
  CHECK_FALSE(a.problem);
  o.backend = "poll";
  auto p = make_backend(io, o);
  CHECK(p.backend->name() == "poll");
  CHECK(p.reason.find("configured by watch.backend=poll") != std::string::npos);
}

TEST_CASE("add_root rejects what it cannot watch", "[watcher]") {
  Harness h("inotify");
  CHECK(h.watcher->add_root("relative/path").error().code == devwatch::ErrorCode::InvalidParams);
  CHECK(h.watcher->add_root(h.at("missing")).error().code == devwatch::ErrorCode::NotFound);
}
