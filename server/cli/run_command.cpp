#include "cli/run_command.h"

#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>

#include "config/load.h"
#include "config/signals.h"
#include "diagnose/python_traceback.h"
#include "paths/relative.h"
#include "session/watch_settings.h"
#include "supervise/supervisor.h"
#include "watch/watcher.h"

namespace devwatch::cli {
namespace {

struct RunOptions {
  std::vector<std::string> command;  // after "--"
  std::vector<std::string> restart_on;
  std::vector<std::string> ignore;
  std::optional<int> port;
  std::optional<std::string> ready_pattern;
  std::optional<int> stop_signal;
  std::optional<int> stop_timeout_ms;
  std::string name = "app";
  bool no_restart = false;
  bool help = false;
  bool timings = false;  // print devwatch's own overhead on every ready (for bench/)
};

const char* kUsage =
    "usage: devwatch run [--restart-on GLOB]... [--ignore GLOB]... [--port N] [--ready-pattern REGEX]\n"
    "                    [--stop-signal SIG] [--stop-timeout-ms N] [--name NAME] [--no-restart] [--timings]\n"
    "                    [-- CMD ARGS...]\n"
    "Without CMD, runs the servers of ./devwatch.json, or the detected Django project.\n";

std::optional<int> parse_int(const std::string& text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<RunOptions> parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
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
    if (a == "--no-restart") {
      o.no_restart = true;
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
    } else {
      return make_error(ErrorCode::InvalidParams, "unknown option '" + a + "'");
    }
  }
  return o;
}

std::string cwd() {
  char buf[4096];
  return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string(".");
}

// For messages: the path below the root where it is there, else as it is.
std::string shown(const std::string& path, const std::string& root) {
  return std::string(paths::relative_to(path, root).value_or(path));
}

// devwatch's own lines: marked, short, on stderr so stdout stays the child's.
class Say {
 public:
  Say() : color_(::isatty(STDERR_FILENO) != 0) {}
  void line(const std::string& text, const char* color = "1") const {
    if (color_) {
      std::fprintf(stderr, "\033[%sm devwatch:\033[0m %s\n", color, text.c_str());
    } else {
      std::fprintf(stderr, "devwatch: %s\n", text.c_str());
    }
    std::fflush(stderr);
  }

 private:
  bool color_;
};

}  // namespace

