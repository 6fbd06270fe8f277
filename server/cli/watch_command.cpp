#include "cli/watch_command.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include "common/errno_text.h"
#include "common/json.h"
#include "paths/uri.h"
#include "watch/asio.h"
#include "watch/coalescer.h"
#include "watch/watcher.h"

namespace devwatch::cli {

namespace {

constexpr const char* kUsage =
    "usage: devwatch watch [PATH...] [--json] [--exclude GLOB]... [--backend auto|inotify|poll]\n"
    "                      [--settle-ms N] [--poll-interval-ms N]\n"
    "Prints 'created|changed|deleted PATH' per change (one JSON object per line with --json)\n"
    "and 'ready: ...' once the initial crawl is done. PATH defaults to the current directory.\n";

struct WatchArgs {
  std::vector<std::string> paths;
  bool json = false;
  int settle_ms = 20;
  watch::WatcherOptions options;
};

bool parse_int(const std::string& s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "devwatch watch: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// Returns an exit code when parsing ends the command (help, usage error).
std::optional<int> parse(const std::vector<std::string>& args, WatchArgs& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::optional<std::string> inline_value;
    if (a.rfind("--", 0) == 0) {
      auto eq = a.find('=');
      if (eq != std::string::npos) {
        inline_value = a.substr(eq + 1);
        a.resize(eq);
      }
    }
    auto value = [&](std::string& v) -> bool {
      if (inline_value) {
        v = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--json") {
      out.json = true;
    } else if (a == "--exclude") {
      if (!value(v)) return usage_error("--exclude needs a glob");
      out.options.ignore.excludes.push_back(v);
    } else if (a == "--backend") {
      if (!value(v)) return usage_error("--backend needs auto, inotify or poll");
      if (v != "auto" && v != "inotify" && v != "poll")
        return usage_error("unknown backend '" + v + "' (auto, inotify or poll)");
      out.options.backend = v;
    } else if (a == "--settle-ms") {
      if (!value(v) || !parse_int(v, out.settle_ms)) return usage_error("--settle-ms needs a number >= 0");
    } else if (a == "--poll-interval-ms") {
      if (!value(v) || !parse_int(v, out.options.poll_interval_ms) || out.options.poll_interval_ms < 10)
        return usage_error("--poll-interval-ms needs a number >= 10");
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      out.paths.push_back(a);
    }
  }
  if (out.paths.empty()) out.paths.emplace_back(".");
  return std::nullopt;
}

class WatchPrinter {
 public:
  explicit WatchPrinter(bool json) : json_(json) {}

  // False once stdout is gone (reader exited): time to stop.
  bool print(const watch::Batch& b) const {
    std::string out;
    if (b.resync_reason) {
      if (json_) out += dump_json(json{{"resync", {{"reason", *b.resync_reason}}}}) + "\n";
      else out += "resync: " + *b.resync_reason + "\n";
    }
    for (const watch::Change& c : b.changes) {
      if (json_) {
        out += dump_json(json{{"type", watch::change_type_name(c.type)},
                              {"path", c.path},
                              {"uri", paths::path_to_uri(c.path)}});
      } else {
        out += watch::change_type_name(c.type);
        out += ' ';
        out += c.path;
      }
      out += '\n';
    }
    return write(out);
  }

  bool ready(std::size_t folders, long long ms, const std::string& backend) const {
    if (json_)
      return write(dump_json(json{{"ready", true}, {"folders", folders}, {"ms", ms}, {"backend", backend}}) + "\n");
    return write("ready: watching " + watch::format_count(folders) + " folders in " + std::to_string(ms) +
                 " ms\n");
  }

 private:
  static bool write(const std::string& s) {
    if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size()) return false;
    return std::fflush(stdout) == 0;
  }
  bool json_;
};

}  // namespace

int run_watch_command(const std::vector<std::string>& args) {
  WatchArgs wa;
  if (auto code = parse(args, wa)) return *code;
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout shows up as a write error

  std::vector<std::string> roots;
  for (const std::string& p : wa.paths) {
    char buf[PATH_MAX];
    if (!::realpath(p.c_str(), buf)) {
      std::fprintf(stderr, "devwatch: error: cannot watch %s: %s\n", p.c_str(), errno_text(errno).c_str());
      return 1;
    }
    roots.emplace_back(buf);
  }

  asio::io_context io;
  const auto start = std::chrono::steady_clock::now();
  watch::Coalescer coalescer(std::chrono::milliseconds(wa.settle_ms), std::chrono::milliseconds(std::max(200, wa.settle_ms)));
  asio::steady_timer settle_timer(io);
  WatchPrinter printer(wa.json);
  int exit_code = 0;
  std::size_t roots_ready = 0;
  bool timer_armed = false;
  std::function<void()> pump;
  std::unique_ptr<watch::Watcher> watcher;

  pump = [&] {
    watch::Batch b = coalescer.take_ready(std::chrono::steady_clock::now());
    if (!b.changes.empty() || b.resync_reason) {
      if (!printer.print(b)) {
        exit_code = 1;
        io.stop();
        return;
      }
    }
    auto deadline = coalescer.next_deadline();
    if (!deadline || timer_armed) return;
    timer_armed = true;
    settle_timer.expires_at(*deadline);
    settle_timer.async_wait([&](const asio::error_code& ec) {
      timer_armed = false;
      if (!ec) pump();
    });
  };

  watch::Watcher::Callbacks cb;
  cb.on_batch = [&](const watch::Batch& b) {
    coalescer.add(b, std::chrono::steady_clock::now());
    if (timer_armed) {  // the deadline may have moved earlier (max latency) or later (settle)
      settle_timer.cancel();
      timer_armed = false;
    }
    pump();
  };
  // The Watcher logs nothing: this is the one place its problems are shown.
  cb.on_problem = [&](const watch::Problem& p) {
    std::fprintf(stderr, "devwatch: %s: %s%s%s\n", watch::severity_name(p.severity), p.message.c_str(),
                 p.fix.empty() ? "" : "; fix: ", p.fix.c_str());
  };
  cb.on_progress = [&](const watch::CrawlProgress& p) {
    if (!p.done || ++roots_ready != roots.size()) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (!printer.ready(watcher->watched_dirs(), static_cast<long long>(ms), watcher->backend_name())) {
      exit_code = 1;
      io.stop();
    }
  };

  watcher = std::make_unique<watch::Watcher>(io, wa.options, std::move(cb));
  for (const std::string& r : roots) {
    auto added = watcher->add_root(r);
    if (!added) {
      std::fprintf(stderr, "devwatch: error: %s\n", added.error().message.c_str());
      return added.error().code == ErrorCode::InvalidParams ? 2 : 1;
    }
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (!ec) io.stop();
  });
  io.run();
  // Print what is still settling: a script that stops us wants every change.
  watch::Batch rest = coalescer.take_all();
  if (exit_code == 0 && (!rest.changes.empty() || rest.resync_reason)) printer.print(rest);
  watcher.reset();
  return exit_code;
}

}  // namespace devwatch::cli
