// Which commands can be preloaded, and the zygote's own command line: the
// server's interpreter and interpreter options, then the launcher, its
// socket and modules, then the server's whole command (the launcher sets
// sys.path and sys.argv up from it exactly as a cold start would).
// Threading: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "supervise/spec.h"

namespace devwatch::preload {

// ConfigInvalid with the reason (and the fix) when the spec's command is not
// `python [options] script.py ...` or `python [options] -m module ...`.
Result<std::vector<std::string>> zygote_argv(const supervise::ServerSpec& spec, const std::string& launcher,
                                             const std::string& socket);

}  // namespace devwatch::preload
