// JSON document → Config, collecting every issue on the way.
#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <limits>
#include <regex>

#include "common/json.h"
#include "config/config.h"
#include "config/django.h"
#include "config/exclude.h"
#include "config/proxy.h"
#include "config/preload.h"
#include "config/signals.h"
#include "config/suggest.h"
#include "paths/glob.h"

namespace devwatch::config {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kTopKeys = {"$schema", "watch", "servers"};
const std::vector<std::string> kWatchKeys = {"exclude", "respectGitignore", "settleMs", "backend",
                                             "pollIntervalMs", "pollUnwatched"};
const std::vector<std::string> kServerKeys = {
    "command", "shell",    "cwd",           "env",       "restartOn",   "ignore",     "ready",
    "stopSignal", "stopTimeoutMs", "autoStart", "autoRestart", "outputLines", "proxy", "preload"};
const std::vector<std::string> kReadyKeys = {"port", "host", "pattern"};

std::string type_of(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number_float()) return "number";
  return v.type_name();
}

std::string q(const std::string& s) { return "\"" + s + "\""; }

// Server names become keys in paths; quote the ones that would be ambiguous.
std::string child_path(const std::string& parent, const std::string& key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '$';
  });
  std::string k = plain ? key : "[" + dump_json(json(key)) + "]";
  if (parent.empty()) return k;
  return plain ? parent + "." + k : parent + k;
}

class Validator {
 public:
  explicit Validator(std::string root) : root_(std::move(root)) {}

  std::vector<ConfigIssue> issues;

  void issue(const std::string& path, std::string message) {
    issues.push_back(ConfigIssue{path, std::move(message), 0, 0});
  }

  void expected(const std::string& path, const std::string& what, const json& got) {
    issue(path, "expected " + what + ", got " + type_of(got));
  }

  // Reports keys outside `known`, with a suggestion when one is close.
  void unknown_keys(const json& obj, const std::string& path, const std::vector<std::string>& known) {
    for (const auto& [key, value] : obj.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string msg = "unknown key " + q(key);
      if (auto guess = closest_match(key, known)) {
        msg += " (did you mean " + q(*guess) + "?)";
      } else {
        std::string list;
        for (const auto& k : known) {
          if (k == "$schema") continue;
          list += (list.empty() ? "" : ", ") + k;
        }
        msg += " (known keys: " + list + ")";
      }
      issue(child_path(path, key), msg);
    }
  }

