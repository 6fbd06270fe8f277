#include "common/errno_text.h"

#include <cerrno>

#include <catch2/catch.hpp>

TEST_CASE("errno_text names the error and its symbol") {
  CHECK(devwatch::errno_text(ENOENT) == "No such file or directory (ENOENT)");
  CHECK(devwatch::errno_name(EACCES) == "EACCES");
}

TEST_CASE("errno_text of an unknown value still says which number") {
  CHECK(devwatch::errno_name(99999) == "errno 99999");
  CHECK(devwatch::errno_text(99999).find("errno 99999") != std::string::npos);
}
