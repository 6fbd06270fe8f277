// watch/absolute_excludes.h: which roots an absolute exclude applies to, and
// the rule it becomes there. Then on real directories with real inotify:
// the excluded folders are never crawled, and the same exclude leaves
// another root alone.
#include "watch/absolute_excludes.h"

#include "watch/watcher.h"
#include "watch_test_util.h"

using namespace devwatch::watch;
using namespace devwatch::watch::test;

namespace {

std::vector<std::string> for_root(std::vector<std::string> excludes, const std::string& root) {
  devwatch::paths::IgnoreOptions o;
  o.excludes = std::move(excludes);
  return ignore_for_root(o, root).excludes;
}

}  // namespace

TEST_CASE("an absolute exclude becomes relative below its root and is dropped elsewhere", "[watcher][ignore]") {
  const std::vector<std::string> excludes = {"**/dist/", "/sp/django/contrib/*/locale/", "/sp/django/**/templates/"};
  // The package is the root, or lies below it: relative rules.
  CHECK(for_root(excludes, "/sp/django") ==
        std::vector<std::string>{"**/dist/", "contrib/*/locale/", "**/templates/"});
  CHECK(for_root(excludes, "/sp") ==
        std::vector<std::string>{"**/dist/", "django/contrib/*/locale/", "django/**/templates/"});
  CHECK(for_root(excludes, "/") ==
        std::vector<std::string>{"**/dist/", "sp/django/contrib/*/locale/", "sp/django/**/templates/"});
  // Another root, a sibling with a common prefix, or a root below the
  // exclude's wildcard: only the relative rule is left.
  CHECK(for_root(excludes, "/project") == std::vector<std::string>{"**/dist/"});
  CHECK(for_root(excludes, "/sp/djangox") == std::vector<std::string>{"**/dist/"});
  CHECK(for_root(excludes, "/sp/django/contrib/admin") == std::vector<std::string>{"**/dist/"});
}

TEST_CASE("a root whose path holds glob characters matches its escaped exclude", "[watcher][ignore]") {
  // config/validate.cpp escapes the base with escape_glob: "/w/a[1]" -> "/w/a[[]1[]]".
  CHECK(for_root({"/w/a[[]1[]]/locale/"}, "/w/a[1]") == std::vector<std::string>{"locale/"});
  CHECK(for_root({"/w/a[[]1[]]/locale/"}, "/w") == std::vector<std::string>{"a[[]1[]]/locale/"});
  CHECK(for_root({"/w/a[[]1[]]/locale/"}, "/w/a1").empty());
}

TEST_CASE("absolute excludes keep the crawl out of one root's folders only", "[watcher][ignore]") {
  TempDir other;
  Harness h("inotify");
  make_dir(h.at("pkg"));
  make_dir(h.at("pkg/locale"));
  make_dir(h.at("pkg/locale/fr"));
  make_dir(h.at("pkg/locale/fr/LC_MESSAGES"));
  write_file(h.at("pkg/locale/fr/LC_MESSAGES/django.po"), "msgid");
  write_file(h.at("pkg/mod.py"), "m");
  make_dir(other.path + "/locale");  // the same name in another root stays watched
  devwatch::paths::IgnoreOptions ignore;
  ignore.excludes = {h.root() + "/pkg/locale/"};
  REQUIRE(h.watcher->add_root(h.root(), ignore).ok());
  REQUIRE(h.watcher->add_root(other.path, ignore).ok());
  REQUIRE(h.run_until([&] { return !h.watcher->busy(); }));
  // root, pkg; other, other/locale: the three locale folders cost no watch.
  CHECK(h.watcher->status().watched_dirs == 4);

  write_file(h.at("pkg/locale/fr/LC_MESSAGES/django.mo"), "mo");
  write_file(other.path + "/locale/x.mo", "mo");
  append_file(h.at("pkg/mod.py"), "+");
  h.sync(other.path);
  CHECK(h.take() == ChangeSet{{other.path + "/locale/x.mo", ChangeType::Created},
                              {h.at("pkg/mod.py"), ChangeType::Changed}});
  CHECK(h.problems.empty());
}
