#include "diagnose/python_traceback.h"

#include <catch2/catch.hpp>
#include <map>

#include "diagnose/test_support.h"
#include "diagnose/text.h"

namespace dd = devwatch::diagnose;
using dd::test::split_lines;

namespace {

// Source files as the reader sees them, keyed by absolute path.
dd::SourceLineReader sources(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& path, int line) -> std::optional<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    auto lines = split_lines(it->second);
    if (line < 1 || static_cast<std::size_t>(line) > lines.size()) return std::nullopt;
    return lines[static_cast<std::size_t>(line - 1)];
  };
}

dd::SourceLineReader no_sources() {
  return [](const std::string&, int) -> std::optional<std::string> { return std::nullopt; };
}

std::vector<dd::CrashReport> run(const std::vector<std::string>& lines, const std::string& root = "/ws",
                                 dd::SourceLineReader reader = no_sources()) {
  dd::CrashParser parser(dd::CrashParserOptions{root, {}, std::move(reader)});
  std::vector<dd::CrashReport> out;
  for (const auto& l : lines) {
    for (auto& r : parser.feed(l)) out.push_back(std::move(r));
  }
  for (auto& r : parser.finish()) out.push_back(std::move(r));
  return out;
}

std::vector<std::string> fixture(const std::string& name, const std::string& root = "/ws") {
  std::string text = dd::test::read_file(std::string(DEVWATCH_DIAGNOSE_FIXTURES) + "/" + name);
  REQUIRE_FALSE(text.empty());
  return split_lines(dd::test::replace_all(text, "@ROOT@", root));
}

