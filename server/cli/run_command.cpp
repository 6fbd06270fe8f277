// `devwatch run` is a console view of the same Workspace the editor session
// drives: it turns the command line into the workspace's overrides and
// prints the workspace's events as short, marked lines on stderr.
#include "cli/run_command.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <set>

#include "cli/run_options.h"
#include "cli/run_preflight.h"
#include "paths/relative.h"
#include "proxy/proxy.h"
#include "workspace/workspace.h"

namespace devwatch::cli {
namespace {

std::string cwd() {
  char buf[4096];
  return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string(".");
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos || slash + 1 == path.size() ? path : path.substr(slash + 1);
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

class ConsoleView final : public workspace::Listener {
 public:
  ConsoleView(const Say& say, std::string root, bool timings) : say_(say), root_(std::move(root)), timings_(timings) {}

  bool prefix = false;    // several servers: mark their lines with [name]
  bool exiting = false;   // Ctrl-C: stops are not news
  bool failed = false;    // a server refused or the root not watchable: exit 1

  void server_changed(const workspace::ServerChanged& e) override {
    const auto& c = e.change;
    switch (c.state) {
      case supervise::ServerState::Starting:
        // A restart was announced when it stopped, an automatic one by the
        // crash line ("— restarting"); only other starts are news.
        if (c.cause != supervise::Cause::AutoStart && c.cause != supervise::Cause::Change &&
            c.cause != supervise::Cause::Config && c.cause != supervise::Cause::AutoRestart) {
          say_.line("starting " + c.name + " (" + c.reason + ")");
        }
        break;
      case supervise::ServerState::Ready: ready(e); break;
      case supervise::ServerState::Stopping:
        if (exiting) break;
        if (c.restarting) {
          say_.line("restarting " + c.name + " (" + restart_why(c) + ")");
        } else {
          say_.line("stopping " + c.name + " (" + c.reason + ")");
        }
        break;
      case supervise::ServerState::Crashed:
      case supervise::ServerState::Backoff: {
        if (c.setup) {
          // The real reason first, said once; no "restarting" before it.
          say_.line("cannot run " + c.name + ": " + c.setup->message, "31");
          say_.line("  fix: " + c.setup->fix, "33");
          said_setup_.insert(c.name);
          break;
        }
        std::string text = c.name + " crashed (" + supervise::exit_description(c) + ")";
        if (!e.exception.empty()) {
          text += ": " + e.exception;
          if (e.location) text += " at " + shown(e.location->path, root_) + ":" + std::to_string(e.location->line + 1);
        }
        text += c.state == supervise::ServerState::Backoff ? " — " + c.reason
                : (e.spec && e.spec->auto_restart ? " — restarting" : " — waiting for changes");
        // A crash loop at start-up repeats one line: said once until it is ready again.
        if (last_crash_[c.name] == text) break;
        last_crash_[c.name] = text;
        say_.line(text, "31");
        break;
      }
      case supervise::ServerState::Stopped:
        break;
    }
  }

  // A setup problem of this server was said (with its fix) by server_changed.
  bool said_setup(const std::string& name) const { return said_setup_.count(name) != 0; }

  void output_line(const std::string& server, const supervise::OutputLine& line) override {
    FILE* out = line.stream == supervise::Stream::Stdout ? stdout : stderr;
    if (prefix) std::fprintf(out, "[%s] ", server.c_str());
    std::fwrite(line.text.data(), 1, line.text.size(), out);
    if (!line.cut) std::fputc('\n', out);
    std::fflush(out);
  }

  void diagnostics_changed(const workspace::DiagnosticsChanged&) override {}

  void config_problem(const workspace::ConfigProblem& e) override {
    if (e.server.empty()) {
      say_.line("invalid configuration: " + e.message, "31");
    } else {
      say_.line("cannot use " + e.server + ": " + e.message, "31");
      failed = true;
    }
  }

  // Run from a folder below the project: say where the project is.
  void config_hint(const workspace::ConfigHint& e) override { say_.line(e.hint, "33"); }

  void watcher_problem(const watch::Problem& p) override {
    if (p.kind == "watch-failed") {
      say_.line(p.message, "31");
      failed = true;
      return;
    }
    say_.line(std::string(p.severity == watch::Severity::Error ? "error: " : "warning: ") + p.message +
                  (p.fix.empty() ? "" : " Fix: " + p.fix),
              "33");
  }

  void crawl_progress(const watch::CrawlProgress& p) override {
    if (p.done) say_.line(p.summary);
  }

  void files_changed(const watch::Batch&) override {}

 private:
  void ready(const workspace::ServerChanged& e) {
    const auto& c = e.change;
    last_crash_.erase(c.name);
    std::string text = c.name + " ready" + (c.ready_ms ? " in " + std::to_string(*c.ready_ms) + " ms" : "");
    // Only for servers with preload: whether this start forked the zygote.
    if (c.start) {
      text += std::string(" (") + supervise::start_mode_name(c.start->mode) +
              (c.start->mode == supervise::StartMode::Cold ? ": " + c.start->reason : "") + ")";
    }
    if (auto url = e.spec ? proxy::browser_url(*e.spec) : std::nullopt) {
      text += " — " + *url + (e.spec->proxy.enabled() ? " (proxy" + std::string(e.spec->proxy.live_reload ? ", live reload)" : ")") : "");
    }
    say_.line(text, "32");
    if (!timings_) return;
    auto ms = [](const std::optional<double>& v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f", v.value_or(-1));
      return std::string(buf);
    };
    const auto& t = c.timings;
    say_.line("timings: event_to_spawn_ms=" + ms(t.event_to_spawn_ms) + " gone_to_spawn_ms=" +
              ms(t.gone_to_spawn_ms) + " spawn_to_ready_ms=" + ms(t.spawn_to_ready_ms) +
              " probe_slack_ms=" + ms(t.probe_slack_ms) +
              (c.start ? std::string(" start=") + supervise::start_mode_name(c.start->mode) +
                             " fork_ms=" + ms(c.start->fork_ms)
                       : std::string()));
  }

  // "blog/views.py changed", "200 files changed", "configuration changed":
  // from the structured fields, paths relative to the root.
  std::string restart_why(const supervise::StateChange& c) const {
    switch (c.cause) {
      case supervise::Cause::Change:
        if (c.changed_count == 1 && !c.changed_files.empty()) return shown(c.changed_files.front(), root_) + " changed";
        return std::to_string(c.changed_count) + " files changed";
      case supervise::Cause::Config: return "configuration changed";
      case supervise::Cause::Request: return "restart requested";
      default: return supervise::cause_name(c.cause);
    }
  }

  const Say& say_;
  std::string root_;
  bool timings_;
  std::map<std::string, std::string> last_crash_;
  std::set<std::string> said_setup_;
};


}  // namespace

int run_run_command(const std::vector<std::string>& args) {
  auto parsed = parse_run_options(args);
  if (!parsed) {
    std::cerr << "devwatch run: " << parsed.error().message << "\n" << kRunUsage;
    return 2;
  }
  RunOptions opts = std::move(parsed.value());
  if (opts.help) {
    std::cout << kRunUsage;
    return 0;
  }
  // Installed first: a Ctrl-C during start-up is queued and handled like any
  // other, instead of killing devwatch with its servers half started.
  asio::io_context io;
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  Say say;
  const std::string root = cwd();

  // What to run: the given command, else the configuration or the detected project.
  workspace::WorkspaceOptions options;
  options.folders.push_back(workspace::Folder{root, base_name(root)});
  options.overrides.adjust = [&opts](supervise::ServerSpec& spec) { adjust_spec(opts, spec); };
  if (!opts.command.empty()) {
    options.overrides.load = [&opts](const std::string& folder) -> Result<config::LoadedConfig> {
      config::LoadedConfig loaded;
      loaded.description = "the command line";
      loaded.config.servers.push_back(command_spec(opts, folder));
      return loaded;
    };
  }
  ConsoleView view(say, root, opts.timings);
  workspace::Workspace ws(io, std::move(options), view);
  ws.open();
  auto status = ws.config_status();
  if (status.empty() || !status.front().error.empty() || view.failed) return 1;
  if (ws.servers().empty()) {
    say.line("nothing to run here: no devwatch.json with servers and no manage.py in " + root +
                 ". Give a command: devwatch run -- CMD ARGS...",
             "31");
    return 1;
  }
  if (opts.command.empty()) {
    say.line("using " + status.front().source);
    // Short lines here; `devwatch check` explains every choice. The
    // interpreter is the choice that goes wrong silently elsewhere, so it is said.
    for (const auto& why : status.front().explanation) {
      if (why.rfind("interpreter:", 0) == 0) say.line("  " + why);
    }
  }
  view.prefix = ws.servers().size() > 1;
  for (const auto* server : ws.servers()) {
    if (auto refused = preflight(status.front(), server->spec())) {
      say.line("cannot run " + server->name() + ": " + refused->detail, "31");
      say.line("  fix: " + refused->fix, "33");
      return 1;
    }
  }

  int exit_code = 0;
  bool waiting = false;
  for (const auto& [name, error] : ws.start_auto().failed) {
    if (!view.said_setup(name)) say.line("cannot start " + name + ": " + error.message, "31");
    // A configured server waits for devwatch.json to change; a command line cannot change.
    if (opts.command.empty() && view.said_setup(name)) {
      waiting = true;
    } else {
      exit_code = 1;
    }
  }
  if (waiting && exit_code == 0) say.line("waiting for a change of devwatch.json (Ctrl-C to quit)");
  if (exit_code != 0) {
    ws.stop_all([&] { io.stop(); });
    io.run();
    return exit_code;
  }

  signals.async_wait([&](const asio::error_code& ec, int signo) {
    if (ec) return;
    view.exiting = true;
    ws.close_watcher();
    say.line(std::string("stopping (") + ::strsignal(signo) + ")");
    ws.stop_all([&] { io.stop(); });
    // A second Ctrl-C while stopping is answered, not ignored.
    signals.async_wait([&](const asio::error_code& e2, int) {
      if (!e2) say.line("still stopping: waiting for the process groups to exit");
    });
  });
  io.run();
  return 0;
}

}  // namespace devwatch::cli
