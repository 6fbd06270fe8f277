// What one dev server's stderr says about its crashes: a CrashParser per
// process, the last exception line, the innermost workspace frame of the last
// crash, and the crash diagnostics per file (deduplicated, with only the
// workspace's frames as related information).
// Threading: plain object, used on the loop thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/python_traceback.h"

namespace devwatch::workspace {

class CrashTracker {
 public:
  explicit CrashTracker(std::string root) : root_(std::move(root)) {}

  // A new process starts: a fresh parser; the last crash is forgotten.
  void on_start(const std::string& cwd);
  // One stderr line; returns the files whose diagnostics changed.
  std::vector<std::string> feed(std::string_view line);
  // The process is gone: a traceback waiting for a chained one is complete.
  std::vector<std::string> finish();
  // The server is ready again: every diagnostic goes; returns their files.
  std::vector<std::string> clear();

  const std::string& exception() const { return exception_; }
  const std::optional<diagnose::Location>& location() const { return location_; }
  const std::vector<diagnose::Diagnostic>& diagnostics(const std::string& path) const;

 private:
  std::vector<std::string> absorb(std::vector<diagnose::CrashReport> reports);

  std::string root_;
  std::unique_ptr<diagnose::CrashParser> parser_;
  std::string exception_;
  std::optional<diagnose::Location> location_;
  std::map<std::string, std::vector<diagnose::Diagnostic>> by_file_;
};

}  // namespace devwatch::workspace
