// docs/devwatch.schema.json and the validator must not drift apart: every
// property the schema offers is accepted, and its default is the code's.
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <sstream>

#include "config/config.h"

namespace dc = devwatch::config;
using nlohmann::json;

namespace {

json load_schema() {
  std::ifstream in(std::string(DEVWATCH_DOCS_DIR) + "/devwatch.schema.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

}  // namespace

TEST_CASE("schema defaults are the validator's defaults", "[config][schema]") {
  json schema = load_schema();
  CHECK(schema["$schema"] == "http://json-schema.org/draft-07/schema#");

  json watch = json::object();
  for (const auto& [key, prop] : schema["properties"]["watch"]["properties"].items()) {
    INFO(key);
    REQUIRE(prop.contains("description"));
    REQUIRE(prop.contains("default"));
    watch[key] = prop["default"];
  }
  json server = {{"command", json::array({"x"})}};
  for (const auto& [key, prop] : schema["definitions"]["server"]["properties"].items()) {
    INFO(key);
    REQUIRE(prop.contains("description"));
    if (prop.contains("default")) server[key] = prop["default"];
  }
  auto v = dc::validate_config_json(json{{"watch", watch}, {"servers", {{"w", server}}}}, "/ws");
  INFO((v.issues.empty() ? std::string() : v.issues[0].to_string()));
  REQUIRE(v.ok());
  const dc::WatchSettings defaults;
  CHECK(v.config->watch.exclude == defaults.exclude);
  CHECK(v.config->watch.respect_gitignore == defaults.respect_gitignore);
  CHECK(v.config->watch.settle_ms == defaults.settle_ms);
  CHECK(v.config->watch.backend == defaults.backend);
  CHECK(v.config->watch.poll_interval_ms == defaults.poll_interval_ms);

  const devwatch::supervise::ServerSpec spec_defaults;
  const auto& s = v.config->servers.at(0);
  CHECK(s.shell == spec_defaults.shell);
  CHECK(s.cwd == "/ws");
  CHECK(s.restart_on == spec_defaults.restart_on);
  CHECK(s.ignore == spec_defaults.ignore);
  CHECK(s.stop_signal == spec_defaults.stop_signal);
  CHECK(s.stop_timeout_ms == spec_defaults.stop_timeout_ms);
  CHECK(s.auto_start == spec_defaults.auto_start);
  CHECK(s.auto_restart == spec_defaults.auto_restart);
  CHECK(s.output_lines == spec_defaults.output_lines);

  // Every ready property the schema lists is accepted.
  json ready = json::object();
  for (const auto& [key, prop] : schema["definitions"]["server"]["properties"]["ready"]["properties"].items()) {
    ready[key] = prop["type"] == "integer" ? json(8000) : json("x");
  }
  server["ready"] = ready;
  CHECK(dc::validate_config_json(json{{"servers", {{"w", server}}}}, "/ws").ok());
}
