#include "supervise/restart_rules.h"

#include <algorithm>

#include "paths/relative.h"

namespace devwatch::supervise {
namespace {

std::vector<paths::Glob> compile_all(const std::vector<std::string>& patterns) {
  std::vector<paths::Glob> out;
  for (const auto& p : patterns) {
    if (auto g = paths::Glob::compile(p)) out.push_back(std::move(g.value()));
  }
  return out;
}

}  // namespace

RestartRules::RestartRules(const ServerSpec& spec)
    : root_(spec.root), restart_on_(compile_all(spec.restart_on)), ignore_(compile_all(spec.ignore)) {}

bool RestartRules::matches(std::string_view path) const {
  auto rel = paths::relative_to(path, root_);
  if (!rel) return false;
  auto hit = [&](const paths::Glob& g) { return g.matches(*rel); };
  return std::any_of(restart_on_.begin(), restart_on_.end(), hit) && std::none_of(ignore_.begin(), ignore_.end(), hit);
}

}  // namespace devwatch::supervise
