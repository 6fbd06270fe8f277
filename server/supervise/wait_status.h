// Names signals and describes wait statuses for the texts devwatch reports
// ("SIGKILL", "exit 1", "killed by SIGKILL"). errno text is not here: it
// comes from common/errno_text.h, like everywhere else.
// Thread-safe: pure functions.
#pragma once

#include <string>

namespace devwatch::supervise {

std::string signal_name(int signal);           // "SIGKILL", or "signal 64"
std::string describe_wait_status(int status);  // "exit 1" / "killed by SIGKILL"

}  // namespace devwatch::supervise
