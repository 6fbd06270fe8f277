// IgnoreRules: the built-in list, nested .gitignore precedence, negation,
// anchoring, directory-only rules, excludes and explain().
#include "paths/ignore.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using devwatch::ErrorCode;
using devwatch::paths::builtin_ignore_patterns;
using devwatch::paths::IgnoreOptions;
using devwatch::paths::IgnoreRules;

namespace {

IgnoreRules make_rules(IgnoreOptions options = {}) {
  auto rules = IgnoreRules::create(std::move(options));
  REQUIRE(rules.ok());
  return std::move(rules).value();
}

struct Case {
  std::string path;
  bool is_dir;
  bool ignored;
};

void check_cases(const IgnoreRules& rules, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO("path '" << c.path << "' is_dir " << c.is_dir << " explain '" << rules.explain(c.path, c.is_dir) << "'");
    CHECK(rules.is_ignored(c.path, c.is_dir) == c.ignored);
    CHECK(rules.explain(c.path, c.is_dir).empty() == !c.ignored);
  }
}

}  // namespace

TEST_CASE("built-in defaults") {
  const IgnoreRules rules = make_rules();
  check_cases(rules, {
                         {".git", true, false},
                         {".git/HEAD", false, false},
                         {".git/index.lock", false, false},
                         {".git/objects", true, true},
                         {".git/objects/ab/cdef", false, true},
                         {".git/refs", true, true},
                         {".git/logs", true, true},
                         {".git/index", false, true},
                         {".git/config", false, true},
                         {"sub/.git", true, false},
                         {"sub/.git/HEAD", false, false},
                         {"sub/.git/objects", true, true},
                         {"node_modules", true, true},
                         {"a/b/node_modules", true, true},
                         {"a/node_modules/x/y.js", false, true},
                         {"node_modules_x", true, false},
                         {"__pycache__", true, true},
                         {"pkg/__pycache__/m.cpython-311.pyc", false, true},
                         {".venv", true, true},
                         {"venv", true, true},
                         {"py/venv/bin/python", false, true},
                         {".tox", true, true},
                         {".mypy_cache", true, true},
                         {".pytest_cache", true, true},
                         {"m.pyc", false, true},
                         {"a/m.pyc", false, true},
                         {"m.py", false, false},
                         {".m.py.swp", false, true},
                         {"a/.m.py.swx", false, true},
                         {"m.py~", false, true},
                         {".#m.py", false, true},
                         {"#m.py#", false, true},
                         {"a/#m.py#", false, true},
                         {"#", false, false},
                         {"#m.py", false, false},
                         {"4913", false, true},
                         {"deep/er/4913", false, true},
                         {"49130", false, false},
                         {".DS_Store", false, true},
                         {"a/.DS_Store", false, true},
                         {"src/main.cpp", false, false},
                         {"README.md", false, false},
                     });
  CHECK(rules.explain("node_modules", true) == "built-in: node_modules");
  CHECK(rules.explain("a/node_modules/x/y.js", false) == "built-in: node_modules (via directory a/node_modules)");
  CHECK(rules.explain(".git/objects", true) == "built-in: .git/* except .git/HEAD and .git/index.lock");
  CHECK(rules.explain("x/.m.swp", false) == "built-in: *.swp");
  CHECK(rules.explain("4913", false) == "built-in: 4913");
}

TEST_CASE("the built-in list can be turned off, and is published") {
  IgnoreOptions options;
  options.builtin_defaults = false;
  const IgnoreRules rules = make_rules(options);
  CHECK_FALSE(rules.is_ignored("node_modules", true));
  CHECK_FALSE(rules.is_ignored(".git/objects", true));
  CHECK_FALSE(rules.is_ignored("a.pyc", false));

  const auto& patterns = builtin_ignore_patterns();
  for (const char* expected : {"node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache",
                               "*.pyc", "*.swp", "*.swx", "*~", ".#*", "#*#", "4913", ".DS_Store"}) {
    CHECK(std::find(patterns.begin(), patterns.end(), expected) != patterns.end());
  }
}

TEST_CASE("root .gitignore: anchoring, directory-only, wildcards") {
  IgnoreRules rules = make_rules();
  rules.set_gitignore("",
                      "# build output\n"
                      "build/\n"
                      "/out\n"
                      "*.log\n"
                      "docs/*.html\n"
                      "**/gen/**\n"
                      "tmp?\n");
  check_cases(rules, {
                         {"build", true, true},
                         {"build", false, false},  // directory-only
                         {"a/b/build", true, true},
                         {"a/b/build/x.o", false, true},
                         {"out", true, true},
                         {"out", false, true},
                         {"a/out", true, false},  // anchored to the root
                         {"x.log", false, true},
                         {"a/b/x.log", false, true},
                         {"x.logs", false, false},
                         {"docs/a.html", false, true},
                         {"docs/sub/a.html", false, false},
                         {"src/docs/a.html", false, false},
                         {"gen", true, false},  // gitignore "x/**" is only what is inside
                         {"gen/a", false, true},
                         {"a/gen/b/c", false, true},
                         {"tmp1", false, true},
                         {"tmp12", false, false},
                         {"src/main.c", false, false},
                     });
  CHECK(rules.explain("a/b/x.log", false) == ".gitignore in root: line 4 '*.log'");
  CHECK(rules.explain("build/x.o", false) == ".gitignore in root: line 2 'build/' (via directory build)");
}

