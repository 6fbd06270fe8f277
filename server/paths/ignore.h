// Decides which paths under one watched root are ignored: the built-in list
// (VCS internals, dependency and cache directories, editor temp files),
// .gitignore files with git's semantics, and the client's/config's exclude
// globs. Ignored directories get no inotify watch, so this runs for every
// crawled entry and every event. Reads no files: the caller passes
// .gitignore contents in (and may pass .git/info/exclude as the root's too).
// Not thread-safe: one instance per root, used from the event-loop thread
// (the const methods only read, so they may run concurrently with each other).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "paths/gitignore.h"
#include "paths/glob.h"

namespace devwatch::paths {

struct IgnoreOptions {
  bool builtin_defaults = true;       // the built-in list (builtin_ignore_patterns())
  bool respect_gitignore = true;      // .gitignore files with git semantics
  // LSP globs relative to the root, matched against the whole relative path
  // ("dist" is only the top-level one; "**/dist" is any). A trailing '/'
  // ("build/") limits the glob to directories.
  std::vector<std::string> excludes;
};

class IgnoreRules {
 public:
  // Error (InvalidParams) naming the exclude if one does not compile.
  static Result<IgnoreRules> create(IgnoreOptions options);

  // The content of the .gitignore in directory dir_rel ("" = root, else
  // "a/b"; a trailing '/' or "." for the root are accepted). Replaces earlier
  // rules for that dir. A no-op when respect_gitignore is false.
  void set_gitignore(std::string_view dir_rel, std::string_view content);
  void remove_gitignore(std::string_view dir_rel);
  // The content of .git/info/exclude: root-anchored like the root's
  // .gitignore, but every .gitignore file takes precedence over it (as in
  // git). "" clears it. A no-op when respect_gitignore is false.
  void set_git_info_exclude(std::string_view content);

  // rel_path is '/'-separated, relative to the root, no leading '/'; the
  // root itself ("") is never ignored. is_dir decides "dir/"-only rules; for
  // a deleted entry pass what it was when last seen.
  // Is this entry ignored, given that its ancestors are known NOT to be (the
  // crawler's case; cheap).
  bool is_ignored_entry(std::string_view rel_path, bool is_dir) const;
  // Is this entry, or any ancestor directory of it, ignored (the event case).
  // An entry under an ignored directory stays ignored even if a "!" rule
  // names it, as in git.
  bool is_ignored(std::string_view rel_path, bool is_dir) const;
  // "built-in: node_modules", ".gitignore in a/b: line 3 'build/'",
  // ".gitignore in root: line 1 '*.log'", ".git/info/exclude: line 2 'x'",
  // "exclude: **/dist/**"; when an
  // ancestor is the ignored one, " (via directory a/node_modules)" follows.
  // "" if not ignored.
  std::string explain(std::string_view rel_path, bool is_dir) const;

  // Lines of the current .gitignore files that cannot be used, each like
  // "a/.gitignore line 4 '[abc': unclosed '[' at column 1" (git skips them
  // silently; we report them).
  std::vector<std::string> gitignore_problems() const;
  const IgnoreOptions& options() const { return options_; }

 private:
  struct Reason;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  bool entry_reason(std::string_view rel_path, bool is_dir, Reason& reason) const;
  bool path_reason(std::string_view rel_path, bool is_dir, Reason& reason, std::string_view& ignored) const;

  IgnoreOptions options_;
  std::vector<Glob> exclude_globs_;
  std::vector<bool> exclude_dir_only_;
  std::unordered_map<std::string, GitignoreFile, StringHash, std::equal_to<>> gitignores_;
  GitignoreFile info_exclude_;
};

// The built-in list, in gitignore-like notation, for docs and `devwatch check`.
// Names without '/' match at any depth, whether file or directory.
const std::vector<std::string>& builtin_ignore_patterns();

}  // namespace devwatch::paths
