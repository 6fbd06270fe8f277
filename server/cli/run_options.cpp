#include "cli/run_options.h"

#include <charconv>

#include <csignal>

#include "config/django.h"
#include "config/proxy.h"
#include "config/signals.h"
#include "proxy/upstream.h"

namespace devwatch::cli {
namespace {

std::optional<int> parse_int(const std::string& text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

const char* const kRunUsage =
    "usage: devwatch run [--restart-on GLOB]... [--ignore GLOB]... [--port N] [--ready-pattern REGEX]\n"
    "                    [--stop-signal SIG] [--stop-timeout-ms N] [--name NAME] [--no-restart] [--timings]\n"
    "                    [--proxy HOST:PORT [--live-reload] [--overlap]] [--preload] [-- CMD ARGS...]\n"
    "Without CMD, runs the servers of ./devwatch.json, or the detected Django project.\n"
    "--preload: restarts fork a preloaded interpreter when that is safe (docs/preload.md).\n"
    "--overlap: a restart starts the new server beside the old one, which serves until the new is ready\n"
    "           (docs/proxy.md \"Overlapped restarts\").\n";

Result<RunOptions> parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
  bool live_reload = false;
  bool overlap = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      o.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      if (o.command.empty()) return make_error(ErrorCode::InvalidParams, "'--' must be followed by a command");
      break;
    }
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return make_error(ErrorCode::InvalidParams, a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }
    if (a == "--timings") {
      o.timings = true;
      continue;
    }
    if (a == "--preload") {
      o.preload = true;
      continue;
    }
    if (a == "--no-restart") {
      o.no_restart = true;
      continue;
    }
    if (a == "--live-reload") {
      live_reload = true;
      continue;
    }
    if (a == "--overlap") {
      overlap = true;
      continue;
    }
    auto v = value();
    if (!v) return v.error();
    if (a == "--restart-on") {
      o.restart_on.push_back(v.value());
    } else if (a == "--ignore") {
      o.ignore.push_back(v.value());
    } else if (a == "--port") {
      o.port = parse_int(v.value());
      if (!o.port || *o.port <= 0 || *o.port > 65535) {
        return make_error(ErrorCode::InvalidParams, "--port needs a port number, got '" + v.value() + "'");
      }
    } else if (a == "--ready-pattern") {
      o.ready_pattern = v.value();
    } else if (a == "--stop-signal") {
      auto sig = config::parse_stop_signal(v.value());
      if (!sig) return sig.error();
      o.stop_signal = sig.value();
    } else if (a == "--stop-timeout-ms") {
      o.stop_timeout_ms = parse_int(v.value());
      if (!o.stop_timeout_ms || *o.stop_timeout_ms < 0) {
        return make_error(ErrorCode::InvalidParams, "--stop-timeout-ms needs a number, got '" + v.value() + "'");
      }
    } else if (a == "--name") {
      o.name = v.value();
    } else if (a == "--proxy") {
      supervise::ProxySpec proxy;
      if (auto why = config::parse_proxy_listen(nlohmann::json(v.value()), proxy); !why.empty()) {
        return make_error(ErrorCode::InvalidParams, "--proxy: " + why);
      }
      o.proxy = proxy;
    } else {
      return make_error(ErrorCode::InvalidParams, "unknown option '" + a + "'");
    }
  }
  if (live_reload && !o.proxy) return make_error(ErrorCode::InvalidParams, "--live-reload needs --proxy HOST:PORT");
  if (overlap && !o.proxy) return make_error(ErrorCode::InvalidParams, "--overlap needs --proxy HOST:PORT");
  if (overlap && o.preload) {
    return make_error(ErrorCode::InvalidParams,
                      "--overlap and --preload do not go together yet: each overlapped start gets a fresh port, "
                      "and a zygote is built for one command line");
  }
  if (o.proxy) {
    o.proxy->live_reload = live_reload;
    o.proxy->overlap = overlap;
  }
  return o;
}

supervise::ServerSpec command_spec(const RunOptions& o, const std::string& root) {
  supervise::ServerSpec spec;
  spec.name = o.name;
  spec.command = o.command;
  spec.cwd = root;
  spec.root = root;
  spec.restart_on = o.restart_on.empty() ? std::vector<std::string>{"**"} : o.restart_on;
  if (config::is_django_runserver(spec.command, spec.shell)) {
    spec.stop_signal = SIGTERM;
    spec.stop_signal_why = std::string("recognised as Django's runserver (--stop-signal to choose): ") +
                           config::kRunserverStopWhy;
  }
  return spec;
}

void adjust_spec(const RunOptions& o, supervise::ServerSpec& s) {
  if (!o.restart_on.empty()) s.restart_on = o.restart_on;
  s.ignore.insert(s.ignore.end(), o.ignore.begin(), o.ignore.end());
  if (o.port) s.ready.port = o.port;
  if (o.ready_pattern) s.ready.pattern = o.ready_pattern;
  if (o.stop_signal) {
    s.stop_signal = *o.stop_signal;
    s.stop_signal_why = "--stop-signal on the command line";
  }
  if (o.stop_timeout_ms) s.stop_timeout_ms = *o.stop_timeout_ms;
  if (o.no_restart) s.auto_restart = false;
  if (o.preload) s.preload.enabled = true;
  s.auto_start = true;
  if (o.proxy) {
    s.proxy = *o.proxy;
    // A detected runserver on the port the proxy now takes moves to {port}.
    proxy::move_off_listen_port(s);
  }
}

}  // namespace devwatch::cli
