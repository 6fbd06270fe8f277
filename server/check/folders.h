// How many folders a workspace needs watched: the same crawl rules as the
// watcher (built-in ignores, .gitignore files with git's semantics, the
// configured excludes; symlinks never followed), so `devwatch check` can hold
// the count against the inotify watch budget before anything is watched.
// Threading: blocking, on the calling thread (a CLI command).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "paths/ignore.h"

namespace devwatch::check {

struct FolderCount {
  std::size_t folders = 0;  // directories that would get a watch, the root included
  // The largest subtrees at depth 1..3 (relative path, folders in it), none
  // inside another, largest first, at most 5: what to exclude first.
  std::vector<std::pair<std::string, std::size_t>> largest;
  std::size_t unreadable = 0;  // directories that could not be listed
};

// Error (NotFound) when root is not a readable directory, or (InvalidParams)
// when an exclude glob does not compile.
Result<FolderCount> count_watched_folders(const std::string& root, const paths::IgnoreOptions& options);

// "a (900 folders), b/c (12 folders)"
std::string describe_largest(const FolderCount& count);

}  // namespace devwatch::check