TEST_CASE("negation re-includes, except under an excluded directory") {
  IgnoreRules rules = make_rules();
  rules.set_gitignore("",
                      "*.log\n"
                      "!important.log\n"
                      "logs/\n"
                      "!logs/keep.log\n"
                      "cache/*\n"
                      "!cache/keep\n");
  check_cases(rules, {
                         {"a.log", false, true},
                         {"important.log", false, false},
                         {"x/important.log", false, false},
                         {"logs", true, true},
                         {"logs/keep.log", false, true},  // its parent directory is excluded
                         {"cache", true, false},
                         {"cache/other", false, true},
                         {"cache/keep", false, false},  // "dir/*" leaves dir itself, so this works
                     });
  // is_ignored_entry trusts the caller that ancestors are not ignored.
  CHECK_FALSE(rules.is_ignored_entry("logs/keep.log", false));
  CHECK(rules.is_ignored_entry("logs", true));
}

TEST_CASE("nested .gitignore files: deeper ones take precedence") {
  IgnoreRules rules = make_rules();
  rules.set_gitignore("", "*.tmp\n/root-only\nshared\n");
  rules.set_gitignore("pkg", "!*.tmp\n/local\nsub/x\n");
  rules.set_gitignore("pkg/deep", "*.tmp\n");
  check_cases(rules, {
                         {"a.tmp", false, true},
                         {"other/a.tmp", false, true},
                         {"pkg/a.tmp", false, false},       // pkg/.gitignore re-includes
                         {"pkg/sub/a.tmp", false, false},   // ... in its whole subtree
                         {"pkg/deep/a.tmp", false, true},   // deeper again excludes
                         {"pkg/deep/x/a.tmp", false, true},
                         {"root-only", false, true},
                         {"pkg/root-only", false, false},  // anchored to the root's directory
                         {"pkg/local", false, true},
                         {"local", false, false},          // pkg's rules do not apply outside pkg
                         {"other/local", false, false},
                         {"pkg/sub/x", false, true},       // anchored to pkg
                         {"pkg/a/sub/x", false, false},
                         {"sub/x", false, false},
                         {"pkg/shared", false, true},      // the root's unanchored rule reaches down
                     });
  CHECK(rules.explain("pkg/local", false) == ".gitignore in pkg: line 2 '/local'");
  CHECK(rules.explain("pkg/deep/a.tmp", false) == ".gitignore in pkg/deep: line 1 '*.tmp'");
  CHECK(rules.explain("pkg/a.tmp", false).empty());

  // Replacing and removing.
  rules.set_gitignore("pkg", "/local\n");
  CHECK(rules.is_ignored("pkg/a.tmp", false));
  rules.remove_gitignore("pkg/");
  CHECK_FALSE(rules.is_ignored("pkg/local", false));
  CHECK(rules.is_ignored("pkg/deep/a.tmp", false));
  rules.remove_gitignore("");
  CHECK_FALSE(rules.is_ignored("a.tmp", false));
  rules.remove_gitignore("never/set");  // harmless
}

TEST_CASE("a negation in a nested file cannot rescue a path under a dir the root excludes") {
  IgnoreRules rules = make_rules();
  rules.set_gitignore("", "vendor/\n");
  rules.set_gitignore("vendor", "!*\n");
  CHECK(rules.is_ignored("vendor/lib.c", false));
  CHECK(rules.explain("vendor/lib.c", false) == ".gitignore in root: line 1 'vendor/' (via directory vendor)");
}

TEST_CASE("respect_gitignore=false ignores .gitignore content") {
  IgnoreOptions options;
  options.respect_gitignore = false;
  IgnoreRules rules = make_rules(options);
  rules.set_gitignore("", "*\n");
  CHECK_FALSE(rules.is_ignored("a.c", false));
  CHECK(rules.is_ignored("node_modules", true));
}

