// Tracebacks produced by a real interpreter at test time, so the parser is
// checked against whatever Python this machine runs, not only the fixtures.
#include <catch2/catch.hpp>

#include "diagnose/python_traceback.h"
#include "diagnose/test_support.h"

namespace dd = devwatch::diagnose;
namespace dt = devwatch::diagnose::test;

namespace {

std::vector<dd::Diagnostic> crash(const dt::TempDir& dir, const std::string& args) {
  std::string out = dt::run_capture(dir.path(), dt::python() + " " + args);
  INFO("python output:\n" << out);
  return dd::parse_python_crash(dt::split_lines(out), dir.path());
}

}  // namespace

TEST_CASE("real python: error in a helper module, innermost workspace frame", "[diagnose][python]") {
  dt::TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  dir.write("helper.py", "import json\n\ndef parse(text):\n    return json.loads(text)\n");
  dir.write("app.py", "import helper\n\ndef view():\n    return helper.parse('{bad')\n\nview()\n");
  auto diags = crash(dir, "app.py");
  REQUIRE(diags.size() == 1);
  const auto& d = diags[0];
  CHECK(d.location.path == dir.path() + "/helper.py");
  CHECK(d.location.line == 3);
  CHECK(d.message.starts_with("json.decoder.JSONDecodeError: "));
  // Python 3.11+ underlines `json.loads(text)`; older ones give the whole line.
  std::string out = dt::run_capture(dir.path(), dt::python() + " app.py");
  bool carets = out.find("^^^") != std::string::npos;
  CHECK(d.location.column == (carets ? 11 : 4));
  CHECK(d.location.end_column == 27);
  bool app_related = false;
  for (const auto& r : d.related) {
    if (r.location.path == dir.path() + "/app.py" && r.location.line == 3) app_related = true;
  }
  CHECK(app_related);
}

TEST_CASE("real python: SyntaxError on import, caret column", "[diagnose][python]") {
  dt::TempDir dir;
  dir.write("bad.py", "def ok():\n    pass\n\nif True:\n    x = (1,\n         2]\n");
  auto diags = crash(dir, "-c 'import bad'");
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].location.path == dir.path() + "/bad.py");
  CHECK(diags[0].location.line == 5);
  CHECK(diags[0].location.column == 10);  // the ']'
  CHECK(diags[0].location.end_column == 11);
  CHECK(diags[0].message.starts_with("SyntaxError: "));
}

TEST_CASE("real python: IndentationError in the main script", "[diagnose][python]") {
  dt::TempDir dir;
  dir.write("main.py", "def f():\n    x = 1\n        y = 2\n");
  auto diags = crash(dir, "main.py");
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].location.path == dir.path() + "/main.py");
  CHECK(diags[0].location.line == 2);
  CHECK(diags[0].message == "IndentationError: unexpected indent");
  CHECK(diags[0].location.column == 8);
}

TEST_CASE("real python: raise from, with the cause as related information", "[diagnose][python]") {
  dt::TempDir dir;
  dir.write("m.py",
            "def load(d):\n"
            "    try:\n"
            "        return d['key']\n"
            "    except KeyError as e:\n"
            "        raise RuntimeError('config broken') from e\n"
            "load({})\n");
  auto diags = crash(dir, "m.py");
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].location.line == 4);
  CHECK(diags[0].message == "RuntimeError: config broken");
  bool cause = false;
  for (const auto& r : diags[0].related) {
    if (r.message == "caused by KeyError: 'key'" && r.location.line == 2) cause = true;
  }
  CHECK(cause);
}

TEST_CASE("real python: an installed-package-only traceback gives no diagnostic", "[diagnose][python]") {
  dt::TempDir dir;
  auto diags = crash(dir, "-c 'import json; json.loads(\"{\")'");
  CHECK(diags.empty());
}
