#include "check/check.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/version.h"
#include "config/load.h"
#include "watch/budget.h"
#include "watch/mounts.h"

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

void check_budget(Report& report) {
  auto limits = watch::read_budget_limits();
  std::size_t others = watch::count_foreign_inotify_watches();
  Item item{"watch budget", Status::Ok, {}, {}, json::object()};
  item.data["limit"] = limits.max_user_watches;
  item.data["usedByOthers"] = others;
  std::size_t available = limits.max_user_watches > others ? limits.max_user_watches - others : 0;
  item.data["available"] = available;
  item.detail = std::to_string(available) + " of " + std::to_string(limits.max_user_watches) +
                " inotify watches available (one per watched folder; " + std::to_string(others) +
                " used by other processes)";
  if (available < 8192) {
    item.status = Status::Warn;
    item.fix = watch::watch_limit_fix(limits.max_user_watches * 2);
  }
  report.items.push_back(std::move(item));
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
    servers.push_back(json{{"name", spec.name}, {"command", spec.command}, {"cwd", spec.cwd},
                           {"restartOn", spec.restart_on}, {"ignore", spec.ignore}});
    detail += "\n         server " + spec.name + ": " + argv;
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
  check_budget(report);
  check_mount(report, root);
  check_config(report, root);
  return report;
}

}  // namespace devwatch::check
