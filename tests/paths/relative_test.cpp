#include "paths/relative.h"

#include <catch2/catch.hpp>

using devwatch::paths::relative_to;

TEST_CASE("relative_to gives the part below the base, or nothing") {
  CHECK(relative_to("/r/a/b", "/r") == std::optional<std::string_view>("a/b"));
  CHECK(relative_to("/r/a/b", "/r/") == std::optional<std::string_view>("a/b"));
  CHECK(relative_to("/r/a", "/") == std::optional<std::string_view>("r/a"));
  CHECK_FALSE(relative_to("/r", "/r"));
  CHECK_FALSE(relative_to("/r/", "/r"));
  CHECK_FALSE(relative_to("/rx/a", "/r"));
  CHECK_FALSE(relative_to("/other", "/r"));
  CHECK_FALSE(relative_to("/r/a", ""));
}
