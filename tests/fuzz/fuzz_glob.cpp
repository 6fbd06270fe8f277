// Fuzzes paths::Glob in both syntaxes. Input: the pattern, a newline, then
// paths one per line. Beyond "no crash, no UB, bounded time":
//  - a failed compile names a column (the message ends "at column N" or
//    explains the limit), and never yields a Glob;
//  - the fast paths (Literal, "*.py", "**/*.py", "**/name") are exactly
//    equivalent to the automaton: the same pattern with every letter and
//    digit written as a one-byte class ("a" -> "[a]") defeats every fast
//    path and must match exactly the same paths. Only applied to patterns
//    without '[', ']', '{', '}' and '\', where that rewrite is meaning-preserving.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "paths/glob.h"

using devwatch::paths::Glob;
using devwatch::paths::GlobSyntax;

namespace {

std::string bracketed(std::string_view pattern) {
  return devwatch::paths::bracket_bytes(pattern, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view pattern = input.substr(0, nl);
  std::vector<std::string_view> paths;
  if (nl != std::string_view::npos) {
    std::string_view rest = input.substr(nl + 1);
    while (true) {
      const std::size_t end = rest.find('\n');
      paths.push_back(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  paths.push_back(pattern);  // a pattern often matches its own text

  const bool rewritable = pattern.find_first_of("[]{}\\") == std::string_view::npos;
  for (GlobSyntax syntax : {GlobSyntax::Lsp, GlobSyntax::Gitignore}) {
    auto glob = Glob::compile(pattern, syntax);
    if (!glob) {
      FUZZ_CHECK(!glob.error().message.empty());
      continue;
    }
    FUZZ_CHECK(glob.value().pattern() == pattern);
    std::vector<bool> results;
    for (auto path : paths) results.push_back(glob.value().matches(path));
    if (!rewritable) continue;
    auto slow = Glob::compile(bracketed(pattern), syntax);
    if (!slow) continue;  // the rewrite can exceed the position limit
    for (std::size_t i = 0; i < paths.size(); ++i) FUZZ_CHECK(slow.value().matches(paths[i]) == results[i]);
  }
  return 0;
}
