// "preload" in devwatch.json: true, false or module names; anything else is
// a config issue that names the key.
#include <catch2/catch.hpp>

#include "config/config.h"
#include "config/preload.h"

namespace dc = devwatch::config;
using nlohmann::json;

TEST_CASE("preload accepts true, false and module names", "[preload][config]") {
  devwatch::supervise::PreloadSpec spec;
  CHECK_FALSE(dc::parse_preload(json(true), spec));
  CHECK(spec.enabled);
  CHECK(spec.modules.empty());
  CHECK_FALSE(dc::parse_preload(json::array({"django", "rest_framework.serializers"}), spec));
  CHECK(spec.modules == std::vector<std::string>{"django", "rest_framework.serializers"});
  CHECK_FALSE(dc::parse_preload(json(false), spec));
  CHECK_FALSE(spec.enabled);
}

TEST_CASE("bad preload values are issues with the path", "[preload][config]") {
  auto issue = [](json value) {
    json doc = {{"servers", {{"web", {{"command", json::array({"python", "x.py"})}, {"preload", value}}}}}};
    auto v = dc::validate_config_json(doc, "/ws");
    REQUIRE_FALSE(v.ok());
    return v.issues.at(0).to_string();
  };
  CHECK_THAT(issue(json("yes")), Catch::Contains("servers.web.preload") && Catch::Contains("expected true, false"));
  CHECK_THAT(issue(json::array({"os.path", "../x"})), Catch::Contains("module names"));
  CHECK_THAT(issue(json::array()), Catch::Contains("empty list"));
}
