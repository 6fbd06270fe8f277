// Reads a small file whole with plain blocking reads: a .gitignore during a
// crawl, a /proc entry. One place for the open/read/close loop and its cap.
// Thread-safe: a pure function over the file system.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace devwatch {

// `name` relative to the directory `dirfd` (AT_FDCWD: the working directory,
// or an absolute name). Reads at most about `limit` bytes; nullopt when the
// file cannot be opened. `follow_links` false: a symlink is not opened.
std::optional<std::string> read_small_file(int dirfd, const char* name, std::size_t limit,
                                           bool follow_links = true);

}  // namespace devwatch
