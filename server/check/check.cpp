#include "check/check.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "check/django_probe.h"
#include "check/folders.h"
#include "common/version.h"
#include "config/django.h"
#include "config/load.h"
#include "config/signals.h"
#include "watch/budget.h"
#include "watch/mounts.h"
#include "watch/watcher.h"

namespace devwatch::check {
namespace {

std::optional<long> read_number(const std::string& path) {
  std::ifstream in(path);
  long value = 0;
  if (in >> value) return value;
  return std::nullopt;
}

void check_inotify(Report& report) {
  Item item{"inotify backend", Status::Ok, {}, {}, json::object()};
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd >= 0) {
    ::close(fd);
    item.detail = "available: native kernel events (used by default)";
    item.data["available"] = true;
  } else {
    int err = errno;
    item.status = Status::Warn;
    item.data["available"] = false;
    item.data["errno"] = err;
    item.detail = std::string("unavailable: inotify_init1 failed: ") + std::strerror(err) +
                  "; devwatch would fall back to the poll backend and say so";
    if (err == EMFILE) {
      item.fix = "too many inotify instances for this user: raise the limit with "
                 "'sudo sysctl fs.inotify.max_user_instances=512' (persist it in /etc/sysctl.d/90-devwatch.conf)";
    } else if (err == ENOSYS) {
      item.fix = "this kernel has no inotify; use the poll backend (\"watch\": {\"backend\": \"poll\"})";
    } else {
      item.fix = "check the kernel's inotify support; the poll backend works meanwhile";
    }
  }
  report.items.push_back(std::move(item));
}

void check_limits(Report& report) {
  Item item{"inotify limits", Status::Ok, {}, {}, json::object()};
  const char* names[] = {"max_user_watches", "max_user_instances", "max_queued_events"};
  std::ostringstream detail;
  bool any = false;
  for (const char* name : names) {
    auto value = read_number(std::string("/proc/sys/fs/inotify/") + name);
    item.data[name] = value ? json(*value) : json(nullptr);
    if (value) {
      detail << (any ? ", " : "") << name << "=" << *value;
      any = true;
    }
  }
  if (!any) {
    item.status = Status::Info;
    item.detail = "/proc/sys/fs/inotify is not readable here";
  } else {
    item.detail = detail.str();
    auto watches = read_number("/proc/sys/fs/inotify/max_user_watches");
    if (watches && *watches < 65536) {
      item.status = Status::Warn;
      item.detail += " (one watch is needed per watched folder; large projects need more)";
      item.fix = "sudo sysctl fs.inotify.max_user_watches=524288 && echo "
                 "fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-devwatch.conf";
    }
  }
  report.items.push_back(std::move(item));
}

void check_poll(Report& report) {
  report.items.push_back(Item{"poll backend", Status::Ok,
                              "available: portable stat-based scanning (used only when configured or "
                              "when inotify cannot work, and then reported)",
                              {}, json{{"available", true}}});
}

}  // namespace

const char* status_name(Status status) {
  switch (status) {
    case Status::Ok: return "ok";
    case Status::Info: return "info";
    case Status::Warn: return "warn";
    case Status::Fail: return "fail";
  }
  return "?";
}

int Report::exit_code() const {
  for (const auto& item : items) {
    if (item.status == Status::Fail) return 1;
  }
  return 0;
}

json Report::to_json() const {
  json list = json::array();
  for (const auto& item : items) {
    json entry{{"name", item.name}, {"status", status_name(item.status)}, {"detail", item.detail}};
    if (!item.fix.empty()) entry["fix"] = item.fix;
    if (!item.data.is_null()) entry["data"] = item.data;
    list.push_back(std::move(entry));
  }
  return json{{"version", DEVWATCH_VERSION}, {"ok", exit_code() == 0}, {"checks", list}};
}

std::string Report::to_text() const {
  std::ostringstream out;
  out << "devwatch " << DEVWATCH_VERSION << " check\n";
  for (const auto& item : items) {
    out << "  [" << status_name(item.status) << "] " << item.name << ": " << item.detail << "\n";
    if (!item.fix.empty()) out << "         fix: " << item.fix << "\n";
  }
  out << (exit_code() == 0 ? "devwatch can run here.\n" : "Something above blocks normal use.\n");
  return out.str();
}

void check_machine(Report& report) {
  check_inotify(report);
  check_limits(report);
  check_poll(report);
}

namespace {

void check_mount(Report& report, const std::string& root) {
  auto remote = watch::remote_filesystem_name(root);
  if (!remote) {
    report.items.push_back(Item{"filesystem", Status::Ok, "local: inotify sees every change", {}, json::object()});
    return;
  }
  report.items.push_back(Item{"filesystem", Status::Warn,
                              root + " is on " + *remote + ": inotify does not see changes made by other machines",
                              "poll this folder: set \"watch\": {\"backend\": \"poll\"} in devwatch.json",
                              json{{"type", *remote}}});
}

// Test hook: DEVWATCH_CHECK_MAX_USER_WATCHES pretends fs.inotify.max_user_watches
// is that value (the watcher's watch_limit_override, for `devwatch check`).
std::size_t watch_limit(const watch::BudgetLimits& limits) {
  if (const char* env = std::getenv("DEVWATCH_CHECK_MAX_USER_WATCHES"); env && *env) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(env, &end, 10);
    if (end && *end == 0) return static_cast<std::size_t>(v);
  }
  return limits.max_user_watches;
}