int run_run_command(const std::vector<std::string>& args) {
  auto parsed = parse_run_options(args);
  if (!parsed) {
    std::cerr << "devwatch run: " << parsed.error().message << "\n" << kUsage;
    return 2;
  }
  RunOptions opts = std::move(parsed.value());
  if (opts.help) {
    std::cout << kUsage;
    return 0;
  }
  // Installed first: a Ctrl-C during start-up is queued and handled like any
  // other, instead of killing devwatch with its servers half started.
  asio::io_context io;
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  Say say;
  const std::string root = cwd();

  // What to run: the given command, else the configuration or the detected project.
  std::vector<supervise::ServerSpec> specs;
  config::WatchSettings watch_settings;
  if (!opts.command.empty()) {
    supervise::ServerSpec spec;
    spec.name = opts.name;
    spec.command = opts.command;
    spec.cwd = root;
    spec.root = root;
    spec.restart_on = opts.restart_on.empty() ? std::vector<std::string>{"**"} : opts.restart_on;
    specs.push_back(std::move(spec));
  } else {
    auto loaded = config::load_workspace_config(root, nullptr, config::process_env());
    if (!loaded) {
      say.line("invalid configuration: " + loaded.error().message, "31");
      return 1;
    }
    watch_settings = loaded->config.watch;
    specs = loaded->config.servers;
    if (specs.empty()) {
      say.line("nothing to run here: no devwatch.json with servers and no manage.py in " + root +
                   ". Give a command: devwatch run -- CMD ARGS...",
               "31");
      return 1;
    }
    say.line("using " + loaded->description);
    // Short lines here; `devwatch check` explains every choice. The
    // interpreter is the choice that goes wrong silently elsewhere, so it is said.
    for (const auto& why : loaded->explanation) {
      if (why.rfind("interpreter:", 0) == 0) say.line("  " + why);
    }
    if (!opts.restart_on.empty()) for (auto& s : specs) s.restart_on = opts.restart_on;
  }
  for (auto& s : specs) {
    s.ignore.insert(s.ignore.end(), opts.ignore.begin(), opts.ignore.end());
    if (opts.port) s.ready.port = opts.port;
    if (opts.ready_pattern) s.ready.pattern = opts.ready_pattern;
    if (opts.stop_signal) s.stop_signal = *opts.stop_signal;
    if (opts.stop_timeout_ms) s.stop_timeout_ms = *opts.stop_timeout_ms;
    if (opts.no_restart) s.auto_restart = false;
    s.auto_start = true;
  }
  const bool prefix = specs.size() > 1;

  supervise::Supervisor supervisor(io);
  std::map<std::string, std::unique_ptr<diagnose::CrashParser>> parsers;
  std::map<std::string, std::string> last_exception;
  bool exiting = false;
  int exit_code = 0;

  supervisor.on_output([&](const std::string& name, const supervise::OutputLine& line) {
    FILE* out = line.stream == supervise::Stream::Stdout ? stdout : stderr;
    if (prefix) std::fprintf(out, "[%s] ", name.c_str());
    std::fwrite(line.text.data(), 1, line.text.size(), out);
    if (!line.cut) std::fputc('\n', out);
    std::fflush(out);
    if (line.stream == supervise::Stream::Stderr && parsers[name]) {
      for (auto& report : parsers[name]->feed(line.text)) {
        std::string where;
        if (report.diagnostic) {
          where = " at " + shown(report.diagnostic->location.path, root) + ":" +
                  std::to_string(report.diagnostic->location.line + 1);
        }
        if (!report.final_exception().empty()) last_exception[name] = report.final_exception() + where;
      }
    }
  });
  supervisor.on_state_change([&](const supervise::StateChange& c) {
    auto* server = supervisor.find(c.name);
    switch (c.state) {
      case supervise::ServerState::Starting:
        parsers[c.name] = std::make_unique<diagnose::CrashParser>(
            diagnose::CrashParserOptions{root, server ? server->spec().cwd : root});
        last_exception.erase(c.name);
        // A restart was announced when it stopped; only other starts are news.
        if (c.reason != "autoStart" && c.reason.find("changed") == std::string::npos) {
          say.line("starting " + c.name + " (" + c.reason + ")");
        }
        break;
      case supervise::ServerState::Ready: {
        std::string text = c.name + " ready" + (c.ready_ms ? " in " + std::to_string(*c.ready_ms) + " ms" : "");
        if (server && server->spec().ready.port) {
          text += " — http://" + server->spec().ready.host.value_or("127.0.0.1") + ":" +
                  std::to_string(*server->spec().ready.port) + "/";
        }
        say.line(text, "32");
        if (opts.timings) {
          auto ms = [](const std::optional<double>& v) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.1f", v.value_or(-1));
            return std::string(buf);
          };
          const auto& t = c.timings;
          say.line("timings: event_to_spawn_ms=" + ms(t.event_to_spawn_ms) + " gone_to_spawn_ms=" +
                   ms(t.gone_to_spawn_ms) + " spawn_to_ready_ms=" + ms(t.spawn_to_ready_ms) +
                   " probe_slack_ms=" + ms(t.probe_slack_ms));
        }
        break;
      }
      case supervise::ServerState::Stopping:
        if (exiting) break;
        if (c.reason.rfind("restarting: ", 0) == 0) {
          // "restarting web (blog/views.py changed)": paths relative to the root.
          std::string why = c.reason.substr(12);
          for (auto at = why.find(root + "/"); at != std::string::npos; at = why.find(root + "/")) {
            why.erase(at, root.size() + 1);
          }
          say.line("restarting " + c.name + " (" + why + ")");
        } else {
          say.line("stopping " + c.name + " (" + c.reason + ")");
        }
        break;
      case supervise::ServerState::Crashed:
      case supervise::ServerState::Backoff: {
        if (parsers[c.name]) {
          for (auto& report : parsers[c.name]->finish()) {
            if (!report.final_exception().empty()) last_exception[c.name] = report.final_exception();
          }
        }
        std::string text = c.name + " crashed (" + supervise::exit_description(c) + ")";
        if (!last_exception[c.name].empty()) text += ": " + last_exception[c.name];
        text += c.state == supervise::ServerState::Backoff ? " — " + c.reason
                : (server && server->spec().auto_restart ? " — restarting" : " — waiting for changes");
        say.line(text, "31");
        break;
      }
      case supervise::ServerState::Stopped:
        break;
    }
  });

  for (auto& spec : specs) {
    auto added = supervisor.add(spec);
    if (!added) {
      say.line("cannot use " + spec.name + ": " + added.error().message, "31");
      return 1;
    }
  }

  watch::WatcherOptions wopts = session::watcher_options(watch_settings);
  watch::Watcher watcher(
      io, wopts,
      watch::Watcher::Callbacks{
          [&](watch::Batch batch) {
            if (exiting) return;
            std::vector<std::string> paths;
            for (auto& c : batch.changes) paths.push_back(std::move(c.path));
            supervisor.on_changes(paths);
          },
          [&](const watch::Problem& p) {
            say.line(std::string(p.severity == watch::Severity::Error ? "error: " : "warning: ") + p.message +
                         (p.fix.empty() ? "" : " Fix: " + p.fix),
                     "33");
          },
          [&](const watch::CrawlProgress& p) {
            if (p.done) say.line(p.summary);
          }});
  if (auto added = watcher.add_root(root); !added) {
    say.line("cannot watch " + root + ": " + added.error().message, "31");
    return 1;
  }

  for (auto* server : supervisor.servers()) {
    auto started = supervisor.start(server->name(), supervise::Cause::AutoStart, "autoStart");
    if (!started) {
      say.line("cannot start " + server->name() + ": " + started.error().message, "31");
      exit_code = 1;
    }
  }
  if (exit_code != 0) {
    supervisor.stop_all([&] { io.stop(); });
    io.run();
    return exit_code;
  }

  signals.async_wait([&](const asio::error_code& ec, int signo) {
    if (ec) return;
    exiting = true;
    say.line(std::string("stopping (") + ::strsignal(signo) + ")");
    supervisor.stop_all([&] { io.stop(); });
    // A second Ctrl-C while stopping is answered, not ignored.
    signals.async_wait([&](const asio::error_code& e2, int) {
      if (!e2) say.line("still stopping: waiting for the process groups to exit");
    });
  });
  io.run();
  return 0;
}

}  // namespace devwatch::cli
