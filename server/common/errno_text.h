// The one way devwatch turns an errno value into text for a message:
// "No such file or directory (ENOENT)". Every module uses this; none formats
// errno by hand (inotify's ENOSPC/EMFILE get their own words in watch/budget).
// Thread-safe: pure functions.
#pragma once

#include <string>

namespace devwatch {

std::string errno_name(int err);  // "ENOENT", or "errno 123" when unknown
std::string errno_text(int err);  // "No such file or directory (ENOENT)"

}  // namespace devwatch
