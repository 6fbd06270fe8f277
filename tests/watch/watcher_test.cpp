// Behavioural suite of the Watcher on real directories, run for each backend
// where the behaviour applies (inotify and poll).
#include "watch/watcher.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/stat.h>

#include <dirent.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <thread>

#include "paths/uri.h"
#include "session/watcher_status.h"
#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;
using CT = ChangeType;

namespace {

std::string backend_param() { return GENERATE(as<std::string>{}, "inotify", "poll"); }

}  // namespace

TEST_CASE("file create, modify, rename, delete", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    h.start();
    write_file(h.at("a.txt"), "hello");
    CHECK(h.take() == ChangeSet{{h.at("a.txt"), CT::Created}});
    append_file(h.at("a.txt"), " world");
    CHECK(h.take() == ChangeSet{{h.at("a.txt"), CT::Changed}});
    rename_path(h.at("a.txt"), h.at("b.txt"));
    CHECK(h.take() == ChangeSet{{h.at("a.txt"), CT::Deleted}, {h.at("b.txt"), CT::Created}});
    unlink_path(h.at("b.txt"));
    CHECK(h.take() == ChangeSet{{h.at("b.txt"), CT::Deleted}});
    CHECK(h.problems.empty());
  }
}

TEST_CASE("same-size rewrite in place is a change", "[watcher][inotify]") {
  Harness h("inotify");
  write_file(h.at("same.txt"), "aaaa");
  h.start();
  write_file(h.at("same.txt"), "bbbb");  // coarse mtime, same size: only the event tells
  CHECK(h.take() == ChangeSet{{h.at("same.txt"), CT::Changed}});
}

TEST_CASE("atomic save as vim does it", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    write_file(h.at("f.txt"), "one");
    h.start();
    // vim: probe that the directory is writable, keep a swap file, move the
    // original to a backup, write the new file, drop the backup.
    write_file(h.at("4913"), "");
    unlink_path(h.at("4913"));
    write_file(h.at(".f.txt.swp"), "swap");
    rename_path(h.at("f.txt"), h.at("f.txt~"));
    write_file(h.at("f.txt"), "two!");
    unlink_path(h.at("f.txt~"));
    unlink_path(h.at(".f.txt.swp"));
    CHECK(h.take() == ChangeSet{{h.at("f.txt"), CT::Changed}});
    // And the write-a-new-file-then-rename-over variant.
    write_file(h.at("f.txt.tmp"), "three");
    rename_path(h.at("f.txt.tmp"), h.at("f.txt"));
    CHECK(h.take() == ChangeSet{{h.at("f.txt"), CT::Changed}});
  }
}

TEST_CASE("atomic save as VS Code does it", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    write_file(h.at("main.ts"), "let a = 1;");
    h.start();
    // files.saveAtomically / remote: write <name>.vsctmp, rename it over.
    write_file(h.at("main.ts.vsctmp"), "let a = 22;");
    rename_path(h.at("main.ts.vsctmp"), h.at("main.ts"));
    CHECK(h.take() == ChangeSet{{h.at("main.ts"), CT::Changed}});
    // Default save: truncate and write in place.
    write_file(h.at("main.ts"), "let a = 333;");
    CHECK(h.take() == ChangeSet{{h.at("main.ts"), CT::Changed}});
  }
}

TEST_CASE("directory rename, then a change inside it", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    make_dir(h.at("d"));
    make_dir(h.at("d/sub"));
    write_file(h.at("d/sub/f.txt"), "x");
    h.start();
    rename_path(h.at("d"), h.at("e"));
    CHECK(h.take() == ChangeSet{{h.at("d"), CT::Deleted},
                                {h.at("d/sub"), CT::Deleted},
                                {h.at("d/sub/f.txt"), CT::Deleted},
                                {h.at("e"), CT::Created},
                                {h.at("e/sub"), CT::Created},
                                {h.at("e/sub/f.txt"), CT::Created}});
    append_file(h.at("e/sub/f.txt"), "yz");
    h.sync(h.at("e/sub"));  // the cookie travels through the moved watch
    CHECK(h.take() == ChangeSet{{h.at("e/sub/f.txt"), CT::Changed}});
    write_file(h.at("e/sub/new.txt"), "n");
    CHECK(h.take() == ChangeSet{{h.at("e/sub/new.txt"), CT::Created}});
  }
}

