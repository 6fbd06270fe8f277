#include "config/restart_rules.h"

#include <algorithm>

namespace devwatch::config {
namespace {

std::vector<paths::Glob> compile_all(const std::vector<std::string>& patterns) {
  std::vector<paths::Glob> out;
  for (const auto& p : patterns) {
    if (auto g = paths::Glob::compile(p)) out.push_back(std::move(g.value()));
  }
  return out;
}

}  // namespace

RestartRules::RestartRules(const supervise::ServerSpec& spec)
    : root_(spec.root), restart_on_(compile_all(spec.restart_on)), ignore_(compile_all(spec.ignore)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

bool RestartRules::matches(std::string_view path) const {
  if (path.size() <= root_.size() || path.compare(0, root_.size(), root_) != 0 || path[root_.size()] != '/') {
    return false;
  }
  auto rel = path.substr(root_.size() + 1);
  auto hit = [&](const paths::Glob& g) { return g.matches(rel); };
  return std::any_of(restart_on_.begin(), restart_on_.end(), hit) && std::none_of(ignore_.begin(), ignore_.end(), hit);
}

}  // namespace devwatch::config
