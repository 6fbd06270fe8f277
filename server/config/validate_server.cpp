// devwatch.json's "servers": each entry → supervise::ServerSpec.
#include "config/validate_server.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <optional>
#include <regex>

#include "common/json.h"
#include "config/django.h"
#include "config/preload.h"
#include "config/proxy.h"
#include "config/signals.h"

namespace devwatch::config {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kServerKeys = {
    "command", "shell",    "cwd",           "env",       "restartOn",   "ignore",     "ready",
    "stopSignal", "stopTimeoutMs", "autoStart", "autoRestart", "outputLines", "proxy", "preload"};
const std::vector<std::string> kReadyKeys = {"port", "host", "pattern"};

void command(Validator& v, const json& server, const std::string& p, supervise::ServerSpec& spec) {
  auto it = server.find("command");
  std::string cp = p + ".command";
  if (it == server.end()) return v.issue(cp, "required: the command to run, as an array of strings");
  if (it->is_string()) {
    if (!spec.shell) {
      return v.issue(cp,
                     "expected a non-empty array of strings, got string (set \"shell\": true to run a shell "
                     "command line)");
    }
    if (it->get<std::string>().find_first_not_of(" \t\n") == std::string::npos) {
      return v.issue(cp, "empty shell command line");
    }
    spec.command = {it->get<std::string>()};
    return;
  }
  if (!it->is_array() || it->empty()) {
    return v.expected(cp, "a non-empty array of strings", *it);
  }
  std::vector<std::string> argv;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& a = (*it)[i];
    std::string ap = cp + "[" + std::to_string(i) + "]";
    if (!a.is_string()) {
      v.expected(ap, "a string", a);
      continue;
    }
    if (i == 0 && a.get<std::string>().empty()) {
      v.issue(ap, "the program name must not be empty");
      continue;
    }
    argv.push_back(a.get<std::string>());
  }
  spec.command = std::move(argv);
}

void cwd(Validator& v, const json& server, const std::string& p, supervise::ServerSpec& spec) {
  spec.cwd = v.root();
  auto it = server.find("cwd");
  if (it == server.end()) return;
  if (!it->is_string()) return v.expected(p + ".cwd", "a directory path string", *it);
  std::filesystem::path dir(it->get<std::string>());
  if (dir.is_relative()) dir = std::filesystem::path(v.root()) / dir;
  std::string normal = dir.lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  spec.cwd = normal;
}

void env(Validator& v, const json& server, const std::string& p, supervise::ServerSpec& spec) {
  auto it = server.find("env");
  if (it == server.end()) return;
  std::string ep = p + ".env";
  if (!it->is_object()) return v.expected(ep, "an object of strings", *it);
  for (const auto& [name, value] : it->items()) {
    std::string vp = child_path(ep, name);
    if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
      v.issue(vp, "invalid environment variable name " + dump_json(json(name)));
      continue;
    }
    if (!value.is_string()) {
      v.expected(vp, "a string (quote numbers: \"8000\")", value);
      continue;
    }
    spec.env[name] = value.get<std::string>();
  }
}

void ready(Validator& v, const json& server, const std::string& p, supervise::ServerSpec& spec) {
  auto it = server.find("ready");
  if (it == server.end()) return;
  std::string rp = p + ".ready";
  if (!it->is_object()) return v.expected(rp, "an object like {\"port\": 8000} or {\"pattern\": \"regex\"}", *it);
  v.unknown_keys(*it, rp, kReadyKeys);
  if (it->contains("port")) {
    int port = 0;
    std::size_t before = v.issues.size();
    v.integer(*it, rp, "port", 1, 65535, port);
    if (v.issues.size() == before) spec.ready.port = port;
  }
  if (auto h = it->find("host"); h != it->end()) {
    if (!h->is_string() || h->get<std::string>().empty()) {
      v.expected(rp + ".host", "a non-empty host name or address string", *h);
    } else {
      spec.ready.host = h->get<std::string>();
    }
  }
  if (auto pat = it->find("pattern"); pat != it->end()) {
    if (!pat->is_string() || pat->get<std::string>().empty()) {
      v.expected(rp + ".pattern", "a non-empty regular expression string", *pat);
    } else {
      try {
        // The supervisor compiles it the same way (ECMAScript).
        std::regex re(pat->get<std::string>(), std::regex::ECMAScript);
        spec.ready.pattern = pat->get<std::string>();
      } catch (const std::regex_error& e) {
        v.issue(rp + ".pattern",
                "invalid regular expression " + in_quotes(pat->get<std::string>()) + ": " + e.what());
      }
    }
  }
  if (spec.ready.host && !spec.ready.port) v.issue(rp + ".host", "\"host\" needs \"port\"");
}

