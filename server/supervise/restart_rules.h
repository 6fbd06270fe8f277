// Decides whether a changed path should restart a server: it must match one
// of the server's restartOn globs and none of its ignore globs, relative to
// the server's workspace root. Each DevServer compiles its own from its spec
// (again on every spec change), so relevance is decided in one place for the
// editor session and `devwatch run` alike.
// Threading: immutable after construction; matches() may run anywhere.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "paths/glob.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

class RestartRules {
 public:
  RestartRules() = default;
  // Invalid globs cannot reach here: the config is validated before use.
  explicit RestartRules(const ServerSpec& spec);
  bool matches(std::string_view absolute_path) const;

 private:
  std::string root_;
  std::vector<paths::Glob> restart_on_;
  std::vector<paths::Glob> ignore_;
};

}  // namespace devwatch::supervise
