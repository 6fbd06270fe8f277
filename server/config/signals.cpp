#include "config/signals.h"

#include <csignal>
#include <utility>

#include "config/suggest.h"
#include "supervise/wait_status.h"

namespace devwatch::config {
namespace {

struct Named {
  const char* name;
  int number;
};

// Signals that make sense as a polite stop request. SIGKILL is allowed (a
// server that must die at once); SIGSTOP/SIGTSTP and friends are refused
// because they would leave the group alive and the port held.
constexpr Named kStopSignals[] = {
    {"SIGINT", SIGINT},   {"SIGTERM", SIGTERM}, {"SIGHUP", SIGHUP},   {"SIGQUIT", SIGQUIT},
    {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}, {"SIGABRT", SIGABRT},
    {"SIGALRM", SIGALRM}, {"SIGPWR", SIGPWR},   {"SIGWINCH", SIGWINCH},
};

constexpr Named kRefused[] = {
    {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN}, {"SIGTTOU", SIGTTOU},
    {"SIGCONT", SIGCONT}, {"SIGCHLD", SIGCHLD},
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

Error refused(const char* name) {
  return make_error(ErrorCode::InvalidParams,
                    std::string(name) + " does not stop a process; use SIGINT, SIGTERM or SIGKILL");
}

}  // namespace

Result<int> parse_stop_signal(std::string_view name) {
  std::string key = upper(name);
  if (!key.starts_with("SIG")) key = "SIG" + key;
  for (const auto& s : kStopSignals) {
    if (key == s.name) return s.number;
  }
  for (const auto& s : kRefused) {
    if (key == s.name) return refused(s.name);
  }
  std::string message = "unknown signal \"" + std::string(name) + "\"";
  std::vector<std::string> names;
  for (const auto& s : kStopSignals) names.emplace_back(s.name);
  if (auto guess = closest_match(key, names)) {
    message += " (did you mean \"" + *guess + "\"?)";
  } else {
    message += " (expected one of SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2)";
  }
  return make_error(ErrorCode::InvalidParams, std::move(message));
}

Result<int> parse_stop_signal(long long number) {
  for (const auto& s : kRefused) {
    if (number == s.number) return refused(s.name);
  }
  if (number < 1 || number > SIGRTMAX) {
    return make_error(ErrorCode::InvalidParams,
                      "signal number " + std::to_string(number) + " is out of range 1.." +
                          std::to_string(SIGRTMAX));
  }
  return static_cast<int>(number);
}

std::string signal_name(int signal) { return supervise::signal_name(signal); }

}  // namespace devwatch::config