bool has_related(const dd::Diagnostic& d, const std::string& path, int line, const std::string& message) {
  for (const auto& r : d.related) {
    if (r.location.path == path && r.location.line == line && r.message == message) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("fixtures captured from real Python 3.11 and Django 3.2 runs", "[diagnose]") {
  struct Case {
    const char* file;
    const char* path;
    int line;
    const char* message;
  };
  const Case cases[] = {
      {"chained_cause.txt", "/ws/helper.py", 4, "ValueError: bad x"},
      {"chained_context.txt", "/ws/handling.py", 4, "NameError: name 'undefined_name' is not defined"},
      {"syntax_import.txt", "/ws/bad.py", 0, "SyntaxError: invalid syntax"},
      {"syntax_script.txt", "/ws/bad.py", 0, "SyntaxError: invalid syntax"},
      {"indentation_error.txt", "/ws/ind.py", 2, "IndentationError: unexpected indent"},
      {"tab_error.txt", "/ws/tabs.py", 2, "TabError: inconsistent use of tabs and spaces in indentation"},
      {"django_runserver_syntax_error.txt", "/ws/dj/mysite/urls.py", 20,
       "SyntaxError: closing parenthesis ']' does not match opening parenthesis '(' on line 19"},
      {"django_request_500.txt", "/ws/dj/mysite/views.py", 2, "KeyError: 'missing'"},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    auto reports = run(fixture(c.file));
    REQUIRE(reports.size() == 1);
    REQUIRE(reports[0].diagnostic);
    const auto& d = *reports[0].diagnostic;
    CHECK(d.location.path == c.path);
    CHECK(d.location.line == c.line);
    CHECK(d.message == c.message);
    CHECK(d.source == "devwatch");
    CHECK(d.severity == 1);
    CHECK(reports[0].final_exception() == c.message);
  }
}

TEST_CASE("chained exceptions: the cause becomes related information", "[diagnose]") {
  auto reports = run(fixture("chained_cause.txt"));
  REQUIRE(reports.size() == 1);
  REQUIRE(reports[0].chain.size() == 2);
  CHECK(reports[0].chain[0].link_to_next == dd::ChainLink::Cause);
  CHECK(reports[0].chain[0].exception == "ZeroDivisionError: division by zero");
  const auto& d = *reports[0].diagnostic;
  CHECK(has_related(d, "/ws/helper.py", 2, "caused by ZeroDivisionError: division by zero"));
  CHECK(has_related(d, "/ws/app.py", 3, "in <module>: view(0)"));
  CHECK(has_related(d, "/ws/app.py", 2, "in view: return helper.compute(x)"));
  CHECK(d.related.size() == 3);

  auto context = run(fixture("chained_context.txt"));
  REQUIRE(context.size() == 1);
  CHECK(context[0].chain[0].link_to_next == dd::ChainLink::Context);
  CHECK(has_related(*context[0].diagnostic, "/ws/handling.py", 2, "raised while handling KeyError: 'k'"));
}

TEST_CASE("Django startup crash: the syntax error in urls.py, not Django's frames", "[diagnose]") {
  auto reports = run(fixture("django_runserver_syntax_error.txt"));
  REQUIRE(reports.size() == 1);
  const auto& d = *reports[0].diagnostic;
  // manage.py frames are in the workspace too and come as related entries.
  CHECK(has_related(d, "/ws/dj/manage.py", 21, "in <module>: main()"));
  // "<frozen importlib._bootstrap>" is no file: never related.
  for (const auto& r : d.related) CHECK(r.location.path.front() == '/');
}

TEST_CASE("Django request error is complete when the access log line arrives", "[diagnose]") {
  dd::CrashParser parser(dd::CrashParserOptions{"/ws", {}, no_sources()});
  auto lines = fixture("django_request_500.txt");
  std::size_t emitted_at = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto reports = parser.feed(lines[i]);
    if (!reports.empty()) {
      CHECK(emitted_at == 0);
      emitted_at = i;
    }
  }
  REQUIRE(emitted_at > 0);
  CHECK(lines[emitted_at].find("\"GET / HTTP/1.1\" 500") != std::string::npos);
  CHECK(parser.finish().empty());
}

TEST_CASE("a traceback with every frame outside the workspace gives no diagnostic", "[diagnose]") {
  auto reports = run(fixture("all_frames_outside.txt"));
  REQUIRE(reports.size() == 1);
  CHECK_FALSE(reports[0].diagnostic);
  CHECK(reports[0].final_exception().starts_with("json.decoder.JSONDecodeError: Expecting property name"));
  CHECK(dd::parse_python_crash(fixture("all_frames_outside.txt"), "/ws").empty());
}

TEST_CASE("columns come from carets and the real source line", "[diagnose]") {
  SECTION("SyntaxError caret") {
    auto reports = run(fixture("syntax_import.txt"), "/ws", sources({{"/ws/bad.py", "def f(:\n    pass\n"}}));
    const auto& loc = reports.at(0).diagnostic->location;
    CHECK(loc.column == 6);
    CHECK(loc.end_column == 7);
  }
  SECTION("3.11 caret range under an indented frame line") {
    auto reports = run(fixture("django_request_500.txt"), "/ws",
                       sources({{"/ws/dj/mysite/views.py",
                                 "def home(request):\n    data = {\"a\": 1}\n    return data[\"missing\"]\n"}}));
    const auto& loc = reports.at(0).diagnostic->location;
    CHECK(loc.column == 11);  // 4 spaces + `return `
    CHECK(loc.end_column == 26);
  }
  SECTION("no caret: the whole code of the line") {
    auto reports = run(fixture("indentation_error.txt"), "/ws",
                       sources({{"/ws/ind.py", "def f():\n    x = 1\n      y = 2\n"}}));
    const auto& loc = reports.at(0).diagnostic->location;
    CHECK(loc.column == 6);
    CHECK(loc.end_column == 11);
  }
  SECTION("the file changed since: no column is claimed") {
    auto reports = run(fixture("syntax_import.txt"), "/ws", sources({{"/ws/bad.py", "x = 1\n"}}));
    const auto& loc = reports.at(0).diagnostic->location;
    CHECK(loc.line == 0);
    CHECK(loc.column == 0);
    CHECK(loc.end_column == -1);
  }
  SECTION("unreadable file: line only") {
    auto reports = run(fixture("syntax_import.txt"));
    CHECK(reports.at(0).diagnostic->location.column == 0);
    CHECK(reports.at(0).diagnostic->location.end_column == -1);
  }
  SECTION("columns are UTF-16 code units") {
    // "é" is one unit, the emoji two: `boom` starts at code point 4 + 11
    // of the source line, which is UTF-16 column 16.
    std::vector<std::string> lines = {
        "Traceback (most recent call last):",
        "  File \"/ws/u.py\", line 2, in f",
        "    s = \"é😀\" + boom()",
        "               ^^^^^^",
        "NameError: name 'boom' is not defined",
    };
    auto reports = run(lines, "/ws", sources({{"/ws/u.py", "def f():\n    s = \"é😀\" + boom()\n"}}));
    const auto& loc = reports.at(0).diagnostic->location;
    CHECK(loc.column == 16);
    CHECK(loc.end_column == 22);
  }
}

TEST_CASE("frames in site-packages, venvs and pseudo-files are skipped", "[diagnose]") {
  std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"/ws/app/views.py\", line 10, in index",
      "    return render(request)",
      "  File \"/ws/.venv/lib/python3.12/site-packages/django/shortcuts.py\", line 24, in render",
      "    content = loader.render_to_string(template_name, context, request, using=using)",
      "  File \"/ws/venv/lib/python3.12/foo.py\", line 1, in x",
      "  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads",
      "  File \"<frozen importlib._bootstrap>\", line 241, in _call_with_frames_removed",
      "django.template.exceptions.TemplateDoesNotExist: index.html",
  };
  auto reports = run(lines);
  REQUIRE(reports.size() == 1);
  const auto& d = *reports[0].diagnostic;
  CHECK(d.location.path == "/ws/app/views.py");
  CHECK(d.location.line == 9);
  CHECK(d.message == "django.template.exceptions.TemplateDoesNotExist: index.html");
  CHECK(d.related.size() == 3);  // the three real files other than views.py
}

