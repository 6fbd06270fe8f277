// Signal names in devwatch.json ("SIGINT", "INT", "sigterm", or a number).
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace devwatch::config {

// The signal number, or an InvalidParams error whose message is the reason
// (e.g. `unknown signal "SIGFOO" (did you mean "SIGHUP"?)`).
Result<int> parse_stop_signal(std::string_view name);
Result<int> parse_stop_signal(long long number);

// "SIGINT" for SIGINT; "signal 42" when unnamed.
std::string signal_name(int signal);

}  // namespace devwatch::config
