// Fuzzes paths::GitignoreFile::parse and last_match. Input: .gitignore text;
// the paths tried are made from its own lines (with and without a directory
// in front), so matching rules are found often. Properties:
//  - every line yields a rule, a problem, or nothing (blank/comment); rule
//    line numbers are increasing and within the file;
//  - CRLF line endings parse exactly like LF ones (editors on Windows save
//    them; git ignores the CR);
//  - last_match returns one of the file's own rules, and a dir-only rule
//    never matches a file.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "paths/gitignore.h"

using devwatch::paths::GitignoreFile;

namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const GitignoreFile file = GitignoreFile::parse(text);
  const auto lines = lines_of(text);
  FUZZ_CHECK(file.rules().size() + file.problems().size() <= lines.size());
  std::uint32_t previous = 0;
  for (const auto& rule : file.rules()) {
    FUZZ_CHECK(rule.line > previous && rule.line <= lines.size());
    FUZZ_CHECK(!rule.text.empty() && rule.text.front() != '#');
    previous = rule.line;
  }

  if (text.find('\r') == std::string_view::npos) {
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    const GitignoreFile again = GitignoreFile::parse(crlf);
    FUZZ_CHECK(again.rules().size() == file.rules().size());
    FUZZ_CHECK(again.problems() == file.problems());
    for (std::size_t i = 0; i < file.rules().size(); ++i) {
      const auto& a = file.rules()[i];
      const auto& b = again.rules()[i];
      FUZZ_CHECK(a.text == b.text && a.line == b.line && a.negate == b.negate && a.dir_only == b.dir_only &&
                 a.anchored == b.anchored);
    }
  }

  std::vector<std::string> paths;
  for (const auto& line : lines) {
    paths.push_back(line);
    paths.push_back("sub/" + line);
  }
  for (const auto& path : paths) {
    for (bool is_dir : {false, true}) {
      const auto* rule = file.last_match(path, is_dir);
      if (!rule) continue;
      FUZZ_CHECK(rule >= file.rules().data() && rule < file.rules().data() + file.rules().size());
      FUZZ_CHECK(is_dir || !rule->dir_only);
    }
  }
  return 0;
}
