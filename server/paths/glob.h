// Compiled glob patterns: LSP 3.17 "Pattern" syntax for subscriptions and
// excludes, and the gitignore dialect for ignore.cpp. A pattern compiles once
// into a position automaton (no std::regex, no backtracking), so matching a
// path costs O(length x live states) however many '*' and '**' it holds.
// Thread-safe: a compiled Glob is immutable; matches() may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace devwatch::paths {

enum class GlobSyntax : std::uint8_t {
  // LSP: * ? ** {a,b} [..] [!..]; '\' is an ordinary byte (a valid Linux file
  // name character); a trailing "/**" also matches the directory itself
  // ("src/**" matches "src"), as VS Code's glob does.
  Lsp,
  // gitignore (man gitignore / git's wildmatch): no braces ('{' ',' '}' are
  // literal), '\' escapes the next byte, and a trailing "/**" matches only
  // what is inside ("abc/**" does not match "abc").
  Gitignore,
};

class Glob {
 public:
  // Errors (InvalidParams) name the problem and its 1-based column, e.g.
  // "invalid glob 'a/{b,c': unclosed '{' at column 3".
  static Result<Glob> compile(std::string_view pattern);
  static Result<Glob> compile(std::string_view pattern, GlobSyntax syntax);

  // relative_path: '/'-separated, relative to the pattern's base, no leading
  // '/' (a pattern starting with '/' is literal, so it never matches one).
  // '*', '?' and classes never match '/'; '**' as a whole segment matches any
  // number of segments including none ("a/**/b" matches "a/b").
  bool matches(std::string_view relative_path) const;
  const std::string& pattern() const { return pattern_; }

 private:
  // Common shapes skip the automaton; each is exactly equivalent to it.
  enum class Kind : std::uint8_t {
    Automaton,
    Literal,            // "a/b.txt": equality
    SegmentSuffix,      // "*.py": no '/' and ends with literal_
    PathSuffix,         // "**/*.py": ends with literal_
    AnyDepthName,       // "**/name": equals literal_ or ends with "/" + literal_
  };

  std::string pattern_;
  Kind kind_ = Kind::Literal;  // a default-constructed Glob matches only ""
  std::string literal_;

  // Position automaton (Glushkov): one position per byte-consuming pattern
  // element; state sets are bitsets of `words_` 64-bit words.
  std::uint32_t words_ = 1;
  bool nullable_ = false;                // matches the empty path
  std::vector<std::uint64_t> first_;     // positions that can consume the first byte
  std::vector<std::uint64_t> last_;      // positions that can end a match
  std::vector<std::uint64_t> follow_;    // [position][word]: positions that may come next
  std::vector<std::uint64_t> accepts_;   // [byte][word]: positions that accept the byte

  friend class GlobCompiler;
};

// The LSP glob that matches exactly `literal` and nothing else: each byte
// the syntax gives a meaning (* ? [ ] { }) becomes a one-byte class such as
// "[*]". For splicing a path, which may hold any of them, into a glob.
std::string escape_glob(std::string_view literal);

// `text` with each byte `pick` selects written as a one-byte class ("a" ->
// "[a]"), the others as they are: escape_glob picks the syntax bytes; the
// glob fuzzer picks letters and digits to defeat the literal fast paths.
std::string bracket_bytes(std::string_view text, bool (*pick)(char));

}  // namespace devwatch::paths
