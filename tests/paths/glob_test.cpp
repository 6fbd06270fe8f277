// LSP glob syntax: each element, the '**' edge cases, invalid patterns, the
// gitignore dialect's differences, and patterns that would be exponential
// for a backtracking matcher.
#include "paths/glob.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using devwatch::ErrorCode;
using devwatch::paths::Glob;
using devwatch::paths::GlobSyntax;

namespace {

struct Case {
  std::string pattern;
  std::string path;
  bool match;
};

void check_cases(const std::vector<Case>& cases, GlobSyntax syntax = GlobSyntax::Lsp) {
  for (const Case& c : cases) {
    INFO("pattern '" << c.pattern << "' path '" << c.path << "'");
    auto glob = Glob::compile(c.pattern, syntax);
    REQUIRE(glob.ok());
    CHECK(glob->matches(c.path) == c.match);
  }
}

Glob must_compile(const std::string& pattern, GlobSyntax syntax = GlobSyntax::Lsp) {
  auto glob = Glob::compile(pattern, syntax);
  INFO("pattern '" << pattern << "'");
  REQUIRE(glob.ok());
  return *glob;
}

}  // namespace

TEST_CASE("literals, '?' and '*' stay inside one segment") {
  check_cases({
      {"a.txt", "a.txt", true},
      {"a.txt", "b.txt", false},
      {"a.txt", "x/a.txt", false},
      {"a/b.txt", "a/b.txt", true},
      {"a/b.txt", "a/b.txtx", false},
      {"?.txt", "a.txt", true},
      {"?.txt", "ab.txt", false},
      {"?.txt", ".txt", false},
      {"a?b", "a/b", false},
      {"*", "a", true},
      {"*", "", true},
      {"*", "a/b", false},
      {"*.py", "a.py", true},
      {"*.py", ".py", true},
      {"*.py", "x/a.py", false},
      {"*.py", "a.pyc", false},
      {"a*", "abc", true},
      {"a*", "a/bc", false},
      {"a*c", "ac", true},
      {"a*c", "abbbc", true},
      {"a*c", "ab/c", false},
      {"*/*", "a/b", true},
      {"*/*", "a", false},
      {"*/*", "a/b/c", false},
      {"src/*.ts", "src/a.ts", true},
      {"src/*.ts", "src/x/a.ts", false},
      {"a**b", "axxb", true},   // '**' inside a segment is just '*'
      {"a**b", "ax/xb", false},
      {"x/a**", "x/ab", true},
      {"x/a**", "x/a/b", false},
      {"**a", "xa", true},
      {"**a", "x/a", false},
  });
}

TEST_CASE("'**' spans any number of segments, including none") {
  check_cases({
      {"**", "", true},
      {"**", "a", true},
      {"**", "a/b/c", true},
      {"**/*.py", "a.py", true},
      {"**/*.py", "x/y/a.py", true},
      {"**/*.py", "x/y/a.pyc", false},
      {"**/*.py", "x.py/a", false},
      {"**/node_modules", "node_modules", true},
      {"**/node_modules", "a/b/node_modules", true},
      {"**/node_modules", "a/xnode_modules", false},
      {"**/node_modules", "node_modules/a", false},
      {"src/**", "src", true},
      {"src/**", "src/a", true},
      {"src/**", "src/a/b/c.txt", true},
      {"src/**", "srcx", false},
      {"src/**", "lib/src/a", false},
      {"a/**/b", "a/b", true},
      {"a/**/b", "a/x/b", true},
      {"a/**/b", "a/x/y/z/b", true},
      {"a/**/b", "a/xb", false},
      {"a/**/b", "ab", false},
      {"a/**/b", "a/b/c", false},
      {"**/dist/**", "dist", true},
      {"**/dist/**", "x/dist", true},
      {"**/dist/**", "x/dist/y/z", true},
      {"**/dist/**", "x/distro/y", false},
      {"**/**", "a/b", true},
      {"**/**/x", "x", true},
      {"**/**/x", "a/b/x", true},
      {"**/a/**/b/**", "a/b", true},
      {"**/a/**/b/**", "q/a/r/s/b/t", true},
      {"**/a/**/b/**", "q/a/r/s/c/t", false},
      {"a/**/*.ts", "a/x.ts", true},
      {"a/**/*.ts", "a/b/c/x.ts", true},
      {"a/**/*.ts", "b/x.ts", false},
      {"**/.git/HEAD", ".git/HEAD", true},
  });
}