TEST_CASE("is_workspace_source", "[diagnose]") {
  struct Case {
    const char* path;
    const char* root;
    bool expected;
  };
  const Case cases[] = {
      {"/ws/a.py", "/ws", true},
      {"/ws/pkg/sub/a.py", "/ws/", true},
      {"/wsx/a.py", "/ws", false},
      {"/ws", "/ws", false},
      {"/ws/.venv/lib/python3.11/site-packages/a.py", "/ws", false},
      {"/ws/venv/bin/x.py", "/ws", false},
      {"/ws/lib/site-packages/a.py", "/ws", false},
      {"/ws/x/dist-packages/a.py", "/ws", false},
      {"/ws/.tox/py311/a.py", "/ws", false},
      {"/home/u/venv/proj/a.py", "/home/u/venv/proj", true},  // only below the root counts
      {"/usr/lib/python3.11/json/__init__.py", "/ws", false},
      {"", "/ws", false},
      {"/a.py", "/", true},
  };
  for (const auto& c : cases) {
    INFO(c.path << " under " << c.root);
    CHECK(dd::is_workspace_source(c.path, c.root) == c.expected);
  }
}

TEST_CASE("relative frame paths resolve against the server's cwd", "[diagnose]") {
  std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"manage.py\", line 22, in <module>",
      "  File \"./app/../app/models.py\", line 3, in <module>",
      "RuntimeError: boom",
  };
  dd::CrashParser parser(dd::CrashParserOptions{"/ws", "/ws/backend", no_sources()});
  std::vector<dd::CrashReport> reports;
  for (const auto& l : lines) parser.feed(l);
  reports = parser.finish();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].diagnostic->location.path == "/ws/backend/app/models.py");
  CHECK(has_related(*reports[0].diagnostic, "/ws/backend/manage.py", 21, "in <module>"));
}

TEST_CASE("garbage, interleaving and odd input", "[diagnose]") {
  SECTION("plain output gives nothing") {
    std::vector<std::string> lines = {
        "Watching for file changes with StatReloader",
        "[25/Nov/2026 16:12:36] \"GET / HTTP/1.1\" 200 1234",
        "  File \"/ws/a.py\", line 3, in f",  // a frame line outside a traceback
        "ValueError: looks like an exception but no traceback precedes it",
        "",
        std::string("\xff\xfe\x00binary", 9),
        "Traceback (most recent call last): and more text",
    };
    CHECK(run(lines).empty());
  }
  SECTION("a traceback cut off by a new one keeps only the new one") {
    std::vector<std::string> lines = {
        "Traceback (most recent call last):",
        "  File \"/ws/old.py\", line 1, in f",
        "Traceback (most recent call last):",
        "  File \"/ws/new.py\", line 7, in g",
        "OSError: disk",
    };
    auto reports = run(lines);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].diagnostic->location.path == "/ws/new.py");
    CHECK(reports[0].chain[0].frames.size() == 1);
  }
  SECTION("a half-printed traceback at exit is dropped") {
    std::vector<std::string> lines = {"Traceback (most recent call last):", "  File \"/ws/a.py\", line 1, in f"};
    CHECK(run(lines).empty());
  }
  SECTION("a traceback drowned in unrelated lines is abandoned") {
    std::vector<std::string> lines = {"Traceback (most recent call last):"};
    for (int i = 0; i < 60; ++i) lines.push_back("some log line " + std::to_string(i) + " (no colon)");
    lines.push_back("ValueError: too late");
    CHECK(run(lines).empty());
  }
  SECTION("two tracebacks in a row give two reports") {
    std::vector<std::string> lines = {
        "Traceback (most recent call last):", "  File \"/ws/a.py\", line 1, in f", "KeyError: 'a'",
        "Traceback (most recent call last):", "  File \"/ws/b.py\", line 2, in g", "KeyboardInterrupt",
    };
    auto reports = run(lines);
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].diagnostic->location.path == "/ws/a.py");
    CHECK(reports[1].diagnostic->message == "KeyboardInterrupt");
  }
  SECTION("CRLF line endings and a container log prefix") {
    std::vector<std::string> lines = {
        "web-1  | Traceback (most recent call last):\r",
        "web-1  |   File \"/ws/a.py\", line 5, in f\r",
        "db-1   | LOG:  checkpoint starting: time\r",
        "web-1  |     x()\r",
        "web-1  | NameError: name 'x' is not defined\r",
        "web-1  | \r",
        "web-1  | Quit the server with CONTROL-C.\r",
    };
    auto reports = run(lines);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].diagnostic->location.path == "/ws/a.py");
    CHECK(reports[0].diagnostic->location.line == 4);
    CHECK(reports[0].diagnostic->message == "NameError: name 'x' is not defined");
    CHECK(reports[0].chain[0].frames[0].code == "x()");
  }
  SECTION("RecursionError's repeat note is not taken as code") {
    std::vector<std::string> lines = {
        "Traceback (most recent call last):",
        "  File \"/ws/r.py\", line 2, in f",
        "    return f()",
        "           ^^^",
        "  [Previous line repeated 996 more times]",
        "RecursionError: maximum recursion depth exceeded",
    };
    auto reports = run(lines);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].chain[0].frames[0].code == "return f()");
    CHECK(reports[0].chain[0].frames[0].caret_start == 7);
    CHECK(reports[0].chain[0].frames[0].caret_end == 10);
  }
}

