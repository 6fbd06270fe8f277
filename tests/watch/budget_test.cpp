#include "watch/budget.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <catch2/catch.hpp>
#include <string>

#include "watch/mounts.h"
#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;

TEST_CASE("budget limits come from /proc", "[budget]") {
  BudgetLimits l = read_budget_limits();
  CHECK(l.max_user_watches > 0);
  CHECK(l.max_user_instances > 0);
  CHECK(l.max_queued_events > 0);
}

TEST_CASE("budget message names needed, available and the fix", "[budget]") {
  std::string m = budget_message(250, 100, 128, 28);
  CHECK(m.find("needed 250") != std::string::npos);
  CHECK(m.find("available 100") != std::string::npos);
  CHECK(m.find("150 folders unwatched") != std::string::npos);
  std::string fix = watch_limit_fix(250);
  CHECK(fix.find("sudo sysctl fs.inotify.max_user_watches=524288") != std::string::npos);
  CHECK(fix.find("/etc/sysctl.d/") != std::string::npos);
}

TEST_CASE("inotify errnos never read as 'No space left on device'", "[budget]") {
  CHECK(describe_watch_errno(ENOSPC).find("No space") == std::string::npos);
  CHECK(describe_watch_errno(ENOSPC).find("max_user_watches") != std::string::npos);
  CHECK(describe_watch_errno(EMFILE).find("max_user_instances") != std::string::npos);
  CHECK(describe_watch_errno(EACCES).find("EACCES") != std::string::npos);
}

TEST_CASE("an inotify instance's watches are counted from its fdinfo", "[budget]") {
  TempDir dir;
  int fd = ::inotify_init1(IN_CLOEXEC);
  REQUIRE(fd >= 0);
  for (int i = 0; i < 5; ++i) {
    std::string sub = dir.path + "/d" + std::to_string(i);
    make_dir(sub);
    REQUIRE(::inotify_add_watch(fd, sub.c_str(), IN_MODIFY) >= 0);
  }
  std::string fdinfo = "/proc/self/fdinfo/" + std::to_string(fd);
  CHECK(count_watch_lines(fdinfo.c_str()) == 5);
  ::close(fd);
  CHECK(count_watch_lines("/proc/self/fdinfo/999999") == 0);
}

TEST_CASE("watch lines are counted past 1 MiB and across read boundaries", "[budget]") {
  // The fdinfo of a process holding 30,000 watches (~2.4 MB), with lines of
  // varying length so that matches straddle every position of a 4 KiB read.
  TempDir dir;
  std::string text = "pos:\t0\nflags:\t00\nmnt_id:\t15\nino:\t1057\n";
  for (int i = 1; i <= 30000; ++i)
    text += "inotify wd:" + std::to_string(i) + " ino:" + std::to_string(i * 7919) +
            " sdev:800001 mask:fc6 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:" +
            std::string(static_cast<std::size_t>(i % 13), 'a') + "\n";
  REQUIRE(text.size() > (1u << 20));
  write_file(dir.path + "/fdinfo", text);
  CHECK(count_watch_lines((dir.path + "/fdinfo").c_str()) == 30000);
}

TEST_CASE("local filesystems are not flagged as remote", "[mounts]") {
  CHECK_FALSE(remote_filesystem_name("/tmp"));
  CHECK_FALSE(remote_filesystem_name("/definitely/not/here"));
}
