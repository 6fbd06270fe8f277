#include "watch/absolute_excludes.h"

#include <string>

#include "paths/glob.h"

namespace devwatch::watch {

paths::IgnoreOptions ignore_for_root(const paths::IgnoreOptions& options, std::string_view root) {
  paths::IgnoreOptions out = options;
  out.excludes.clear();
  std::string prefix = paths::escape_glob(root);
  if (prefix != "/") prefix += '/';  // the root "/" is its own prefix
  for (const std::string& exclude : options.excludes) {
    if (exclude.empty() || exclude.front() != '/') {
      out.excludes.push_back(exclude);
    } else if (exclude.size() > prefix.size() && exclude.starts_with(prefix)) {
      out.excludes.push_back(exclude.substr(prefix.size()));
    }
  }
  return out;
}

}  // namespace devwatch::watch
