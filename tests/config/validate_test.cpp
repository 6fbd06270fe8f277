#include "config/config.h"

#include <catch2/catch.hpp>
#include <csignal>

namespace dc = devwatch::config;
using nlohmann::json;

namespace {

const std::string kRoot = "/ws";

// A valid server object with `patch` applied (RFC 7386 style, top level).
std::string server_with(const std::string& members) {
  return R"({"servers": {"web": {"command": ["python", "manage.py"])" + (members.empty() ? "" : ", " + members) +
         "}}}";
}

bool has_issue(const dc::Validation& v, const std::string& path, const std::string& fragment) {
  for (const auto& i : v.issues) {
    if (i.path == path && i.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

std::string dump_issues(const dc::Validation& v) {
  std::string out;
  for (const auto& i : v.issues) out += "  " + i.to_string() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a full valid devwatch.json", "[config]") {
  const char* text = R"({
    "$schema": "./docs/devwatch.schema.json",
    // comments are allowed
    "watch": {"exclude": ["**/node_modules/**"], "respectGitignore": false, "settleMs": 50,
              "backend": "poll", "pollIntervalMs": 500},
    "servers": {
      "web": {
        "command": ["python", "manage.py", "runserver", "--noreload", "127.0.0.1:8000"],
        "cwd": "backend/",
        "env": {"DJANGO_SETTINGS_MODULE": "app.settings.dev"},
        "restartOn": ["**/*.py"], "ignore": ["**/static/**"],
        "ready": {"port": 8000, "host": "localhost"},
        "stopSignal": "SIGTERM", "stopTimeoutMs": 3000,
        "autoStart": false, "autoRestart": false, "outputLines": 500
      },
      "assets": {"command": "npm run watch | tee log", "shell": true, "ready": {"pattern": "built in \\d+ms"}}
    }
  })";
  auto v = dc::validate_config_text(text, kRoot);
  INFO(dump_issues(v));
  REQUIRE(v.ok());
  const auto& c = *v.config;
  CHECK(c.watch.exclude == std::vector<std::string>{"**/node_modules/**"});
  CHECK_FALSE(c.watch.respect_gitignore);
  CHECK(c.watch.settle_ms == 50);
  CHECK(c.watch.backend == dc::WatchBackend::Poll);
  CHECK(c.watch.poll_interval_ms == 500);
  REQUIRE(c.servers.size() == 2);
  const auto& assets = c.servers[0];  // sorted by name
  CHECK(assets.name == "assets");
  CHECK(assets.shell);
  CHECK(assets.command == std::vector<std::string>{"npm run watch | tee log"});
  CHECK(assets.cwd == "/ws");
  CHECK(assets.ready.pattern == std::optional<std::string>("built in \\d+ms"));
  CHECK_FALSE(assets.ready.port);
  const auto& web = c.servers[1];
  CHECK(web.name == "web");
  CHECK(web.root == "/ws");
  CHECK(web.cwd == "/ws/backend");
  CHECK(web.env.at("DJANGO_SETTINGS_MODULE") == "app.settings.dev");
  CHECK(web.restart_on == std::vector<std::string>{"**/*.py"});
  CHECK(web.ignore == std::vector<std::string>{"**/static/**"});
  CHECK(web.ready.port == std::optional<int>(8000));
  CHECK(web.ready.host == std::optional<std::string>("localhost"));
  CHECK(web.stop_signal == SIGTERM);
  CHECK(web.stop_timeout_ms == 3000);
  CHECK_FALSE(web.auto_start);
  CHECK_FALSE(web.auto_restart);
  CHECK(web.output_lines == 500);
}

TEST_CASE("defaults", "[config]") {
  auto v = dc::validate_config_text(server_with(""), "/ws/");
  REQUIRE(v.ok());
  const auto& w = v.config->watch;
  CHECK(w.exclude.empty());
  CHECK(w.respect_gitignore);
  CHECK(w.settle_ms == 20);
  CHECK(w.backend == dc::WatchBackend::Auto);
  CHECK(w.poll_interval_ms == 1000);
  CHECK_FALSE(w.poll_unwatched);
  const auto& s = v.config->servers.at(0);
  CHECK_FALSE(s.shell);
  CHECK(s.cwd == "/ws");
  CHECK(s.env.empty());
  CHECK(s.restart_on.empty());
  CHECK(s.stop_signal == SIGINT);
  CHECK(s.stop_timeout_ms == 5000);
  CHECK(s.auto_start);
  CHECK(s.auto_restart);
  CHECK(s.output_lines == 10000);
  CHECK_FALSE(s.ready.port);
  CHECK_FALSE(s.ready.pattern);

  CHECK(dc::validate_config_text("{}", kRoot).ok());
  CHECK(dc::validate_config_text("{}", kRoot).config->servers.empty());
}

TEST_CASE("an exclude given as {baseUri, pattern} becomes one absolute, escaped exclude", "[config]") {
  // What DevwatchReloader sends: one package's folders, whichever root holds them.
  auto v = dc::validate_config_text(
      R"({"watch": {"exclude": ["dist/**",
          {"baseUri": "file:///srv/venv/lib/django", "pattern": "contrib/*/locale/"},
          {"baseUri": {"uri": "file:///srv/a%5Bb%5D/", "name": "odd"}, "pattern": "x/**"},
          {"baseUri": "file:///", "pattern": "tmp/**"}]}})",
      kRoot);
  REQUIRE(v.ok());
  // The base's bytes stay literal ("[" -> "[[]"); a trailing '/' of the base is dropped.
  CHECK(v.config->watch.exclude ==
        std::vector<std::string>{"dist/**", "/srv/venv/lib/django/contrib/*/locale/", "/srv/a[[]b[]]/x/**", "/tmp/**"});
}