TEST_CASE("mkdir -p a/b/c racing 20 files per level: all reported once", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    h.start();
    std::set<std::string> expected{h.at("a"), h.at("a/b"), h.at("a/b/c")};
    for (const char* level : {"a", "a/b", "a/b/c"})
      for (int i = 0; i < 20; ++i) expected.insert(h.at(std::string(level) + "/f" + std::to_string(i)));
    std::atomic<bool> done{false};
    std::thread writer([&] {
      std::filesystem::create_directories(h.at("a/b/c"));
      for (const char* level : {"a", "a/b", "a/b/c"})
        for (int i = 0; i < 20; ++i) {
          std::ofstream(h.at(std::string(level) + "/f" + std::to_string(i))) << "data";
        }
      done = true;
    });
    auto created_paths = [&] {
      std::map<std::string, int> n;
      for (auto& c : h.raw)
        if (c.type == CT::Created) ++n[c.path];
      return n;
    };
    bool all = h.run_until([&] { return done && created_paths().size() >= expected.size(); });
    writer.join();
    CHECK(all);
    h.sync(h.at("a/b/c"));
    auto n = created_paths();
    std::set<std::string> got;
    for (auto& [p, count] : n) {
      got.insert(p);
      INFO(p);
      CHECK(count == 1);
    }
    CHECK(got == expected);
    for (auto& c : h.raw) CHECK(c.type != CT::Deleted);
  }
}

TEST_CASE("a tree moved in from outside, and moved out", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    TempDir outside;
    make_dir(outside.path + "/t");
    make_dir(outside.path + "/t/x");
    write_file(outside.path + "/t/x/1.txt", "1");
    write_file(outside.path + "/t/2.txt", "2");
    h.start();
    rename_path(outside.path + "/t", h.at("t"));
    CHECK(h.take() == created({h.at("t"), h.at("t/x"), h.at("t/x/1.txt"), h.at("t/2.txt")}));
    rename_path(h.at("t"), outside.path + "/gone");
    CHECK(h.take() == ChangeSet{{h.at("t"), CT::Deleted},
                                {h.at("t/x"), CT::Deleted},
                                {h.at("t/x/1.txt"), CT::Deleted},
                                {h.at("t/2.txt"), CT::Deleted}});
    // The moved-out tree is no longer watched: changes there are not ours.
    write_file(outside.path + "/gone/x/3.txt", "3");
    CHECK(h.take().empty());
  }
}

TEST_CASE("root deleted, then re-created", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    make_dir(h.at("sub"));
    write_file(h.at("sub/f"), "f");
    h.start();
    std::filesystem::remove_all(h.root());
    auto has = [&](const std::string& p, CT t) {
      for (auto& c : h.raw)
        if (c.path == p && c.type == t) return true;
      return false;
    };
    REQUIRE(h.run_until([&] { return has(h.root(), CT::Deleted) && h.count_problems("root-deleted") == 1; }));
    CHECK(has(h.at("sub"), CT::Deleted));
    CHECK(has(h.at("sub/f"), CT::Deleted));
    make_dir(h.root());
    write_file(h.at("back.txt"), "b");
    REQUIRE(h.run_until([&] { return has(h.at("back.txt"), CT::Created); }));
    CHECK(has(h.root(), CT::Created));
    CHECK(h.count_problems("root-restored") == 1);
    h.take();
    write_file(h.at("later.txt"), "l");
    CHECK(h.take() == ChangeSet{{h.at("later.txt"), CT::Created}});
  }
}

TEST_CASE("symlinks are entries, never followed (loops are harmless)", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    make_dir(h.at("sub"));
    REQUIRE(::symlink("..", h.at("sub/up").c_str()) == 0);
    REQUIRE(::symlink(".", h.at("self").c_str()) == 0);
    h.start();
    CHECK(h.watcher->status().watched_dirs == 2);
    REQUIRE(::symlink("sub", h.at("loop").c_str()) == 0);
    CHECK(h.take() == ChangeSet{{h.at("loop"), CT::Created}});
    write_file(h.at("sub/f"), "f");  // reported once, under its real path only
    CHECK(h.take() == ChangeSet{{h.at("sub/f"), CT::Created}});
  }
}

