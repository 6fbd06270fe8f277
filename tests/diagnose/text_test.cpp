#include "diagnose/text.h"

#include <catch2/catch.hpp>

namespace dd = devwatch::diagnose;

TEST_CASE("trim", "[diagnose]") {
  CHECK(dd::trim("  a b \t\r\n") == "a b");
  CHECK(dd::trim_right("  a \r") == "  a");
  CHECK(dd::trim("   ").empty());
}

TEST_CASE("truncate_utf8 never splits a code point", "[diagnose]") {
  CHECK(dd::truncate_utf8("short") == "short");
  std::string s(dd::kMaxTextBytes - 1, 'a');
  s += "\xc3\xa9tail";  // "é" straddles the limit
  std::string cut = dd::truncate_utf8(s);
  CHECK(cut == std::string(dd::kMaxTextBytes - 1, 'a') + "\u2026");
}

TEST_CASE("utf16_column", "[diagnose]") {
  CHECK(dd::utf16_column("abc", 2) == 2);
  CHECK(dd::utf16_column("\xc3\xa9x", 2) == 2);             // é: one unit
  CHECK(dd::utf16_column("\xf0\x9f\x98\x80x", 2) == 3);     // emoji: two units
  CHECK(dd::utf16_column("ab", 5) == 5);                     // past the end: one per position
  CHECK(dd::utf16_column("\xff\xfe", 2) == 2);               // invalid bytes count one each
  CHECK(dd::code_point_count("\xc3\xa9\xf0\x9f\x98\x80") == 2);
}
