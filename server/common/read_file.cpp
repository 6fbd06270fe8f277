#include "common/read_file.h"

#include <fcntl.h>
#include <unistd.h>

namespace devwatch {

std::optional<std::string> read_small_file(int dirfd, const char* name, std::size_t limit, bool follow_links) {
  int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC | (follow_links ? 0 : O_NOFOLLOW));
  if (fd < 0) return std::nullopt;
  std::string content;
  char buf[8192];
  while (content.size() <= limit) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

}  // namespace devwatch