TEST_CASE("braces give alternatives, which may hold globs and '**'") {
  check_cases({
      {"{a,b}", "a", true},
      {"{a,b}", "b", true},
      {"{a,b}", "c", false},
      {"*.{ts,tsx,js}", "x.tsx", true},
      {"*.{ts,tsx,js}", "x.js", true},
      {"*.{ts,tsx,js}", "x.jsx", false},
      {"**/*.{c,h}", "src/a/b.h", true},
      {"{src/**,lib}/x.c", "src/a/b/x.c", true},
      {"{src/**,lib}/x.c", "src/x.c", true},
      {"{src/**,lib}/x.c", "lib/x.c", true},
      {"{src/**,lib}/x.c", "lib/a/x.c", false},
      {"{**/a,b}", "x/y/a", true},
      {"{**/a,b}", "b", true},
      {"{**,x}", "any/thing", true},
      {"x{,.bak}", "x", true},  // an empty alternative
      {"x{,.bak}", "x.bak", true},
      {"x{,.bak}", "x.b", false},
      {"{a,{b,c}d}", "cd", true},  // nested
      {"{a,{b,c}d}", "a", true},
      {"{a,{b,c}d}", "c", false},
      {"{a/*,b}", "a/x", true},
      {"{a/*,b}", "a/x/y", false},
      {"a,b", "a,b", true},  // ',' outside braces is literal
      {"{a,b}]", "a]", true},
  });
}

TEST_CASE("character classes") {
  check_cases({
      {"[abc]", "b", true},
      {"[abc]", "d", false},
      {"[abc]", "ab", false},
      {"[0-9].txt", "7.txt", true},
      {"[0-9].txt", "x.txt", false},
      {"[a-cx-z]", "y", true},
      {"[a-cx-z]", "m", false},
      {"[!a]", "b", true},
      {"[!a]", "a", false},
      {"[^a]", "a", false},
      {"[!0-9]x", "ax", true},
      {"[!0-9]x", "5x", false},
      {"[]]", "]", true},  // ']' first is literal
      {"[]a]", "a", true},
      {"[!]]", "]", false},
      {"[!]]", "x", true},
      {"[a-]", "-", true},  // '-' last is literal
      {"[-a]", "-", true},
      {"[!a]", "/", false},  // a class never matches '/'
      {"a[/]b", "a/b", false},
      {"[*?{]", "*", true},  // metacharacters are literal inside a class
      {"[*?{]", "{", true},
      {"[*?{]", "x", false},
      {"[\xC3][\xA9]", "\xC3\xA9", true},  // classes work on bytes
  });
}

TEST_CASE("escape_glob matches exactly the literal text it was given") {
  using devwatch::paths::escape_glob;
  CHECK(escape_glob("/usr/lib/python3.11") == "/usr/lib/python3.11");  // nothing to escape: unchanged
  const std::string odd = "a*b/c?d/[x]/{e,f}/g]h";
  const Glob glob = must_compile(escape_glob(odd));
  CHECK(glob.matches(odd));
  CHECK_FALSE(glob.matches("aXb/c?d/[x]/{e,f}/g]h"));
  CHECK_FALSE(glob.matches("a*b/cXd/[x]/{e,f}/g]h"));
  CHECK_FALSE(glob.matches("a*b/c?d/x/{e,f}/g]h"));
  CHECK_FALSE(glob.matches("a*b/c?d/[x]/e/g]h"));
  // Spliced before a pattern, the literal part stays literal.
  const Glob spliced = must_compile(escape_glob("s[1]") + "/*/locale");
  CHECK(spliced.matches("s[1]/admin/locale"));
  CHECK_FALSE(spliced.matches("s1/admin/locale"));
}