void stop_signal(Validator& v, const json& server, const std::string& p, supervise::ServerSpec& spec) {
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
  if (!it->is_string() && !it->is_number_integer()) return v.expected(sp, "a signal name like \"SIGINT\"", *it);
  Result<int> sig = it->is_string() ? parse_stop_signal(it->get<std::string>())
                                    : parse_stop_signal(it->get<long long>());
  if (!sig) return v.issue(sp, sig.error().message);
  spec.stop_signal = *sig;
}

std::optional<supervise::ServerSpec> one_server(Validator& v, const std::string& name, const json& s) {
  std::string p = child_path("servers", name);
  std::size_t before = v.issues.size();
  bool valid_name = !name.empty() && name.size() <= 64 &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == '_' || c == '-' || c == '.';
                    });
  if (!valid_name) {
    v.issue(p, "invalid server name " + dump_json(json(name)) +
                   ": use 1-64 letters, digits, '_', '-' or '.' (it appears in commands and messages)");
  }
  if (!s.is_object()) {
    v.expected(p, "an object describing the server", s);
    return std::nullopt;
  }
  supervise::ServerSpec spec;
  spec.name = name;
  spec.root = v.root();
  v.unknown_keys(s, p, kServerKeys);
  v.boolean(s, p, "shell", spec.shell);
  command(v, s, p, spec);
  cwd(v, s, p, spec);
  env(v, s, p, spec);
  v.globs(s, p, "restartOn", spec.restart_on);
  v.globs(s, p, "ignore", spec.ignore);
  ready(v, s, p, spec);
  stop_signal(v, s, p, spec);
  v.integer(s, p, "stopTimeoutMs", 0, 600000, spec.stop_timeout_ms);
  v.boolean(s, p, "autoStart", spec.auto_start);
  v.boolean(s, p, "autoRestart", spec.auto_restart);
  v.integer(s, p, "outputLines", 1, 1000000, spec.output_lines);
  validate_proxy(s, p, spec, v.issues);
  if (auto it = s.find("preload"); it != s.end()) {
    if (auto problem = parse_preload(*it, spec.preload)) v.issue(child_path(p, "preload"), *problem);
  }
  if (spec.proxy.overlap && spec.preload.enabled) {
    v.issue(child_path(p, "proxy") + ".overlap",
          "\"overlap\" and \"preload\" do not go together yet: an overlapped restart gives each start a fresh "
          "port, and a zygote is built for one command line, so every start would be cold; drop one of them");
  }
  if (v.issues.size() != before) return std::nullopt;
  return spec;
}

}  // namespace

std::vector<supervise::ServerSpec> validate_servers(Validator& v, const json& doc) {
  std::vector<supervise::ServerSpec> out;
  auto it = doc.find("servers");
  if (it == doc.end()) return out;
  if (!it->is_object()) {
    v.expected("servers", "an object mapping server names to servers", *it);
    return out;
  }
  for (const auto& [name, value] : it->items()) {  // sorted by name
    if (auto spec = one_server(v, name, value)) out.push_back(std::move(*spec));
  }
  return out;
}


}  // namespace devwatch::config
