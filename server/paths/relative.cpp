#include "paths/relative.h"

namespace devwatch::paths {

std::optional<std::string_view> relative_to(std::string_view path, std::string_view base) {
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  if (base == "/") {
    if (path.size() > 1 && path.front() == '/') return path.substr(1);
    return std::nullopt;
  }
  if (base.empty() || path.size() <= base.size() + 1 || path.compare(0, base.size(), base) != 0 ||
      path[base.size()] != '/') {
    return std::nullopt;
  }
  return path.substr(base.size() + 1);
}

}  // namespace devwatch::paths