// The folders this workspace needs (one inotify watch each) against the watches available.
void check_budget(Report& report, const std::string& root, const config::WatchSettings* settings) {
  auto limits = watch::read_budget_limits();
  const std::size_t limit = watch_limit(limits);
  std::size_t others = watch::count_foreign_inotify_watches();
  Item item{"watch budget", Status::Ok, {}, {}, json::object()};
  item.data["limit"] = limit;
  item.data["usedByOthers"] = others;
  std::size_t available = limit > others ? limit - others : 0;
  item.data["available"] = available;
  const std::string availability = watch::format_count(available) + " of " + watch::format_count(limit) +
                                   " inotify watches available (" + watch::format_count(others) +
                                   " used by other processes)";
  paths::IgnoreOptions ignore;
  if (settings) {
    ignore.respect_gitignore = settings->respect_gitignore;
    ignore.excludes = settings->exclude;
  }
  auto counted = count_watched_folders(root, ignore);
  if (!counted) {
    item.status = Status::Warn;
    item.detail = availability + "; the workspace's folders could not be counted: " + counted.error().message;
    report.items.push_back(std::move(item));
    return;
  }
  const std::size_t needed = counted->folders;
  item.data["needed"] = needed;
  json largest = json::array();
  for (const auto& [rel, n] : counted->largest) largest.push_back(json{{"path", rel}, {"folders", n}});
  item.data["largest"] = largest;
  const bool poll_unwatched = settings && settings->poll_unwatched;
  if (needed > available) {
    // The watcher would leave folders unwatched: the same words as `devwatch watch`.
    item.status = poll_unwatched ? Status::Warn : Status::Fail;
    item.detail = watch::budget_message(needed, available, limit, others);
    if (poll_unwatched) item.detail += "; watch.pollUnwatched polls them (slower to notice, costs CPU)";
    item.fix = watch::watch_limit_fix(needed);
    std::string names = describe_largest(*counted);
    if (!names.empty()) item.fix += "; largest folders you could exclude (\"watch\": {\"exclude\": [...]}): " + names;
    if (!poll_unwatched) item.fix += "; or set watch.pollUnwatched=true to poll the unwatched folders";
  } else {
    item.detail = "this workspace needs " + watch::format_count(needed) + (needed == 1 ? " folder" : " folders") +
                  " watched; " + availability;
    if (available < 8192) {
      item.status = Status::Warn;
      item.detail += " (a low limit: larger projects will not fit)";
      item.fix = watch::watch_limit_fix(std::max(needed, limit) * 2);
    }
  }
  report.items.push_back(std::move(item));
}

// A Django project (manage.py at the root): what Django itself would pick.
void check_django(Report& report, const std::string& root) {
  auto detected = config::detect_django(root, config::process_env());
  if (!detected || detected->spec.command.empty()) return;
  const std::string& interpreter = detected->spec.command.front();
  std::string why;
  for (const auto& line : detected->explanation)
    if (line.rfind("interpreter:", 0) == 0) why = line;
  for (auto& item : django_items(run_django_probe(interpreter, root), interpreter, why))
    report.items.push_back(std::move(item));
}

// "SIGTERM, then SIGKILL after 5000 ms", from the policy the supervisor applies.
std::string stop_policy_text(const supervise::ServerSpec& spec) {
  const auto policy = supervise::stop_policy_for(spec);
  std::string text;
  for (std::size_t i = 0; i < policy.size(); ++i) {
    if (i > 0) text += ", then " + config::signal_name(policy[i].signal) + " after " +
                       std::to_string(policy[i - 1].timeout_ms) + " ms";
    else text += config::signal_name(policy[i].signal);
  }
  return text;
}

void check_config(Report& report, const std::string& root) {
  auto loaded = config::load_workspace_config(root, nullptr, config::process_env());
  if (!loaded) {
    report.items.push_back(Item{"config", Status::Fail, loaded.error().message,
                                "fix " + root + "/devwatch.json (docs/config.md describes every field)",
                                json{{"valid", false}}});
    return;
  }
  json servers = json::array();
  std::string detail = loaded->description;
  for (const auto& spec : loaded->config.servers) {
    std::string argv;
    for (const auto& a : spec.command) argv += (argv.empty() ? "" : " ") + a;
    const std::string policy = stop_policy_text(spec);
    const std::string why = spec.stop_signal_why.empty()
                                ? "the default: \"stopSignal\" is not set, and SIGINT is what Ctrl-C sends in a terminal"
                                : spec.stop_signal_why;
    servers.push_back(json{{"name", spec.name}, {"command", spec.command}, {"cwd", spec.cwd},
                           {"restartOn", spec.restart_on}, {"ignore", spec.ignore},
                           {"stopPolicy", json{{"signal", config::signal_name(spec.stop_signal)},
                                               {"timeoutMs", spec.stop_timeout_ms}, {"why", why}}}});
    detail += "\n         server " + spec.name + ": " + argv;
    detail.append("\n         server ").append(spec.name).append(" stop: ").append(policy);
    detail.append(" (").append(why).append(")");
  }
  for (const auto& why : loaded->explanation) detail += "\n         " + why;
  report.items.push_back(Item{"config", loaded->config.servers.empty() ? Status::Info : Status::Ok, detail, {},
                              json{{"valid", true}, {"source", loaded->description}, {"servers", servers},
                                   {"backend", config::backend_name(loaded->config.watch.backend)}}});
}

}  // namespace

Report run_checks(const std::string& root) {
  Report report;
  report.items.push_back(Item{"workspace", Status::Info, root, {}, json{{"root", root}}});
  check_machine(report);
  auto loaded = config::load_workspace_config(root, nullptr, config::process_env());
  check_budget(report, root, loaded ? &loaded->config.watch : nullptr);
  check_mount(report, root);
  check_config(report, root);
  check_django(report, root);
  return report;
}

}  // namespace devwatch::check
