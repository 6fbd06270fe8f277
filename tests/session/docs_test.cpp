// docs/protocol.md is the contract: every method the server registers, every
// notification it sends and every field of the protocol's structs must be
// documented there, so nothing can ship undocumented.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "session/protocol.h"
#include "session/recording_sink.h"
#include "session/server.h"

using namespace devwatch::session;
using devwatch::json;

namespace {

std::string protocol_doc() {
  std::ifstream in(std::string(DEVWATCH_SOURCE_DIR) + "/docs/protocol.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A field counts as documented when the text names it: `name`, "name" in an
// example, or name? / name, / name} in a field list.
bool documented(const std::string& doc, const std::string& key) {
  for (const auto& form : {"`" + key + "`", "\"" + key + "\"", "`" + key + "?", " " + key + "?", "{" + key + ",",
                           " " + key + ",", "{" + key + "?", "`" + key + ",", " " + key + "}"}) {
    if (doc.find(form) != std::string::npos) return true;
  }
  return false;
}

void collect_keys(const json& value, std::set<std::string>& keys) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      keys.insert(it.key());
      collect_keys(it.value(), keys);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) collect_keys(item, keys);
  }
}

Location sample_location() { return Location{"file:///ws/a.py", Range{1, 2, 3}}; }

// Every result and notification with every optional member set.
std::vector<std::pair<std::string, json>> samples() {
  ServerInfo info{"web", "file:///ws", "ready", "ready in 3 ms", {"python"}, "/ws", {"**"}, {"static/**"},
                  ReadyInfo{8000, std::string("127.0.0.1"), std::string("Listening")}, "SIGINT", 5000, true, true, true,
                  7, 42, 1, std::string("SIGTERM"), 3, std::string("http://127.0.0.1:8000/"),
                  SetupProblemInfo{"exec", "exec failed: x", "install x", {"/usr/bin"}, 3},
                  true, StartReport{"cold", std::string("stale"), 1.5}};
  StateChanged state;
  state.name = "web";
  state.root = "file:///ws";
  state.state = "crashed";
  state.reason = "r";
  state.cause = "change";
  state.restarting = true;
  state.pid = 1;
  state.exit_code = 1;
  state.signal = "SIGKILL";
  state.ready_ms = 3;
  state.changed_files = {"file:///ws/a.py"};
  state.changed_count = 1;
  state.last_lines = {"x"};
  state.exception = "ValueError: x";
  state.location = sample_location();
  state.killed = true;
  state.setup_problem = info.setup_problem;
  state.timings = RestartTimings{1.0, 2.0, 3.0, 4.0};
  state.start = StartReport{"preloaded", std::string("r"), 2.5};
  DiagnosticInfo diagnostic{Range{1, 2, 3}, 1, "devwatch", "ValueError: x", {RelatedInfo{sample_location(), "in f"}}};
  StatusResult status{"0.1.0", 1, 2, {WorkspaceFolder{"file:///ws", "ws", "/ws"}}, json::object(), {info},
                      {ConfigInfo{"file:///ws", "none", {"web"}, {}, std::nullopt, std::nullopt}}};
  return {
      {"InitializeResult", to_json(InitializeResult{Capabilities{Capabilities::Files{"inotify", "why"}, true}, "0.1.0"})},
      {"StatusResult", to_json(status)},
      {"ServerInfo", to_json(info)},
      {"ServerList", to_json(ServerList{{info}})},
      {"OutputResult", to_json(OutputResult{"web", {OutputLineInfo{1, "stderr", "x", true}}, 0, 2})},
      {"SubscribeResult", to_json(SubscribeResult{"s1"})},
      {"ConfigInfo", to_json(ConfigInfo{"file:///ws", "none", {"web"}, {"why"}, std::string("bad"), std::string("x")})},
      {StateChanged::kMethod, to_json(state)},
      {OutputNotification::kMethod, to_json(OutputNotification{"web", "stdout", 1, "x", true, 3})},
      {PublishDiagnostics::kMethod, to_json(PublishDiagnostics{"file:///ws/a.py", {diagnostic}})},
      {FilesDidChange::kMethod, to_json(FilesDidChange{"s1", {FileEvent{"file:///ws/a.py", 1}}, std::string("overflow")})},
      {ShowMessage::kMethod, to_json(ShowMessage{MessageType::Error, "x"})},
      {LogMessage::kMethod, to_json(LogMessage{MessageType::Error, "x"})},
      {Progress::kMethod, to_json(Progress{"t", "report", std::string("t"), std::string("m"), 5u, false})},
      {WorkDoneProgressCreate::kMethod, to_json(WorkDoneProgressCreate{"t"})},
  };
}

}  // namespace

TEST_CASE("every registered method is documented in docs/protocol.md") {
  const std::string doc = protocol_doc();
  asio::io_context io;
  devwatch::testing::RecordingSink sink;
  LspServer server(io, sink, {"test"});
  auto names = server.methods().request_names();
  auto notes = server.methods().notification_names();
  names.insert(names.end(), notes.begin(), notes.end());
  REQUIRE_FALSE(names.empty());
  for (const auto& name : names) {
    INFO("method " << name);
    CHECK(doc.find("`" + name) != std::string::npos);
  }
}

TEST_CASE("every message the server sends and every field of the protocol structs is documented") {
  const std::string doc = protocol_doc();
  for (const auto& [what, sample] : samples()) {
    if (what.find('/') != std::string::npos) {
      INFO("message " << what);
      CHECK(doc.find("`" + what) != std::string::npos);
    }
    std::set<std::string> keys;
    collect_keys(sample, keys);
    for (const auto& key : keys) {
      INFO(what << " field " << key);
      CHECK(documented(doc, key));
    }
  }
}
