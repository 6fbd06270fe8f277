#include "common/errno_text.h"

#include <cstring>

namespace devwatch {

std::string errno_name(int err) {
  if (const char* name = strerrorname_np(err)) return name;
  return "errno " + std::to_string(err);
}

std::string errno_text(int err) {
  const char* desc = strerrordesc_np(err);
  return std::string(desc ? desc : "Unknown error") + " (" + errno_name(err) + ")";
}

}  // namespace devwatch