namespace {

// Root ignores permissions through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH.
// Capabilities are per thread: dropping them from this thread's effective
// set (keeping them permitted) makes permission checks real for the Watcher,
// which runs on this thread. Not a fake: the kernel returns EACCES.
class DacCapsDropped {
 public:
  DacCapsDropped() {
    header_.version = _LINUX_CAPABILITY_VERSION_3;
    header_.pid = 0;
    if (::syscall(SYS_capget, &header_, saved_) != 0) return;
    __user_cap_data_struct lowered[2] = {saved_[0], saved_[1]};
    lowered[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
    active_ = ::syscall(SYS_capset, &header_, lowered) == 0;
  }
  ~DacCapsDropped() {
    if (active_) ::syscall(SYS_capset, &header_, saved_);
  }

 private:
  __user_cap_header_struct header_{};
  __user_cap_data_struct saved_[2]{};
  bool active_ = false;
};

}  // namespace

TEST_CASE("an unreadable subdirectory is reported once, the rest is watched", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    make_dir(h.at("locked"));
    write_file(h.at("locked/secret"), "s");
    make_dir(h.at("open"));
    REQUIRE(::chmod(h.at("locked").c_str(), 0) == 0);
    DacCapsDropped caps;
    REQUIRE(::opendir(h.at("locked").c_str()) == nullptr);  // really unreadable now
    REQUIRE(errno == EACCES);
    h.start();
    REQUIRE(h.count_problems("unreadable") == 1);
    const Problem* p = nullptr;
    for (auto& pr : h.problems)
      if (pr.kind == "unreadable") p = &pr;
    CHECK(p->path == h.at("locked"));
    CHECK(p->message.find("EACCES") != std::string::npos);
    write_file(h.at("open/f"), "f");
    CHECK(h.take() == ChangeSet{{h.at("open/f"), CT::Created}});
    h.take();  // more rescans (poll) must not repeat the problem
    CHECK(h.count_problems("unreadable") == 1);
  }
}

TEST_CASE("a non-UTF-8 file name round-trips", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    h.start();
    std::string name = "bad\xff\xfe-\xc3(.txt";
    write_file(h.at(name), "x");
    CHECK(h.take() == ChangeSet{{h.at(name), CT::Created}});
    std::string uri = devwatch::paths::path_to_uri(h.at(name));
    CHECK(uri.find("bad%FF%FE-%C3%28.txt") != std::string::npos);
    auto back = devwatch::paths::uri_to_path(uri);
    REQUIRE(back.ok());
    CHECK(*back == h.at(name));
    CHECK_NOTHROW(devwatch::session::to_json(h.watcher->status()).dump());
  }
}

TEST_CASE("gitignore rules, negation, nested files and built-in ignores", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    write_file(h.at(".gitignore"), "*.log\n!keep.log\nbuild/\n");
    make_dir(h.at("sub"));
    write_file(h.at("sub/.gitignore"), "*.tmp\n");
    h.start();
    const std::size_t watched_before = h.watcher->status().watched_dirs;
    write_file(h.at("a.log"), "ignored");
    write_file(h.at("keep.log"), "kept by negation");
    make_dir(h.at("build"));
    write_file(h.at("build/out.o"), "ignored dir");
    write_file(h.at("sub/x.tmp"), "ignored by nested");
    write_file(h.at("x.tmp"), "not ignored at top");
    make_dir(h.at("node_modules"));
    write_file(h.at("node_modules/pkg.js"), "built-in");
    write_file(h.at("notes.txt~"), "editor backup");
    CHECK(h.take() == created({h.at("keep.log"), h.at("x.tmp")}));
    CHECK(h.watcher->status().watched_dirs == watched_before);  // ignored trees cost no watch
    // Changing .gitignore re-applies it: a.log is no longer ignored.
    write_file(h.at(".gitignore"), "build/\n");
    CHECK(h.take() == ChangeSet{{h.at(".gitignore"), CT::Changed}, {h.at("a.log"), CT::Created}});
  }
}

TEST_CASE("a root given as a symlink is followed; nothing below it is", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    TempDir links;
    std::string link = links.path + "/ws";
    REQUIRE(::symlink(h.root().c_str(), link.c_str()) == 0);
    REQUIRE(h.watcher->add_root(link).ok());
    REQUIRE(h.run_until([&] { return h.ready; }));
    write_file(h.at("f.txt"), "f");
    auto seen = [&] {
      for (auto& c : h.raw)
        if (c.path == link + "/f.txt" && c.type == CT::Created) return true;
      return false;
    };
    CHECK(h.run_until(seen));
    CHECK(h.count_problems("root-deleted") == 0);
  }
}

TEST_CASE("nested roots share watches; removing the inner root keeps the outer whole", "[watcher]") {
  auto backend = backend_param();
  DYNAMIC_SECTION(backend) {
    Harness h(backend);
    make_dir(h.at("pkg"));
    h.start();
    h.ready = false;
    REQUIRE(h.watcher->add_root(h.at("pkg")).ok());
    REQUIRE(h.run_until([&] { return h.ready; }));
    write_file(h.at("pkg/a.txt"), "a");
    CHECK(h.take() == ChangeSet{{h.at("pkg/a.txt"), CT::Created}});
    h.watcher->remove_root(h.at("pkg"));
    write_file(h.at("pkg/b.txt"), "b");
    h.sync(h.at("pkg"));
    CHECK(h.take() == ChangeSet{{h.at("pkg/b.txt"), CT::Created}});
    CHECK(h.watcher->status().roots == std::vector<std::string>{h.root()});
  }
}
