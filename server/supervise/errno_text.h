// Turns errno values and wait statuses into the short texts devwatch reports
// ("No such file or directory (ENOENT)", "exit 1", "signal 9 (SIGKILL)").
// Thread-safe: pure functions.
#pragma once

#include <string>

namespace devwatch::supervise {

std::string errno_name(int err);         // "ENOENT", or "errno 123" when unknown
std::string errno_text(int err);         // "No such file or directory (ENOENT)"
std::string signal_name(int signal);     // "SIGKILL", or "signal 64"
std::string describe_wait_status(int status);  // "exit 1" / "killed by SIGKILL"

}  // namespace devwatch::supervise
