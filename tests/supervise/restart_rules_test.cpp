#include <catch2/catch.hpp>

#include "supervise/restart_rules.h"

using namespace devwatch::supervise;

TEST_CASE("a path restarts a server when restartOn matches and ignore does not, below its root",
          "[restart_rules]") {
  ServerSpec spec;
  spec.root = "/ws";
  spec.restart_on = {"**/*.py", "**/templates/**"};
  spec.ignore = {"static/**"};
  RestartRules rules(spec);
  CHECK(rules.matches("/ws/blog/views.py"));
  CHECK(rules.matches("/ws/blog/templates/blog/index.html"));
  CHECK_FALSE(rules.matches("/ws/static/admin/x.py"));  // ignored
  CHECK_FALSE(rules.matches("/ws/README.md"));          // not in restartOn
  CHECK_FALSE(rules.matches("/other/blog/views.py"));   // not below the root
  CHECK_FALSE(rules.matches("/wsx/blog/views.py"));
  CHECK_FALSE(rules.matches("/ws"));
}

TEST_CASE("no restartOn, or no rules at all, means nothing is relevant", "[restart_rules]") {
  ServerSpec spec;
  spec.root = "/ws";
  CHECK_FALSE(RestartRules(spec).matches("/ws/a.py"));
  CHECK_FALSE(RestartRules().matches("/ws/a.py"));
}
