// Parses the text of one .gitignore file into rules and decides, for a path
// relative to that file's directory, which rule (if any) matches it last.
// Follows man gitignore; reads no files (the caller passes the content).
// Thread-safe: immutable after parse().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paths/glob.h"

namespace devwatch::paths {

// A .gitignore larger than this is read only this far (the watcher and
// `devwatch check` read them the same way).
constexpr std::size_t kMaxGitignoreBytes = 4u << 20;

struct GitignoreRule {
  Glob glob;
  bool negate = false;    // "!pattern": re-include
  bool dir_only = false;  // "pattern/": directories only
  bool anchored = false;  // a '/' at the start or middle: match the path, else the basename
  std::uint32_t line = 0;
  std::string text;       // the line as written, trailing spaces trimmed
};

class GitignoreFile {
 public:
  // Unusable lines (e.g. an unclosed '[') are skipped and described in
  // problems, "line 4 '[abc': unclosed '[' at column 1", so callers can
  // report them: git itself silently ignores such lines.
  static GitignoreFile parse(std::string_view content);

  // The last rule matching sub_path (relative to this file's directory), or
  // nullptr. The caller applies negate.
  const GitignoreRule* last_match(std::string_view sub_path, bool is_dir) const;

  const std::vector<GitignoreRule>& rules() const { return rules_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<GitignoreRule> rules_;
  std::vector<std::string> problems_;
};

}  // namespace devwatch::paths
