// JSON document → Config, collecting every issue on the way: the top level
// and "watch" here, "servers" in validate_server.cpp.
#include <filesystem>

#include "common/json.h"
#include "config/config.h"
#include "config/suggest.h"
#include "config/validate_server.h"
#include "config/validator.h"

namespace devwatch::config {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kTopKeys = {"$schema", "watch", "servers"};
const std::vector<std::string> kWatchKeys = {"exclude", "respectGitignore", "settleMs", "backend",
                                             "pollIntervalMs", "pollUnwatched"};

WatchSettings watch(Validator& v, const json& doc) {
  WatchSettings w;
  auto it = doc.find("watch");
  if (it == doc.end()) return w;
  const std::string p = "watch";
  if (!it->is_object()) {
    v.expected(p, "an object", *it);
    return w;
  }
  v.unknown_keys(*it, p, kWatchKeys);
  v.globs(*it, p, "exclude", w.exclude, /*based_ok=*/true);
  v.boolean(*it, p, "respectGitignore", w.respect_gitignore);
  v.integer(*it, p, "settleMs", 0, 10000, w.settle_ms);
  v.integer(*it, p, "pollIntervalMs", 50, 60000, w.poll_interval_ms);
  v.boolean(*it, p, "pollUnwatched", w.poll_unwatched);
  if (auto b = it->find("backend"); b != it->end()) {
    std::string bp = p + ".backend";
    std::string name = b->is_string() ? b->get<std::string>() : "";
    if (name == "auto") {
      w.backend = WatchBackend::Auto;
    } else if (name == "inotify") {
      w.backend = WatchBackend::Inotify;
    } else if (name == "poll") {
      w.backend = WatchBackend::Poll;
    } else if (!b->is_string()) {
      v.expected(bp, "one of \"auto\", \"inotify\", \"poll\"", *b);
    } else {
      std::string msg = "unknown backend " + in_quotes(name);
      if (auto guess = closest_match(name, {"auto", "inotify", "poll"})) msg += " (did you mean " + in_quotes(*guess) + "?)";
      v.issue(bp, msg + "; expected \"auto\", \"inotify\" or \"poll\"");
    }
  }
  return w;
}


std::string normal_root(const std::string& root) {
  std::string r = std::filesystem::path(root).lexically_normal().string();
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return r;
}

}  // namespace

const char* backend_name(WatchBackend backend) {
  switch (backend) {
    case WatchBackend::Auto: return "auto";
    case WatchBackend::Inotify: return "inotify";
    case WatchBackend::Poll: return "poll";
  }
  return "auto";
}

std::string ConfigIssue::to_string() const {
  if (path.empty()) return message;
  return path + ": " + message;
}

Validation validate_config_json(const json& document, const std::string& root) {
  Validation result;
  if (root.empty() || root.front() != '/') {
    result.issues.push_back(ConfigIssue{"", "workspace root must be an absolute path, got " +
                                                dump_json(json(root)), 0, 0});
    return result;
  }
  if (!document.is_object()) {
    result.issues.push_back(ConfigIssue{"", "expected a JSON object at the top level, got " + type_of(document), 0, 0});
    return result;
  }
  Validator v(normal_root(root));
  v.unknown_keys(document, "", kTopKeys);
  if (auto s = document.find("$schema"); s != document.end() && !s->is_string()) {
    v.expected("$schema", "a string", *s);
  }
  Config config;
  config.watch = watch(v, document);
  config.servers = validate_servers(v, document);
  result.issues = std::move(v.issues);
  if (result.issues.empty()) result.config = std::move(config);
  return result;
}

Validation validate_config_text(std::string_view text, const std::string& root) {
  Validation result;
  auto doc = parse_config_json(text, result.issues);
  if (!doc) return result;
  return validate_config_json(*doc, root);
}

Error config_error(const std::vector<ConfigIssue>& issues, const std::string& source) {
  std::string message = source + " is invalid (" + std::to_string(issues.size()) +
                        (issues.size() == 1 ? " problem" : " problems") + "; nothing was applied):";
  json list = json::array();
  for (const auto& i : issues) {
    message += "\n  " + i.to_string();
    json item = {{"path", i.path}, {"message", i.message}};
    if (i.line > 0) {
      item["line"] = i.line;
      item["column"] = i.column;
    }
    list.push_back(std::move(item));
  }
  Error error = make_error(ErrorCode::ConfigInvalid, std::move(message));
  error.data_json = dump_json(json{{"issues", std::move(list)}});
  return error;
}

Result<Config> parse_config(std::string_view text, const std::string& root) {
  Validation v = validate_config_text(text, root);
  if (!v.ok()) return config_error(v.issues, "devwatch.json");
  return std::move(*v.config);
}

}  // namespace devwatch::config
