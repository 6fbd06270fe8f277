#include "config/merge.h"

#include <catch2/catch.hpp>

namespace dc = devwatch::config;
using nlohmann::json;

TEST_CASE("merge_settings follows RFC 7386", "[config]") {
  struct Case {
    const char* base;
    const char* over;
    const char* expected;
  };
  const Case cases[] = {
      // objects merge key by key, recursively
      {R"({"watch": {"settleMs": 20, "backend": "auto"}})", R"({"watch": {"settleMs": 50}})",
       R"({"watch": {"settleMs": 50, "backend": "auto"}})"},
      // arrays replace, never concatenate
      {R"({"watch": {"exclude": ["a"]}})", R"({"watch": {"exclude": ["b", "c"]}})", R"({"watch": {"exclude": ["b", "c"]}})"},
      // null removes
      {R"({"servers": {"web": {"command": ["x"]}, "db": {"command": ["y"]}}})", R"({"servers": {"web": null}})",
       R"({"servers": {"db": {"command": ["y"]}}})"},
      {R"({"servers": {"web": {"command": ["x"], "cwd": "a"}}})", R"({"servers": {"web": {"cwd": null}}})",
       R"({"servers": {"web": {"command": ["x"]}}})"},
      // a client server is added next to the file's
      {R"({"servers": {"web": {"command": ["x"]}}})", R"({"servers": {"celery": {"command": ["c"]}}})",
       R"({"servers": {"web": {"command": ["x"]}, "celery": {"command": ["c"]}}})"},
      // a scalar replaces an object and vice versa
      {R"({"servers": {"web": {"command": "x"}}})", R"({"servers": {"web": {"command": ["a"]}}})",
       R"({"servers": {"web": {"command": ["a"]}}})"},
      // nulls inside a new object are dropped
      {R"({})", R"({"watch": {"settleMs": null, "backend": "poll"}})", R"({"watch": {"backend": "poll"}})"},
      // no client settings: the file unchanged
      {R"({"watch": {"settleMs": 5}})", "null", R"({"watch": {"settleMs": 5}})"},
      {R"({"watch": {"settleMs": 5}})", "{}", R"({"watch": {"settleMs": 5}})"},
      // ready probes merge too: replacing a port probe by a pattern needs "port": null
      {R"({"ready": {"port": 8000}})", R"({"ready": {"pattern": "up", "port": null}})", R"({"ready": {"pattern": "up"}})"},
  };
  for (const auto& c : cases) {
    INFO(c.base << " + " << c.over);
    CHECK(dc::merge_settings(json::parse(c.base), json::parse(c.over)) == json::parse(c.expected));
  }
}

TEST_CASE("merge_config validates the merged document", "[config]") {
  json file = json::parse(R"({"servers": {"web": {"command": ["python", "manage.py", "runserver"],
                                                  "restartOn": ["**/*.py"]}}})");
  SECTION("client settings win") {
    auto r = dc::merge_config(file, json::parse(R"({"servers": {"web": {"restartOn": ["app/**"], "stopSignal": "SIGTERM"}},
                                                     "watch": {"settleMs": 100}})"),
                              "/ws");
    REQUIRE(r.ok());
    CHECK(r->watch.settle_ms == 100);
    REQUIRE(r->servers.size() == 1);
    CHECK(r->servers[0].restart_on == std::vector<std::string>{"app/**"});
    CHECK(r->servers[0].command.size() == 3);
    CHECK(r->servers[0].stop_signal == SIGTERM);
  }
  SECTION("a client null removes a server") {
    auto r = dc::merge_config(file, json::parse(R"({"servers": {"web": null}})"), "/ws");
    REQUIRE(r.ok());
    CHECK(r->servers.empty());
  }
  SECTION("an invalid client value is reported at its merged path") {
    auto r = dc::merge_config(file, json::parse(R"({"servers": {"web": {"stopSignal": "SIGFOO"}}})"), "/ws");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == devwatch::ErrorCode::ConfigInvalid);
    CHECK(r.error().message.find("servers.web.stopSignal: unknown signal \"SIGFOO\"") != std::string::npos);
  }
  SECTION("a client string command without shell is still refused") {
    auto v = dc::validate_merged(file, json::parse(R"({"servers": {"web": {"command": "python x.py"}}})"), "/ws");
    REQUIRE(v.issues.size() == 1);
    CHECK(v.issues[0].path == "servers.web.command");
  }
  SECTION("no file") {
    auto r = dc::merge_config(json(), json::parse(R"({"servers": {"a": {"command": ["x"]}}})"), "/ws");
    REQUIRE(r.ok());
    CHECK(r->servers.at(0).name == "a");
  }
}
