#include "config/load.h"

#include <catch2/catch.hpp>

#include "config/config_test_support.h"

namespace dc = devwatch::config;
using dc::test::env_of;
using dc::test::TempDir;
using nlohmann::json;

TEST_CASE("load: devwatch.json at the root", "[config][load]") {
  TempDir dir;
  dir.write("devwatch.json", R"({"servers": {"web": {"command": ["node", "server.js"]}}})");
  dir.write("manage.py", "");  // a file with "servers" wins over detection
  auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
  REQUIRE(r.ok());
  CHECK(r->source == dc::ConfigSource::File);
  CHECK(r->description == dir.path() + "/devwatch.json");
  CHECK(r->file_path == dir.path() + "/devwatch.json");
  REQUIRE(r->config.servers.size() == 1);
  CHECK(r->config.servers[0].name == "web");

  auto merged = dc::load_workspace_config(dir.path(), json::parse(R"({"watch": {"settleMs": 7}})"), env_of({}));
  REQUIRE(merged.ok());
  CHECK(merged->description == dir.path() + "/devwatch.json + client settings");
  CHECK(merged->config.watch.settle_ms == 7);
}

TEST_CASE("load: an invalid file is an error naming the file, never a fallback", "[config][load]") {
  TempDir dir;
  dir.write("manage.py", "");
  SECTION("syntax") {
    dir.write("devwatch.json", "{\n  \"servers\": {,}\n}");
    auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == devwatch::ErrorCode::ConfigInvalid);
    CHECK(r.error().message.starts_with(dir.path() + "/devwatch.json is invalid (1 problem"));
    CHECK(r.error().message.find("line 2, column 15") != std::string::npos);
  }
  SECTION("semantics") {
    dir.write("devwatch.json", R"({"servers": {"web": {"command": "x"}}})");
    auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("servers.web.command: expected a non-empty array") != std::string::npos);
  }
  SECTION("a client setting makes the merge invalid") {
    dir.write("devwatch.json", R"({"servers": {"web": {"command": ["x"]}}})");
    auto r = dc::load_workspace_config(dir.path(), json::parse(R"({"servers": {"web": {"outputLines": 0}}})"),
                                       env_of({}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.starts_with(dir.path() + "/devwatch.json merged with client settings is invalid"));
  }
  SECTION("too large") {
    dir.write("devwatch.json", "{" + std::string(2 * 1024 * 1024, ' ') + "}");
    auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("over 1 MiB") != std::string::npos);
  }
}

TEST_CASE("load: detected Django project", "[config][load]") {
  TempDir dir;
  dir.write("manage.py", "");
  std::string py = dir.write(".venv/bin/python", "#!/bin/sh\n", true);
  SECTION("no file at all") {
    auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
    REQUIRE(r.ok());
    CHECK(r->source == dc::ConfigSource::DetectedDjango);
    CHECK(r->description == "detected Django project");
    REQUIRE(r->config.servers.size() == 1);
    CHECK(r->config.servers[0].command.at(0) == py);
    CHECK_FALSE(r->explanation.empty());
  }
  SECTION("a file with only watch settings keeps detection") {
    dir.write("devwatch.json", R"({"watch": {"settleMs": 30}})");
    auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
    REQUIRE(r.ok());
    CHECK(r->source == dc::ConfigSource::DetectedDjango);
    CHECK(r->description == "detected Django project (watch settings from " + dir.path() + "/devwatch.json)");
    CHECK(r->config.watch.settle_ms == 30);
    CHECK(r->config.servers.size() == 1);
  }
  SECTION("\"servers\": {} turns detection off") {
    dir.write("devwatch.json", R"({"servers": {}})");
    auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
    REQUIRE(r.ok());
    CHECK(r->source == dc::ConfigSource::File);
    CHECK(r->config.servers.empty());
  }
  SECTION("client servers turn detection off") {
    auto r = dc::load_workspace_config(dir.path(), json::parse(R"({"servers": {"api": {"command": ["x"]}}})"),
                                       env_of({}));
    REQUIRE(r.ok());
    CHECK(r->source == dc::ConfigSource::Client);
    CHECK(r->description == "client settings");
    REQUIRE(r->config.servers.size() == 1);
    CHECK(r->config.servers[0].name == "api");
  }
}

TEST_CASE("load: nothing to run", "[config][load]") {
  TempDir dir;
  auto r = dc::load_workspace_config(dir.path(), json(), env_of({}));
  REQUIRE(r.ok());
  CHECK(r->source == dc::ConfigSource::None);
  CHECK(r->description == "none");
  CHECK(r->config.servers.empty());
  CHECK(r->config.watch.settle_ms == 20);
}

TEST_CASE("load: nothing to run, but a project in a parent folder is the hint", "[config][load]") {
  TempDir dir;
  dir.write("project/manage.py", "");
  dir.write("project/blog/views.py", "");
  const std::string project = dir.path() + "/project";
  auto r = dc::load_workspace_config(project + "/blog", json(), env_of({}));
  REQUIRE(r.ok());
  CHECK(r->config.servers.empty());
  CHECK(r->hint == "manage.py found in " + project + ": open that folder, or add devwatch.json here");
  REQUIRE_FALSE(r->explanation.empty());
  CHECK(r->explanation.back() == r->hint);  // devwatch check prints the explanation

  SECTION("the nearest folder wins, devwatch.json before manage.py") {
    dir.write("project/blog/api/devwatch.json", "{}");
    dir.write("project/blog/manage.py", "");
    dir.write("project/blog/devwatch.json", "{}");
    auto above = dc::find_project_above(project + "/blog/api/v1", env_of({}));
    REQUIRE(above);
    CHECK(above->file == "devwatch.json");
    CHECK(above->folder == project + "/blog/api");
  }
  SECTION("the search stops at $HOME, which is searched too") {
    CHECK_FALSE(dc::find_project_above(project + "/blog", env_of({{"HOME", project + "/blog"}})));
    auto at_home = dc::find_project_above(project + "/blog/x", env_of({{"HOME", project + "/"}}));
    REQUIRE(at_home);
    CHECK(at_home->folder == project);
    CHECK_FALSE(dc::find_project_above(project, env_of({{"HOME", project}})));
  }
  SECTION("no hint when the root has a devwatch.json") {
    dir.write("project/blog/devwatch.json", "{}");
    CHECK(dc::load_workspace_config(project + "/blog", json(), env_of({}))->hint.empty());
  }
  SECTION("no hint when the client's settings name the servers") {
    auto with_servers = dc::load_workspace_config(project + "/blog", json::parse(R"({"servers": {}})"), env_of({}));
    CHECK(with_servers->hint.empty());
  }
}
