// A workspace::Listener that keeps every event, and a loop runner, for the
// workspace tests.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "support/run_loop.h"
#include "workspace/events.h"

namespace devwatch::testing {

struct RecordingListener final : workspace::Listener {
  std::vector<workspace::ServerChanged> states;
  std::vector<std::pair<std::string, std::string>> lines;  // server, text
  std::vector<workspace::DiagnosticsChanged> diagnostics;
  std::vector<workspace::ConfigProblem> config_problems;
  std::vector<workspace::ConfigHint> hints;
  std::vector<watch::Problem> problems;
  std::vector<watch::CrawlProgress> progress;
  std::vector<watch::Change> changes;
  std::vector<workspace::RunWithheld> withheld;

  void server_changed(const workspace::ServerChanged& e) override { states.push_back(e); }
  void output_line(const std::string& s, const supervise::OutputLine& l) override { lines.emplace_back(s, l.text); }
  void diagnostics_changed(const workspace::DiagnosticsChanged& e) override { diagnostics.push_back(e); }
  void config_problem(const workspace::ConfigProblem& e) override { config_problems.push_back(e); }
  void config_hint(const workspace::ConfigHint& e) override { hints.push_back(e); }
  void run_withheld(const workspace::RunWithheld& e) override { withheld.push_back(e); }
  void watcher_problem(const watch::Problem& p) override { problems.push_back(p); }
  void crawl_progress(const watch::CrawlProgress& p) override { progress.push_back(p); }
  void files_changed(const watch::Batch& b) override {
    changes.insert(changes.end(), b.changes.begin(), b.changes.end());
  }

  bool crawled(std::size_t roots = 1) const {
    std::size_t done = 0;
    for (const auto& p : progress) done += p.done ? 1 : 0;
    return done >= roots;
  }
  bool saw_state(const std::string& name, supervise::ServerState state) const {
    for (const auto& s : states) {
      if (s.change.name == name && s.change.state == state) return true;
    }
    return false;
  }
  bool saw_change(const std::string& path) const {
    for (const auto& c : changes) {
      if (c.path == path) return true;
    }
    return false;
  }
};


}  // namespace devwatch::testing
