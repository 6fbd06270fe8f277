#include "supervise/spec.h"

namespace devwatch::supervise {

const char* start_mode_name(StartMode mode) { return mode == StartMode::Preloaded ? "preloaded" : "cold"; }

StopPolicy stop_policy_for(const ServerSpec& spec) {
  StopPolicy policy;
  if (spec.stop_signal != SIGKILL) policy.push_back({spec.stop_signal, spec.stop_timeout_ms});
  // SIGKILL cannot be ignored; the wait after it only covers processes stuck
  // in uninterruptible sleep, after which the shim keeps killing.
  policy.push_back({SIGKILL, 2000});
  return policy;
}

std::vector<std::string> effective_argv(const ServerSpec& spec) {
  if (!spec.shell) return spec.command;
  std::string joined;
  for (const auto& part : spec.command) {
    if (!joined.empty()) joined += ' ';
    joined += part;
  }
  return {"/bin/sh", "-c", joined};
}

}  // namespace devwatch::supervise
