#include "supervise/errno_text.h"

#include <sys/wait.h>

#include <cstring>

namespace devwatch::supervise {

std::string errno_name(int err) {
  if (const char* name = strerrorname_np(err)) return name;
  return "errno " + std::to_string(err);
}

std::string errno_text(int err) {
  return std::string(strerrordesc_np(err) ? strerrordesc_np(err) : "Unknown error") + " (" +
         errno_name(err) + ")";
}

std::string signal_name(int signal) {
  if (const char* abbrev = sigabbrev_np(signal)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(signal);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by " + signal_name(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace devwatch::supervise
