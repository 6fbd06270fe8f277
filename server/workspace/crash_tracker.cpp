#include "workspace/crash_tracker.h"

#include <algorithm>
#include <set>

namespace devwatch::workspace {
namespace {

bool same_location(const diagnose::Location& a, const diagnose::Location& b) {
  return a.path == b.path && a.line == b.line && a.column == b.column && a.end_column == b.end_column;
}

bool same(const diagnose::Diagnostic& a, const diagnose::Diagnostic& b) {
  if (!same_location(a.location, b.location) || a.message != b.message || a.source != b.source ||
      a.severity != b.severity || a.related.size() != b.related.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.related.size(); ++i) {
    if (!same_location(a.related[i].location, b.related[i].location) || a.related[i].message != b.related[i].message) {
      return false;
    }
  }
  return true;
}

}  // namespace

void CrashTracker::on_start(const std::string& cwd) {
  parser_ = std::make_unique<diagnose::CrashParser>(diagnose::CrashParserOptions{root_, cwd});
  exception_.clear();
  location_.reset();
}

std::vector<std::string> CrashTracker::feed(std::string_view line) {
  if (!parser_) return {};
  return absorb(parser_->feed(line));
}

std::vector<std::string> CrashTracker::finish() {
  if (!parser_) return {};
  return absorb(parser_->finish());
}

std::vector<std::string> CrashTracker::clear() {
  std::vector<std::string> files;
  for (const auto& [path, list] : by_file_) files.push_back(path);
  by_file_.clear();
  return files;
}

const std::vector<diagnose::Diagnostic>& CrashTracker::diagnostics(const std::string& path) const {
  static const std::vector<diagnose::Diagnostic> kNone;
  auto it = by_file_.find(path);
  return it == by_file_.end() ? kNone : it->second;
}

std::vector<std::string> CrashTracker::absorb(std::vector<diagnose::CrashReport> reports) {
  std::set<std::string> touched;
  for (auto& report : reports) {
    if (!report.final_exception().empty()) exception_ = report.final_exception();
    if (!report.diagnostic) continue;
    diagnose::Diagnostic d = std::move(*report.diagnostic);
    location_ = d.location;
    // Frames in site-packages or the standard library are noise in Problems:
    // the traceback in the output has them all.
    std::erase_if(d.related, [&](const diagnose::Related& r) {
      return !diagnose::is_workspace_source(r.location.path, root_);
    });
    auto& list = by_file_[d.location.path];
    // The same traceback printed twice (a request retried) is one diagnostic.
    bool known = std::any_of(list.begin(), list.end(), [&](const diagnose::Diagnostic& x) { return same(x, d); });
    touched.insert(d.location.path);
    if (!known) list.push_back(std::move(d));
  }
  return std::vector<std::string>(touched.begin(), touched.end());
}

}  // namespace devwatch::workspace