TEST_CASE("very long lines and very deep tracebacks stay bounded", "[diagnose]") {
  std::string huge(2 * 1024 * 1024, 'x');
  std::vector<std::string> lines = {"Traceback (most recent call last):"};
  for (int i = 1; i <= 1000; ++i) {
    lines.push_back("  File \"/ws/deep.py\", line " + std::to_string(i) + ", in f");
    lines.push_back("    " + huge.substr(0, 100));
  }
  lines.push_back("  File \"/ws/" + huge + ".py\", line 1, in g");
  lines.push_back("    " + huge);
  lines.push_back("ValueError: " + huge);
  lines.push_back(huge);  // a flood line after the report
  auto reports = run(lines);
  REQUIRE(reports.size() == 1);
  const auto& part = reports[0].chain[0];
  CHECK(part.frames.size() == 200);
  CHECK(part.dropped_frames == 801);
  CHECK(part.frames.back().code.size() <= dd::kMaxTextBytes + 3);
  CHECK(part.exception.size() <= dd::kMaxTextBytes + 3);
  const auto& d = *reports[0].diagnostic;
  CHECK(d.message.size() <= dd::kMaxTextBytes + 3);
  CHECK(d.related.size() <= 64);
  // The innermost kept frame that is a workspace path wins.
  CHECK(d.location.path.starts_with("/ws/"));
}

TEST_CASE("the cause's frame is used when the final exception has none in the workspace", "[diagnose]") {
  std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"/ws/app/templatetags/tags.py\", line 8, in shout",
      "    return value.upper()",
      "AttributeError: 'int' object has no attribute 'upper'",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      "  File \"/usr/lib/python3/dist-packages/django/template/base.py\", line 10, in render",
      "django.template.TemplateSyntaxError: shout failed",
  };
  auto reports = run(lines);
  REQUIRE(reports.size() == 1);
  const auto& d = *reports[0].diagnostic;
  CHECK(d.location.path == "/ws/app/templatetags/tags.py");
  CHECK(d.location.line == 7);
  CHECK(d.message == "django.template.TemplateSyntaxError: shout failed");
}

TEST_CASE("a report waits for a possible chained exception", "[diagnose]") {
  dd::CrashParser parser(dd::CrashParserOptions{"/ws", {}, no_sources()});
  CHECK(parser.feed("Traceback (most recent call last):").empty());
  CHECK(parser.feed("  File \"/ws/a.py\", line 1, in f").empty());
  CHECK(parser.feed("KeyError: 'k'").empty());
  CHECK(parser.feed("").empty());
  CHECK(parser.feed("During handling of the above exception, another exception occurred:").empty());
  CHECK(parser.feed("").empty());
  CHECK(parser.feed("Traceback (most recent call last):").empty());
  CHECK(parser.feed("  File \"/ws/a.py\", line 3, in f").empty());
  CHECK(parser.feed("TypeError: t").empty());
  auto reports = parser.finish();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].chain.size() == 2);
  CHECK(reports[0].diagnostic->location.line == 2);
  // The parser is reusable after finish().
  CHECK(parser.feed("Traceback (most recent call last):").empty());
  CHECK(parser.feed("  File \"/ws/b.py\", line 1, in f").empty());
  CHECK(parser.feed("KeyError: 'k'").empty());
  auto next = parser.feed("Starting development server at http://127.0.0.1:8000/");
  REQUIRE(next.size() == 1);
  CHECK(next[0].diagnostic->location.path == "/ws/b.py");
}
