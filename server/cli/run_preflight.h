// What `devwatch run` checks before it starts anything: a detected Django
// project whose interpreter cannot import Django would crash on every start,
// so it is refused with the words and the fix of `devwatch check`.
// Threading: blocking (runs the interpreter once, about one start-up).
#pragma once

#include <optional>

#include "check/check.h"
#include "supervise/spec.h"
#include "workspace/root.h"

namespace devwatch::cli {

// nullopt: nothing against starting `spec`; else the failed check item.
std::optional<check::Item> preflight(const workspace::RootStatus& status, const supervise::ServerSpec& spec);

}  // namespace devwatch::cli