TEST_CASE("excludes are LSP globs relative to the root") {
  IgnoreOptions options;
  options.excludes = {"**/dist/**", "*.min.js", "target/", "{coverage,htmlcov}"};
  IgnoreRules rules = make_rules(options);
  check_cases(rules, {
                         {"dist", true, true},
                         {"a/dist", true, true},
                         {"a/dist/x.js", false, true},
                         {"app.min.js", false, true},
                         {"a/app.min.js", false, false},  // '*' stays in one segment
                         {"target", true, true},
                         {"target", false, false},  // a trailing '/' means directories only
                         {"target/debug/x", false, true},
                         {"coverage", true, true},
                         {"htmlcov/index.html", false, true},
                         {"src/main.rs", false, false},
                     });
  CHECK(rules.explain("a/dist/x.js", false) == "exclude: **/dist/** (via directory a/dist)");
  CHECK(rules.explain("app.min.js", false) == "exclude: *.min.js");
  // A .gitignore negation cannot undo an exclude.
  rules.set_gitignore("", "!app.min.js\n");
  CHECK(rules.is_ignored("app.min.js", false));
}

TEST_CASE("an invalid exclude is an error naming it") {
  IgnoreOptions options;
  options.excludes = {"ok/**", "bad/{x,y"};
  auto rules = IgnoreRules::create(options);
  REQUIRE_FALSE(rules.ok());
  CHECK(rules.error().code == ErrorCode::InvalidParams);
  CHECK_THAT(rules.error().message, Catch::Contains("bad/{x,y") && Catch::Contains("unclosed '{'"));
}

TEST_CASE("unusable .gitignore lines are reported with their file") {
  IgnoreRules rules = make_rules();
  rules.set_gitignore("a/b", "ok\n[x\n");
  rules.set_gitignore("", "fine\n/\n");
  const auto problems = rules.gitignore_problems();
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0], Catch::StartsWith(".gitignore line 2 '/'"));
  CHECK(problems[1] == "a/b/.gitignore line 2 '[x': unclosed '[' at column 1");
  CHECK(rules.is_ignored("a/b/ok", false));
}

TEST_CASE("is_ignored_entry agrees with is_ignored when ancestors are not ignored") {
  IgnoreOptions options;
  options.excludes = {"**/gen"};
  IgnoreRules rules = make_rules(options);
  rules.set_gitignore("", "*.o\n!keep.o\n");
  rules.set_gitignore("src", "/local/\n");
  const Case cases[] = {{"a.o", false, true},   {"keep.o", false, false},    {"src/local", true, true},
                        {"src/local", false, false}, {"x/gen", true, true}, {"src/x.c", false, false},
                        {"node_modules", true, true}};
  for (const Case& c : cases) {
    INFO(c.path);
    CHECK(rules.is_ignored_entry(c.path, c.is_dir) == c.ignored);
    CHECK(rules.is_ignored(c.path, c.is_dir) == c.ignored);
  }
}

TEST_CASE(".git/info/exclude applies at the root with the lowest precedence") {
  IgnoreRules rules = make_rules();
  rules.set_git_info_exclude("*.local\nscratch/\n");
  rules.set_gitignore("keep", "!*.local\n");
  CHECK(rules.is_ignored("a/b.local", false));
  CHECK(rules.explain("a/b.local", false) == ".git/info/exclude: line 1 '*.local'");
  CHECK(rules.is_ignored("scratch/x", false));
  CHECK_FALSE(rules.is_ignored("keep/b.local", false));  // any .gitignore outranks it
  rules.set_git_info_exclude("");
  CHECK_FALSE(rules.is_ignored("a/b.local", false));
}

TEST_CASE("the root itself is never ignored") {
  IgnoreOptions options;
  options.excludes = {"**"};
  IgnoreRules rules = make_rules(options);
  rules.set_gitignore("", "*\n");
  CHECK_FALSE(rules.is_ignored("", true));
  CHECK(rules.explain("", true).empty());
  CHECK(rules.is_ignored("a", false));
}

TEST_CASE("judging 100k deep paths completes") {
  IgnoreOptions options;
  options.excludes = {"**/dist/**", "*.min.js"};
  IgnoreRules rules = make_rules(options);
  rules.set_gitignore("", "*.log\nbuild/\n");
  rules.set_gitignore("pkg", "!keep.log\n/gen/\n");
  std::size_t ignored = 0;
  std::size_t expected = 0;
  for (int i = 0; i < 100000; ++i) {
    const int kind = i % 5;
    std::string path = kind == 0 ? "pkg/a/b/c/" : (kind == 1 ? "pkg/gen/x/" : (kind == 2 ? "src/dist/y/" : "src/z/"));
    path += kind == 4 ? "keep.log" : "f" + std::to_string(i) + ".c";
    ignored += rules.is_ignored(path, false) ? 1 : 0;
    expected += (kind == 1 || kind == 2 || kind == 4) ? 1 : 0;  // gen/, dist/, and keep.log outside pkg
  }
  CHECK(ignored == expected);
}
