#include <catch2/catch.hpp>

#include "proxy/live_reload.h"

using namespace devwatch::proxy;

namespace {
Head response(const std::string& extra, int status = 200) {
  return *parse_response_head("HTTP/1.1 " + std::to_string(status) + " X\r\n" + extra + "\r\n");
}
}  // namespace

TEST_CASE("HTML pages take the script; other types, HEAD and non-200 do not") {
  CHECK(decide_injection(response("Content-Type: text/html; charset=utf-8\r\n"), "GET").inject);
  CHECK_FALSE(decide_injection(response("Content-Type: application/json\r\n"), "GET").inject);
  CHECK_FALSE(decide_injection(response("Content-Type: text/html\r\n"), "HEAD").inject);
  CHECK_FALSE(decide_injection(response("Content-Type: text/html\r\n", 404), "GET").inject);
}

TEST_CASE("compressed pages and CSPs without 'self' are skipped with a reason") {
  auto gz = decide_injection(response("Content-Type: text/html\r\nContent-Encoding: gzip\r\n"), "GET");
  CHECK_FALSE(gz.inject);
  CHECK(gz.reason.find("gzip") != std::string::npos);
  auto csp = decide_injection(
      response("Content-Type: text/html\r\nContent-Security-Policy: default-src 'none'; img-src *\r\n"), "GET");
  CHECK_FALSE(csp.inject);
  CHECK(csp.reason.find("default-src") != std::string::npos);
  auto connect = decide_injection(
      response("Content-Type: text/html\r\nContent-Security-Policy: script-src 'self'; connect-src https://api\r\n"),
      "GET");
  CHECK_FALSE(connect.inject);
  CHECK(connect.reason.find("connect-src") != std::string::npos);
  CHECK(decide_injection(response("Content-Type: text/html\r\nContent-Security-Policy: default-src 'self'\r\n"), "GET")
            .inject);
}

TEST_CASE("changed files: stylesheets swap, templates and assets reload, bytecode does nothing") {
  CHECK(classify_changes({"/p/static/site.css"}) == ChangeKind::Css);
  CHECK(classify_changes({"/p/static/site.css", "/p/blog/templates/blog/index.html"}) == ChangeKind::Reload);
  CHECK(classify_changes({"/p/static/app.js"}) == ChangeKind::Reload);
  CHECK(classify_changes({"/p/blog/__pycache__/views.cpython-311.pyc", "/p/db.sqlite3"}) == ChangeKind::None);
  CHECK(classify_changes({"/p/notes.py"}) == ChangeKind::None);
}

TEST_CASE("requests for pages are recognised by Accept") {
  CHECK(wants_html(*parse_request_head("GET / HTTP/1.1\r\nAccept: text/html,application/xhtml+xml\r\n\r\n")));
  CHECK_FALSE(wants_html(*parse_request_head("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")));
}