  void boolean(const json& obj, const std::string& path, const char* key, bool& out) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    if (!it->is_boolean()) return expected(child_path(path, key), "true or false", *it);
    out = it->get<bool>();
  }

  template <class Int>
  void integer(const json& obj, const std::string& path, const char* key, long long min, long long max,
               Int& out) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    std::string p = child_path(path, key);
    if (!(it->is_number_integer() || it->is_number_unsigned())) {
      if (it->is_number_float() && *it == std::floor(it->get<double>())) {
        // 20.0 is an integer in spirit but not in the schema; say so plainly.
        return issue(p, "expected an integer, got " + it->dump() + " (drop the fraction)");
      }
      return expected(p, "an integer", *it);
    }
    long long v = it->is_number_unsigned()
                      ? static_cast<long long>(std::min<std::uint64_t>(
                            it->get<std::uint64_t>(), static_cast<std::uint64_t>(std::numeric_limits<long long>::max())))
                      : it->get<long long>();
    if (v < min || v > max) {
      return issue(p, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                          std::to_string(v));
    }
    out = static_cast<Int>(v);
  }

  // based_ok: an item may also be a {baseUri, pattern} object (watch.exclude; see exclude.h).
  void globs(const json& obj, const std::string& path, const char* key, std::vector<std::string>& out,
             bool based_ok = false) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    std::string p = child_path(path, key);
    if (!it->is_array()) return expected(p, "an array of glob patterns", *it);
    std::vector<std::string> result;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& g = (*it)[i];
      std::string gp = p + "[" + std::to_string(i) + "]";
      if (based_ok && g.is_object()) {
        std::string absolute;
        if (auto problem = parse_based_exclude(g, absolute)) {
          issue(gp, *problem);
        } else {
          result.push_back(std::move(absolute));
        }
        continue;
      }
      if (!g.is_string()) {
        expected(gp, based_ok ? "a glob pattern string or a {baseUri, pattern} object" : "a glob pattern string", g);
        continue;
      }
      std::string pattern = g.get<std::string>();
      if (pattern.empty()) {
        issue(gp, "empty glob pattern");
        continue;
      }
      if (pattern.front() == '/') {
        issue(gp, "glob " + q(pattern) + " must be relative to the workspace root (drop the leading '/'" +
                      (based_ok ? std::string(", or give {\"baseUri\": \"file:///...\", \"pattern\": ...} to "
                                              "anchor it elsewhere)")
                                : std::string(")")));
        continue;
      }
      auto compiled = paths::Glob::compile(pattern);
      if (!compiled) {
        issue(gp, compiled.error().message);
        continue;
      }
      result.push_back(std::move(pattern));
    }
    out = std::move(result);
  }

  WatchSettings watch(const json& doc) {
    WatchSettings w;
    auto it = doc.find("watch");
    if (it == doc.end()) return w;
    const std::string p = "watch";
    if (!it->is_object()) {
      expected(p, "an object", *it);
      return w;
    }
    unknown_keys(*it, p, kWatchKeys);
    globs(*it, p, "exclude", w.exclude, /*based_ok=*/true);
    boolean(*it, p, "respectGitignore", w.respect_gitignore);
    integer(*it, p, "settleMs", 0, 10000, w.settle_ms);
    integer(*it, p, "pollIntervalMs", 50, 60000, w.poll_interval_ms);
    boolean(*it, p, "pollUnwatched", w.poll_unwatched);
    if (auto b = it->find("backend"); b != it->end()) {
      std::string bp = p + ".backend";
      std::string v = b->is_string() ? b->get<std::string>() : "";
      if (v == "auto") {
        w.backend = WatchBackend::Auto;
      } else if (v == "inotify") {
        w.backend = WatchBackend::Inotify;
      } else if (v == "poll") {
        w.backend = WatchBackend::Poll;
      } else if (!b->is_string()) {
        expected(bp, "one of \"auto\", \"inotify\", \"poll\"", *b);
      } else {
        std::string msg = "unknown backend " + q(v);
        if (auto guess = closest_match(v, {"auto", "inotify", "poll"})) msg += " (did you mean " + q(*guess) + "?)";
        issue(bp, msg + "; expected \"auto\", \"inotify\" or \"poll\"");
      }
    }
    return w;
  }

  void command(const json& server, const std::string& p, supervise::ServerSpec& spec) {
    auto it = server.find("command");
    std::string cp = p + ".command";
    if (it == server.end()) return issue(cp, "required: the command to run, as an array of strings");
    if (it->is_string()) {
      if (!spec.shell) {
        return issue(cp,
                     "expected a non-empty array of strings, got string (set \"shell\": true to run a shell "
                     "command line)");
      }
      if (it->get<std::string>().find_first_not_of(" \t\n") == std::string::npos) {
        return issue(cp, "empty shell command line");
      }
      spec.command = {it->get<std::string>()};
      return;
    }
    if (!it->is_array() || it->empty()) {
      return expected(cp, "a non-empty array of strings", *it);
    }
    std::vector<std::string> argv;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& a = (*it)[i];
      std::string ap = cp + "[" + std::to_string(i) + "]";
      if (!a.is_string()) {
        expected(ap, "a string", a);
        continue;
      }
      if (i == 0 && a.get<std::string>().empty()) {
        issue(ap, "the program name must not be empty");
        continue;
      }
      argv.push_back(a.get<std::string>());
    }
    spec.command = std::move(argv);
  }

  void cwd(const json& server, const std::string& p, supervise::ServerSpec& spec) {
    spec.cwd = root_;
    auto it = server.find("cwd");
    if (it == server.end()) return;
    if (!it->is_string()) return expected(p + ".cwd", "a directory path string", *it);
    std::filesystem::path dir(it->get<std::string>());
    if (dir.is_relative()) dir = std::filesystem::path(root_) / dir;
    std::string normal = dir.lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    spec.cwd = normal;
  }

  void env(const json& server, const std::string& p, supervise::ServerSpec& spec) {
    auto it = server.find("env");
    if (it == server.end()) return;
    std::string ep = p + ".env";
    if (!it->is_object()) return expected(ep, "an object of strings", *it);
    for (const auto& [name, value] : it->items()) {
      std::string vp = child_path(ep, name);
      if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
        issue(vp, "invalid environment variable name " + dump_json(json(name)));
        continue;
      }
      if (!value.is_string()) {
        expected(vp, "a string (quote numbers: \"8000\")", value);
        continue;
      }
      spec.env[name] = value.get<std::string>();
    }
  }

  void ready(const json& server, const std::string& p, supervise::ServerSpec& spec) {
    auto it = server.find("ready");
    if (it == server.end()) return;
    std::string rp = p + ".ready";
    if (!it->is_object()) return expected(rp, "an object like {\"port\": 8000} or {\"pattern\": \"regex\"}", *it);
    unknown_keys(*it, rp, kReadyKeys);
    if (it->contains("port")) {
      int port = 0;
      std::size_t before = issues.size();
      integer(*it, rp, "port", 1, 65535, port);
      if (issues.size() == before) spec.ready.port = port;
    }
    if (auto h = it->find("host"); h != it->end()) {
      if (!h->is_string() || h->get<std::string>().empty()) {
        expected(rp + ".host", "a non-empty host name or address string", *h);
      } else {
        spec.ready.host = h->get<std::string>();
      }
    }
    if (auto pat = it->find("pattern"); pat != it->end()) {
      if (!pat->is_string() || pat->get<std::string>().empty()) {
        expected(rp + ".pattern", "a non-empty regular expression string", *pat);
      } else {
        try {
          // The supervisor compiles it the same way (ECMAScript).
          std::regex re(pat->get<std::string>(), std::regex::ECMAScript);
          spec.ready.pattern = pat->get<std::string>();
        } catch (const std::regex_error& e) {
          issue(rp + ".pattern", "invalid regular expression " + q(pat->get<std::string>()) + ": " + e.what());
        }
      }
    }
    if (spec.ready.host && !spec.ready.port) issue(rp + ".host", "\"host\" needs \"port\"");
  }

  void stop_signal(const json& server, const std::string& p, supervise::ServerSpec& spec) {
    auto it = server.find("stopSignal");
    if (it == server.end()) {
      // Runs after command(): a runserver gets the detected server's policy.
      if (is_django_runserver(spec.command, spec.shell)) {
        spec.stop_signal = SIGTERM;
        spec.stop_signal_why = std::string("recognised as Django's runserver (set \"stopSignal\" to choose): ") +
                               kRunserverStopWhy;
      }
      return;
    }
    spec.stop_signal_why = "\"stopSignal\" in the configuration";
    std::string sp = p + ".stopSignal";
    if (!it->is_string() && !it->is_number_integer()) return expected(sp, "a signal name like \"SIGINT\"", *it);
    Result<int> sig = it->is_string() ? parse_stop_signal(it->get<std::string>())
                                      : parse_stop_signal(it->get<long long>());
    if (!sig) return issue(sp, sig.error().message);
    spec.stop_signal = *sig;
  }

  std::optional<supervise::ServerSpec> server(const std::string& name, const json& s) {
    std::string p = child_path("servers", name);
    std::size_t before = issues.size();
    bool valid_name = !name.empty() && name.size() <= 64 &&
                      std::all_of(name.begin(), name.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                               c == '_' || c == '-' || c == '.';
                      });
    if (!valid_name) {
      issue(p, "invalid server name " + dump_json(json(name)) +
                   ": use 1-64 letters, digits, '_', '-' or '.' (it appears in commands and messages)");
    }
    if (!s.is_object()) {
      expected(p, "an object describing the server", s);
      return std::nullopt;
    }
    supervise::ServerSpec spec;
    spec.name = name;
    spec.root = root_;
    unknown_keys(s, p, kServerKeys);
    boolean(s, p, "shell", spec.shell);
    command(s, p, spec);
    cwd(s, p, spec);
    env(s, p, spec);
    globs(s, p, "restartOn", spec.restart_on);
    globs(s, p, "ignore", spec.ignore);
    ready(s, p, spec);
    stop_signal(s, p, spec);
    integer(s, p, "stopTimeoutMs", 0, 600000, spec.stop_timeout_ms);
    boolean(s, p, "autoStart", spec.auto_start);
    boolean(s, p, "autoRestart", spec.auto_restart);
    integer(s, p, "outputLines", 1, 1000000, spec.output_lines);
    validate_proxy(s, p, spec, issues);
    if (auto it = s.find("preload"); it != s.end()) {
      if (auto problem = parse_preload(*it, spec.preload)) issue(child_path(p, "preload"), *problem);
    }
    if (spec.proxy.overlap && spec.preload.enabled) {
      issue(child_path(p, "proxy") + ".overlap",
            "\"overlap\" and \"preload\" do not go together yet: an overlapped restart gives each start a fresh "
            "port, and a zygote is built for one command line, so every start would be cold; drop one of them");
    }
    if (issues.size() != before) return std::nullopt;
    return spec;
  }

  std::vector<supervise::ServerSpec> servers(const json& doc) {
    std::vector<supervise::ServerSpec> out;
    auto it = doc.find("servers");
    if (it == doc.end()) return out;
    if (!it->is_object()) {
      expected("servers", "an object mapping server names to servers", *it);
      return out;
    }
    for (const auto& [name, value] : it->items()) {  // sorted by name
      if (auto spec = server(name, value)) out.push_back(std::move(*spec));
    }
    return out;
  }

 private:
  std::string root_;
};

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
  config.watch = v.watch(document);
  config.servers = v.servers(document);
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
