#include "session/params.h"

#include <catch2/catch.hpp>

#include "session/protocol.h"

using namespace devwatch;
using namespace devwatch::session;

TEST_CASE("field errors name the field and the types") {
  json p{{"name", 3}, {"n", "x"}, {"list", json::array({"a", 2})}};
  {
    ParamReader r(p);
    r.string("name", true);
    REQUIRE(r.error().code == ErrorCode::InvalidParams);
    REQUIRE(r.error().message == "params.name: expected a string, got number");
  }
  {
    ParamReader r(p);
    r.integer("n", true);
    REQUIRE(r.error().message == "params.n: expected an integer, got string");
  }
  {
    ParamReader r(p);
    r.strings("list", true);
    REQUIRE(r.error().message == "params.list[1]: expected a string, got number");
  }
  {
    ParamReader r(p);
    r.string("missing", true);
    REQUIRE(r.error().message == "params.missing: required string is missing");
  }
  {
    const json array = json::array();
    ParamReader r(array);
    REQUIRE_FALSE(r.ok());
  }
}

TEST_CASE("null counts as absent for optional fields") {
  const json params{{"x", nullptr}};
  ParamReader r(params);
  REQUIRE_FALSE(r.string("x", false).has_value());
  REQUIRE(r.ok());
}

TEST_CASE("initialize takes workspaceFolders, else rootUri, else rootPath") {
  auto a = InitializeParams::parse(json{{"processId", 12},
                                        {"rootUri", "file:///ignored"},
                                        {"workspaceFolders", {{{"uri", "file:///tmp/a%20b"}, {"name", "ab"}}}},
                                        {"capabilities", {{"window", {{"workDoneProgress", true}}}}}});
  REQUIRE(a);
  REQUIRE(a->process_id == 12);
  REQUIRE(a->folders.size() == 1);
  REQUIRE(a->folders[0].path == "/tmp/a b");
  REQUIRE(a->work_done_progress);
  REQUIRE_FALSE(a->related_information);
  auto b = InitializeParams::parse(json{{"processId", nullptr}, {"rootUri", "file:///srv/x/"}});
  REQUIRE(b);
  REQUIRE(b->folders.at(0).path == "/srv/x");
  REQUIRE(b->folders.at(0).name == "x");
  auto c = InitializeParams::parse(json{{"rootPath", "/srv/y"}});
  REQUIRE(c->folders.at(0).uri == "file:///srv/y");
  auto d = InitializeParams::parse(json{{"workspaceFolders", nullptr}});
  REQUIRE(d->folders.empty());
}

TEST_CASE("a client capability is on only when the client says true") {
  auto with = [](json caps) { return InitializeParams::parse(json{{"capabilities", caps}}).value(); };
  REQUIRE(with(json{{"textDocument", {{"publishDiagnostics", {{"relatedInformation", true}}}}}}).related_information);
  REQUIRE_FALSE(with(json{{"textDocument", {{"publishDiagnostics", {{"relatedInformation", false}}}}}}).related_information);
  REQUIRE_FALSE(with(json{{"textDocument", {{"publishDiagnostics", json::object()}}}}).related_information);
  REQUIRE_FALSE(with(json{{"textDocument", nullptr}}).related_information);
  REQUIRE_FALSE(with(json::object()).related_information);
  REQUIRE_FALSE(with(json{{"window", {{"workDoneProgress", "yes"}}}}).work_done_progress);
}

TEST_CASE("bad initialize params are InvalidParams naming the field") {
  auto a = InitializeParams::parse(json{{"processId", "12"}});
  REQUIRE(a.error().message.find("params.processId") == 0);
  auto b = InitializeParams::parse(json{{"workspaceFolders", {{{"uri", "http://x/y"}}}}});
  REQUIRE(b.error().message.find("params.workspaceFolders[0].uri") == 0);
  auto c = InitializeParams::parse(json{{"rootPath", "relative"}});
  REQUIRE_FALSE(c);
}