TEST_CASE("'\\' is an ordinary byte in LSP globs") {
  check_cases({
      {"a\\b", "a\\b", true},
      {"a\\*", "a\\xyz", true},
      {"a\\*", "a*", false},
  });
}

TEST_CASE("non-UTF-8 bytes in patterns and paths") {
  check_cases({
      {"*.\xFF", "a.\xFF", true},
      {"\xFE*", "\xFE\x80x", true},
      {"?", "\xC3", true},
  });
}

TEST_CASE("invalid patterns are errors naming the problem and column") {
  struct Bad {
    std::string pattern;
    std::string why;
  };
  const Bad cases[] = {
      {"", "empty"},
      {"a/{b,c", "unclosed '{' at column 3"},
      {"{a,{b}", "unclosed '{' at column 1"},
      {"a}", "unmatched '}' at column 2"},
      {"[abc", "unclosed '[' at column 1"},
      {"x/[!", "unclosed '[' at column 3"},
      {"[]", "unclosed '['"},
      {"[z-a]", "empty range 'z-a' at column 2"},
      {"{[a,b}", "unclosed '['"},
      {std::string(40, '{') + "a" + std::string(40, '}'), "nested too deeply"},
  };
  for (const Bad& bad : cases) {
    INFO("pattern '" << bad.pattern << "'");
    auto glob = Glob::compile(bad.pattern);
    REQUIRE_FALSE(glob.ok());
    CHECK(glob.error().code == ErrorCode::InvalidParams);
    CHECK_THAT(glob.error().message, Catch::Contains(bad.why));
  }
}

TEST_CASE("an absurdly large pattern is refused rather than slowing every event") {
  std::string pattern = "{";
  for (int i = 0; i < 2000; ++i) pattern += "file" + std::to_string(i) + ",";
  pattern += "x}";
  auto glob = Glob::compile(pattern);
  REQUIRE_FALSE(glob.ok());
  CHECK_THAT(glob.error().message, Catch::Contains("too complex"));
}

TEST_CASE("automata wider than 64 positions match correctly") {
  std::string pattern = "**/{";
  std::vector<std::string> names;
  for (int i = 0; i < 60; ++i) names.push_back("name" + std::to_string(i));
  for (const auto& n : names) pattern += n + ",";
  pattern += "last}.txt";
  const Glob glob = must_compile(pattern);
  CHECK(glob.matches("name0.txt"));
  CHECK(glob.matches("a/b/name59.txt"));
  CHECK(glob.matches("x/last.txt"));
  CHECK_FALSE(glob.matches("x/name60.txt"));
  CHECK_FALSE(glob.matches("x/name5.txtx"));
}

TEST_CASE("pathological patterns finish (no exponential backtracking)") {
  // A backtracking matcher tries every way to split the input among the
  // stars; these would take astronomically long there.
  std::string many_globstars;
  for (int i = 0; i < 40; ++i) many_globstars += "**/";
  many_globstars += "x";
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "a/";
  CHECK_FALSE(must_compile(many_globstars).matches(deep + "y"));
  CHECK(must_compile(many_globstars).matches(deep + "x"));

  std::string many_stars;
  for (int i = 0; i < 40; ++i) many_stars += "a*";
  many_stars += "b";
  CHECK_FALSE(must_compile(many_stars).matches(std::string(500, 'a')));
  CHECK(must_compile(many_stars).matches(std::string(500, 'a') + "b"));

  std::string nested = "**/";
  for (int i = 0; i < 20; ++i) nested += "{a,**/a}/";
  nested += "z";
  CHECK_FALSE(must_compile(nested).matches(deep + "q"));
  CHECK(must_compile(nested).matches(deep + "z"));
}

TEST_CASE("pattern() returns the text as given") {
  CHECK(must_compile("**/*.{ts,js}").pattern() == "**/*.{ts,js}");
  CHECK(must_compile("a").pattern() == "a");
}