TEST_CASE("a {baseUri, pattern} exclude that cannot be used says why", "[config]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"pattern": "x"})", "needs both \"baseUri\""},
      {R"({"baseUri": "file:///a"})", "needs both \"baseUri\""},
      {R"({"baseUri": "http://x/a", "pattern": "x"})", "baseUri: "},
      {R"({"baseUri": 3, "pattern": "x"})", "baseUri: expected a file:// URI or a WorkspaceFolder"},
      {R"({"baseUri": "file:///a", "pattern": "/x"})", "must be relative to baseUri"},
      {R"({"baseUri": "file:///a", "pattern": ""})", "pattern: expected a non-empty glob"},
      {R"({"baseUri": "file:///a", "pattern": "a/{b"})", "pattern: invalid glob"},
      {R"({"baseUri": "file:///a", "pattern": "x", "kind": 7})", "unknown key \"kind\""},
  };
  for (const auto& [item, fragment] : cases) {
    auto v = dc::validate_config_text(R"({"watch": {"exclude": [)" + item + "]}}", kRoot);
    INFO(item << "\n" << dump_issues(v));
    CHECK_FALSE(v.ok());
    CHECK(has_issue(v, "watch.exclude[0]", fragment));
  }
  // Only watch.exclude takes them: restartOn's globs are matched per root.
  auto r = dc::validate_config_text(server_with(R"("restartOn": [{"baseUri": "file:///a", "pattern": "x"}])"), kRoot);
  CHECK(has_issue(r, "servers.web.restartOn[0]", "expected a glob pattern string, got object"));
}

TEST_CASE("every validation error names its JSON path", "[config]") {
  struct Case {
    std::string text;
    std::string path;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"[]", "", "expected a JSON object at the top level, got array"},
      {R"({"wacth": {}})", "wacth", "unknown key \"wacth\" (did you mean \"watch\"?)"},
      {R"({"zzzzzz": 1})", "zzzzzz", "known keys: watch, servers"},
      {R"({"$schema": 3})", "$schema", "expected a string, got integer"},
      {R"({"watch": []})", "watch", "expected an object, got array"},
      {R"({"watch": {"exclude": "a"}})", "watch.exclude", "expected an array of glob patterns, got string"},
      {R"({"watch": {"exclude": ["ok/**", 3]}})", "watch.exclude[1]",
       "expected a glob pattern string or a {baseUri, pattern} object, got integer"},
      {R"({"watch": {"exclude": ["a/{b,c"]}})", "watch.exclude[0]", "unclosed '{'"},
      {R"({"watch": {"exclude": [""]}})", "watch.exclude[0]", "empty glob pattern"},
      {R"({"watch": {"exclude": ["/abs/**"]}})", "watch.exclude[0]", "relative to the workspace root"},
      {R"({"watch": {"respectGitignore": "yes"}})", "watch.respectGitignore", "expected true or false, got string"},
      {R"({"watch": {"settleMs": -1}})", "watch.settleMs", "must be between 0 and 10000, got -1"},
      {R"({"watch": {"settleMs": 20.5}})", "watch.settleMs", "expected an integer, got number"},
      {R"({"watch": {"settleMs": 20.0}})", "watch.settleMs", "drop the fraction"},
      {R"({"watch": {"settleMs": 99999999999999999999}})", "watch.settleMs", "expected an integer"},
      {R"({"watch": {"backend": "inotfy"}})", "watch.backend", "unknown backend \"inotfy\" (did you mean \"inotify\"?)"},
      {R"({"watch": {"backend": 1}})", "watch.backend", "expected one of \"auto\", \"inotify\", \"poll\", got integer"},
      {R"({"watch": {"pollIntervalMs": 10}})", "watch.pollIntervalMs", "must be between 50 and 60000"},
      {R"({"watch": {"settle": 20}})", "watch.settle", "did you mean \"settleMs\"?"},
      {R"({"servers": []})", "servers", "expected an object mapping server names to servers, got array"},
      {R"({"servers": {"web": "python manage.py"}})", "servers.web", "expected an object describing the server, got string"},
      {R"({"servers": {"web": null}})", "servers.web", "got null"},
      {R"({"servers": {"we b": {"command": ["x"]}}})", "servers[\"we b\"]", "invalid server name"},
      {R"({"servers": {"": {"command": ["x"]}}})", "servers[\"\"]", "invalid server name"},
      {R"({"servers": {"web": {}}})", "servers.web.command", "required"},
      {R"({"servers": {"web": {"command": "python manage.py runserver"}}})", "servers.web.command",
       "expected a non-empty array of strings, got string (set \"shell\": true to run a shell command line)"},
      {R"({"servers": {"web": {"command": []}}})", "servers.web.command", "expected a non-empty array of strings, got array"},
      {R"({"servers": {"web": {"command": ["python", 3]}}})", "servers.web.command[1]", "expected a string, got integer"},
      {R"({"servers": {"web": {"command": [""]}}})", "servers.web.command[0]", "program name must not be empty"},
      {R"({"servers": {"web": {"command": "  ", "shell": true}}})", "servers.web.command", "empty shell command line"},
      {server_with(R"("shell": "true")"), "servers.web.shell", "expected true or false, got string"},
      {server_with(R"("cwd": 1)"), "servers.web.cwd", "expected a directory path string, got integer"},
      {server_with(R"("env": ["A=1"])"), "servers.web.env", "expected an object of strings, got array"},
      {server_with(R"("env": {"PORT": 8000})"), "servers.web.env.PORT", "expected a string (quote numbers"},
      {server_with(R"("env": {"A=B": "x"})"), "servers.web.env[\"A=B\"]", "invalid environment variable name"},
      {server_with(R"("restartOn": "**/*.py")"), "servers.web.restartOn", "expected an array of glob patterns"},
      {server_with(R"("restartOn": ["**/*.py", "[a-"])"), "servers.web.restartOn[1]", "invalid glob"},
      {server_with(R"("ignore": [null])"), "servers.web.ignore[0]", "expected a glob pattern string, got null"},
      {server_with(R"("ready": 8000)"), "servers.web.ready", "expected an object like {\"port\": 8000}"},
      {server_with(R"("ready": {"port": 0})"), "servers.web.ready.port", "must be between 1 and 65535, got 0"},
      {server_with(R"("ready": {"port": 70000})"), "servers.web.ready.port", "must be between 1 and 65535"},
      {server_with(R"("ready": {"port": "8000"})"), "servers.web.ready.port", "expected an integer, got string"},
      {server_with(R"("ready": {"pattern": "("})"), "servers.web.ready.pattern", "invalid regular expression \"(\""},
      {server_with(R"("ready": {"pattern": ""})"), "servers.web.ready.pattern", "non-empty regular expression"},
      {server_with(R"("ready": {"host": "localhost"})"), "servers.web.ready.host", "\"host\" needs \"port\""},
      {server_with(R"("ready": {"prot": 1})"), "servers.web.ready.prot", "did you mean \"port\"?"},
      {server_with(R"("stopSignal": "SIGFOO")"), "servers.web.stopSignal", "unknown signal \"SIGFOO\""},
      {server_with(R"("stopSignal": "SIGTREM")"), "servers.web.stopSignal", "did you mean \"SIGTERM\"?"},
      {server_with(R"("stopSignal": "SIGSTOP")"), "servers.web.stopSignal", "SIGSTOP does not stop a process"},
      {server_with(R"("stopSignal": 0)"), "servers.web.stopSignal", "out of range"},
      {server_with(R"("stopSignal": true)"), "servers.web.stopSignal", "expected a signal name like \"SIGINT\", got boolean"},
      {server_with(R"("stopTimeoutMs": -5)"), "servers.web.stopTimeoutMs", "must be between 0 and 600000"},
      {server_with(R"("autoStart": 1)"), "servers.web.autoStart", "expected true or false, got integer"},
      {server_with(R"("autoRestart": null)"), "servers.web.autoRestart", "expected true or false, got null"},
      {server_with(R"("outputLines": 0)"), "servers.web.outputLines", "must be between 1 and 1000000"},
      {server_with(R"("restart_on": [])"), "servers.web.restart_on", "did you mean \"restartOn\"?"},
      {server_with(R"("autostart": true)"), "servers.web.autostart", "did you mean \"autoStart\"?"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto v = dc::validate_config_text(c.text, kRoot);
    INFO(dump_issues(v));
    CHECK_FALSE(v.ok());
    CHECK(has_issue(v, c.path, c.fragment));
    CHECK(v.issues.size() == 1);
  }
}

TEST_CASE("all problems are reported at once and nothing is half-applied", "[config]") {
  const char* text = R"({
    "watch": {"settleMs": "fast", "backend": "kqueue"},
    "servers": {
      "good": {"command": ["true"]},
      "web": {"command": "python manage.py runserver", "stopSignal": "SIGFOO", "extra": 1}
    }
  })";
  auto v = dc::validate_config_text(text, kRoot);
  CHECK_FALSE(v.ok());
  CHECK_FALSE(v.config);  // not even the good server
  CHECK(v.issues.size() == 5);
  CHECK(has_issue(v, "watch.settleMs", "expected an integer, got string"));
  CHECK(has_issue(v, "watch.backend", "unknown backend \"kqueue\""));
  CHECK(has_issue(v, "servers.web.command", "set \"shell\": true"));
  CHECK(has_issue(v, "servers.web.stopSignal", "unknown signal \"SIGFOO\""));
  CHECK(has_issue(v, "servers.web.extra", "unknown key \"extra\""));

  auto r = dc::parse_config(text, kRoot);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == devwatch::ErrorCode::ConfigInvalid);
  CHECK(r.error().message.starts_with("devwatch.json is invalid (5 problems; nothing was applied):\n"));
  CHECK(r.error().message.find("\n  servers.web.stopSignal: unknown signal \"SIGFOO\"") != std::string::npos);
  auto data = json::parse(r.error().data_json);
  REQUIRE(data["issues"].size() == 5);
  CHECK(data["issues"][0].contains("path"));
  CHECK(data["issues"][0].contains("message"));
}

TEST_CASE("JSON syntax errors give line and column", "[config]") {
  struct Case {
    std::string text;
    int line;
    int column;
  };
  const std::vector<Case> cases = {
      {"{\n  \"watch\": {\n    \"settleMs\": 20,\n  }\n}", 4, 3},  // trailing comma: '}' where a key belongs
      {"{\"servers\": {\"web\": {\"command\": [\"x\"]}}", 1, 40},   // missing '}': just past the end
      {"", 1, 1},
      {"{\"a\": tru}", 1, 10},
      {"{\n\"caf\xc3\xa9\": x}", 2, 9},  // columns count characters, not bytes
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto v = dc::validate_config_text(c.text, kRoot);
    REQUIRE(v.issues.size() == 1);
    INFO(v.issues[0].message);
    CHECK(v.issues[0].path.empty());
    CHECK(v.issues[0].line == c.line);
    CHECK(v.issues[0].column == c.column);
    CHECK(v.issues[0].message.starts_with("invalid JSON at line " + std::to_string(c.line) + ", column " +
                                          std::to_string(c.column) + ": "));
  }
  auto r = dc::parse_config("{", kRoot);
  REQUIRE_FALSE(r.ok());
  auto data = json::parse(r.error().data_json);
  CHECK(data["issues"][0]["line"] == 1);
}

TEST_CASE("duplicate keys are errors, with their path", "[config]") {
  auto v = dc::validate_config_text(
      R"({"servers": {"web": {"command": ["a"]}, "web": {"command": ["b"]}},
          "watch": {"exclude": [{"x": 1, "x": 2}]}})",
      kRoot);
  CHECK_FALSE(v.ok());
  REQUIRE(v.issues.size() == 2);
  CHECK(has_issue(v, "servers.web", "duplicate key \"web\""));
  CHECK(has_issue(v, "watch.exclude[0].x", "duplicate key \"x\""));
}

TEST_CASE("shell commands", "[config]") {
  auto v = dc::validate_config_text(R"({"servers": {"w": {"command": ["npm", "run", "dev"], "shell": true}}})", kRoot);
  REQUIRE(v.ok());
  CHECK(v.config->servers[0].shell);
  CHECK(v.config->servers[0].command.size() == 3);
  // The order of "shell" and "command" in the file does not matter.
  CHECK(dc::validate_config_text(R"({"servers": {"w": {"shell": true, "command": "a && b"}}})", kRoot).ok());
  CHECK(dc::validate_config_text(R"({"servers": {"w": {"command": "a && b", "shell": true}}})", kRoot).ok());
}

TEST_CASE("signals by name, short name, any case, or number", "[config]") {
  struct Case {
    const char* value;
    int expected;
  };
  const Case cases[] = {{"\"SIGINT\"", SIGINT}, {"\"TERM\"", SIGTERM}, {"\"sighup\"", SIGHUP},
                        {"\"SIGKILL\"", SIGKILL}, {"\"SIGQUIT\"", SIGQUIT}, {"15", 15}};
  for (const auto& c : cases) {
    INFO(c.value);
    auto v = dc::validate_config_text(server_with(std::string("\"stopSignal\": ") + c.value), kRoot);
    REQUIRE(v.ok());
    CHECK(v.config->servers[0].stop_signal == c.expected);
  }
}

TEST_CASE("cwd resolves against the root", "[config]") {
  struct Case {
    const char* cwd;
    const char* expected;
  };
  const Case cases[] = {{".", "/ws"}, {"backend", "/ws/backend"}, {"./a/../b/", "/ws/b"}, {"/srv/app", "/srv/app"}};
  for (const auto& c : cases) {
    auto v = dc::validate_config_text(server_with(std::string("\"cwd\": \"") + c.cwd + "\""), kRoot);
    REQUIRE(v.ok());
    CHECK(v.config->servers[0].cwd == c.expected);
  }
  auto bad_root = dc::validate_config_text("{}", "relative/root");
  CHECK_FALSE(bad_root.ok());
}

TEST_CASE("proxy: listen forms, live reload, and every mistake with its path", "[config][proxy]") {
  auto v = dc::validate_config_text(server_with(R"("proxy": {"listen": "127.0.0.1:8000", "liveReload": true})"), kRoot);
  REQUIRE(v.ok());
  const auto& proxy = v.config->servers.at(0).proxy;
  CHECK(proxy.listen_host == "127.0.0.1");
  CHECK(proxy.listen_port == 8000);
  CHECK(proxy.live_reload);
  CHECK(proxy.hold_timeout_ms == 30000);
  auto v6 = dc::validate_config_text(server_with(R"("proxy": {"listen": "[::1]:9000"})"), kRoot);
  REQUIRE(v6.ok());
  CHECK(v6.config->servers.at(0).proxy.listen_host == "::1");
  auto bare = dc::validate_config_text(server_with(R"("proxy": {"listen": 8001})"), kRoot);
  REQUIRE(bare.ok());
  CHECK(bare.config->servers.at(0).proxy.listen_host == "127.0.0.1");
  CHECK_FALSE(dc::validate_config_text(server_with(""), kRoot).config->servers.at(0).proxy.enabled());

  auto bad = dc::validate_config_text(
      server_with(R"("proxy": {"listen": "example.com:80", "liveReload": 1, "holdTimeoutMs": 5, "extra": 1})"), kRoot);
  INFO(dump_issues(bad));
  CHECK(has_issue(bad, "servers.web.proxy.listen", "IP address"));
  CHECK(has_issue(bad, "servers.web.proxy.liveReload", "true or false"));
  CHECK(has_issue(bad, "servers.web.proxy.holdTimeoutMs", "between 100"));
  CHECK(has_issue(bad, "servers.web.proxy.extra", "unknown key"));
  CHECK(has_issue(dc::validate_config_text(server_with(R"("proxy": {})"), kRoot), "servers.web.proxy.listen",
                  "required"));
  CHECK(has_issue(dc::validate_config_text(server_with(R"("proxy": {"listen": "127.0.0.1:99999"})"), kRoot),
                  "servers.web.proxy.listen", "between 1 and 65535"));
  CHECK(has_issue(dc::validate_config_text(
                      server_with(R"("ready": {"port": 8000}, "proxy": {"listen": "127.0.0.1:8000"})"), kRoot),
                  "servers.web.proxy.listen", "own port"));
}

TEST_CASE("proxy.overlap: accepted with a port devwatch chooses, refused with a fixed one or with preload",
          "[config][proxy]") {
  auto ok = dc::validate_config_text(server_with(R"("proxy": {"listen": "127.0.0.1:8000", "overlap": true})"), kRoot);
  REQUIRE(ok.ok());
  CHECK(ok.config->servers.at(0).proxy.overlap);
  auto fixed = dc::validate_config_text(
      server_with(R"("ready": {"port": 8001}, "proxy": {"listen": "127.0.0.1:8000", "overlap": true})"), kRoot);
  INFO(dump_issues(fixed));
  CHECK(has_issue(fixed, "servers.web.proxy.overlap", "fixed port 8001"));
  auto preload = dc::validate_config_text(
      server_with(R"("preload": true, "proxy": {"listen": "127.0.0.1:8000", "overlap": true})"), kRoot);
  CHECK(has_issue(preload, "servers.web.proxy.overlap", "\"preload\""));
}
