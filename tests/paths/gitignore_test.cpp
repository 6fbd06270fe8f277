// Parsing one .gitignore file: comments, escapes, trimming, flags, problems.
#include "paths/gitignore.h"

#include <catch2/catch.hpp>

using devwatch::paths::GitignoreFile;
using devwatch::paths::GitignoreRule;

TEST_CASE("blank lines, comments, escapes and trailing spaces") {
  const GitignoreFile file = GitignoreFile::parse(
      "# a comment\n"
      "\n"
      "   \n"
      "\\#hash\n"
      "\\!bang\n"
      "spaces   \n"
      "kept\\ \n"
      "crlf\r\n"
      "last-no-newline");
  REQUIRE(file.problems().empty());
  const auto& rules = file.rules();
  REQUIRE(rules.size() == 6);
  CHECK(rules[0].line == 4);
  CHECK(rules[0].text == "\\#hash");
  CHECK_FALSE(rules[0].negate);
  CHECK(file.last_match("#hash", false) == &rules[0]);
  CHECK(file.last_match("!bang", false) == &rules[1]);
  CHECK_FALSE(rules[1].negate);
  CHECK(rules[2].text == "spaces");
  CHECK(file.last_match("spaces", false) == &rules[2]);
  CHECK(file.last_match("kept ", false) == &rules[3]);
  CHECK(file.last_match("kept", false) == nullptr);
  CHECK(file.last_match("crlf", false) == &rules[4]);
  CHECK(rules[5].line == 9);
  CHECK(file.last_match("last-no-newline", false) == &rules[5]);
}

TEST_CASE("negation, directory-only and anchoring flags") {
  const GitignoreFile file = GitignoreFile::parse("!keep\nbuild/\n/top\na/b\n*.log\ndoc/*.txt\n**/deep\n");
  const auto& r = file.rules();
  REQUIRE(r.size() == 7);
  CHECK(r[0].negate);
  CHECK(r[1].dir_only);
  CHECK_FALSE(r[1].anchored);
  CHECK(r[2].anchored);
  CHECK(r[3].anchored);
  CHECK_FALSE(r[4].anchored);
  CHECK(r[5].anchored);
  CHECK(r[6].anchored);

  CHECK(file.last_match("x/build", true) == &r[1]);
  CHECK(file.last_match("x/build", false) == nullptr);
  CHECK(file.last_match("top", false) == &r[2]);
  CHECK(file.last_match("x/top", false) == nullptr);
  CHECK(file.last_match("a/b", false) == &r[3]);
  CHECK(file.last_match("x/a/b", false) == nullptr);
  CHECK(file.last_match("x/y/z.log", false) == &r[4]);
  CHECK(file.last_match("doc/a.txt", false) == &r[5]);
  CHECK(file.last_match("doc/x/a.txt", false) == nullptr);
  CHECK(file.last_match("x/doc/a.txt", false) == nullptr);
  CHECK(file.last_match("deep", false) == &r[6]);
  CHECK(file.last_match("p/q/deep", true) == &r[6]);
}

TEST_CASE("the last matching line wins") {
  const GitignoreFile file = GitignoreFile::parse("*.log\n!keep.log\n");
  const GitignoreRule* keep = file.last_match("keep.log", false);
  REQUIRE(keep != nullptr);
  CHECK(keep->negate);
  const GitignoreRule* other = file.last_match("other.log", false);
  REQUIRE(other != nullptr);
  CHECK_FALSE(other->negate);
}

TEST_CASE("unusable lines are skipped and reported") {
  const GitignoreFile file = GitignoreFile::parse("ok\n[abc\n/\n!\ntail\\\n");
  REQUIRE(file.rules().size() == 1);
  REQUIRE(file.problems().size() == 4);
  CHECK(file.problems()[0] == "line 2 '[abc': unclosed '[' at column 1");
  CHECK_THAT(file.problems()[1], Catch::StartsWith("line 3 '/'") && Catch::Contains("empty"));
  CHECK_THAT(file.problems()[2], Catch::StartsWith("line 4 '!'"));
  CHECK_THAT(file.problems()[3], Catch::StartsWith("line 5 'tail\\'") && Catch::Contains("trailing"));
}
