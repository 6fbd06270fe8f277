#include "watch/budget.h"

#include <cerrno>
#include <catch2/catch.hpp>

#include "watch/mounts.h"

using namespace devwatch::watch;

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

TEST_CASE("local filesystems are not flagged as remote", "[mounts]") {
  CHECK_FALSE(remote_filesystem_name("/tmp"));
  CHECK_FALSE(remote_filesystem_name("/definitely/not/here"));
}