TEST_CASE("the fast paths agree with the general automaton") {
  // "*.py", "**/*.py", "**/name" and literals skip the automaton; the same
  // languages written so that they cannot take a fast path must agree.
  struct Pair {
    std::string fast;
    std::string general;
  };
  const Pair pairs[] = {
      {"*.py", "{*.py}"},
      {"**/*.py", "{**/*.py}"},
      {"**/name", "{**/name}"},
      {"a/b", "{a/b}"},
      {"*", "{*}"},
  };
  const std::vector<std::string> paths = {"",       "a.py",   ".py",     "x/a.py", "x/y/.py", "a.pyc", "name",
                                          "x/name", "xname",  "x/xname", "name/x", "a/b",     "a/bc",  "a",
                                          "x/",     "a.py/b", "/a.py",   "//"};
  for (const Pair& pair : pairs) {
    const Glob fast = must_compile(pair.fast);
    const Glob general = must_compile(pair.general);
    for (const std::string& path : paths) {
      INFO(pair.fast << " vs " << pair.general << " on '" << path << "'");
      CHECK(fast.matches(path) == general.matches(path));
    }
  }
}

TEST_CASE("gitignore dialect: escapes, literal braces, trailing '/**'") {
  check_cases(
      {
          {"\\#x", "#x", true},
          {"\\!x", "!x", true},
          {"a\\*", "a*", true},
          {"a\\*", "ab", false},
          {"\\[a]", "[a]", true},
          {"[\\]]", "]", true},
          {"{a,b}", "{a,b}", true},  // no braces in gitignore
          {"{a,b}", "a", false},
          {"abc/**", "abc/x", true},
          {"abc/**", "abc/x/y", true},
          {"abc/**", "abc", false},  // "matches everything inside"
          {"a/**/b", "a/b", true},
          {"a/**/b", "a/x/y/b", true},
          {"**/foo", "foo", true},
          {"**/foo", "x/foo", true},
          {"**", "x/y", true},
          {"foo ", "foo ", true},
      },
      GlobSyntax::Gitignore);
  auto trailing = Glob::compile("abc\\", GlobSyntax::Gitignore);
  REQUIRE_FALSE(trailing.ok());
  CHECK_THAT(trailing.error().message, Catch::Contains("trailing '\\'"));
}

TEST_CASE("matching 100k paths against a few globs completes") {
  const std::vector<Glob> globs = {must_compile("**/*.{ts,tsx}"), must_compile("src/**/test_*.py"),
                                   must_compile("**/node_modules/**"), must_compile("**/*.py"),
                                   must_compile("docs/[a-c]*/**/?.md")};
  std::vector<std::size_t> counts(globs.size(), 0);
  const char* exts[] = {".ts", ".tsx", ".py", ".md", ".c"};
  for (int i = 0; i < 100000; ++i) {
    std::string path = (i % 3 == 0 ? "src/" : (i % 3 == 1 ? "node_modules/pkg/" : "docs/b/x/"));
    path += (i % 2 == 0 ? "test_" : "");
    path += (i % 7 == 0 ? "a" : "file" + std::to_string(i));
    path += exts[i % 5];
    for (std::size_t g = 0; g < globs.size(); ++g) counts[g] += globs[g].matches(path) ? 1 : 0;
  }
  // Exact counts derived from the construction above.
  std::size_t ts = 0, test_py = 0, nm = 0, py = 0, md = 0;
  for (int i = 0; i < 100000; ++i) {
    const int e = i % 5;
    ts += (e == 0 || e == 1) ? 1 : 0;
    test_py += (i % 3 == 0 && i % 2 == 0 && e == 2) ? 1 : 0;
    nm += (i % 3 == 1) ? 1 : 0;
    py += (e == 2) ? 1 : 0;
    md += (i % 3 == 2 && i % 2 == 1 && i % 7 == 0 && e == 3) ? 1 : 0;
  }
  CHECK(counts[0] == ts);
  CHECK(counts[1] == test_py);
  CHECK(counts[2] == nm);
  CHECK(counts[3] == py);
  CHECK(counts[4] == md);
}
