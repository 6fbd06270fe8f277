// `devwatch check`: a diagnosis of this machine and workspace for devwatch.
// Each item says what was found, and for anything short of ok, the fix.
// Threading: runs on the calling thread, blocking (a CLI command).
#pragma once

#include <string>
#include <vector>

#include "common/json.h"

namespace devwatch::check {

enum class Status { Ok, Info, Warn, Fail };

struct Item {
  std::string name;    // "inotify", "inotify limits", "config", ...
  Status status = Status::Ok;
  std::string detail;  // what was found
  std::string fix;     // how to fix it (empty when ok)
  json data;           // machine-readable facts for --json
};

struct Report {
  std::vector<Item> items;
  // Non-zero when something blocks normal use (a Fail item).
  int exit_code() const;
  json to_json() const;
  std::string to_text() const;
};

const char* status_name(Status status);

// Machine-level checks (watch backends and kernel limits).
void check_machine(Report& report);

// All checks for a workspace rooted at `root`.
Report run_checks(const std::string& root);

}  // namespace devwatch::check
