#include "paths/gitignore.h"

namespace devwatch::paths {
namespace {

// Drops trailing spaces unless escaped ("a\ " keeps its space) and a CR left
// by CRLF line endings.
std::string_view trim_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  while (!line.empty() && line.back() == ' ') {
    std::size_t backslashes = 0;
    for (std::size_t i = line.size() - 1; i > 0 && line[i - 1] == '\\'; --i) ++backslashes;
    if (backslashes % 2 == 1) break;
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

GitignoreFile GitignoreFile::parse(std::string_view content) {
  GitignoreFile file;
  std::uint32_t line_no = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    const std::size_t nl = content.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? content.size() : nl;
    const std::string_view line = trim_line(content.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;

    GitignoreRule rule;
    rule.line = line_no;
    rule.text = std::string(line);
    std::string_view pat = line;
    if (pat.front() == '!') {
      rule.negate = true;
      pat.remove_prefix(1);
    }
    // A trailing '/' means directories only; "\/" cannot occur usefully.
    if (!pat.empty() && pat.back() == '/') {
      rule.dir_only = true;
      pat.remove_suffix(1);
    }
    if (!pat.empty() && pat.front() == '/') {
      rule.anchored = true;
      pat.remove_prefix(1);
    }
    if (pat.find('/') != std::string_view::npos) rule.anchored = true;
    if (pat.empty()) {
      file.problems_.push_back("line " + std::to_string(line_no) + " '" + rule.text +
                               "': matches nothing (the pattern is empty)");
    } else {
      auto glob = Glob::compile(pat, GlobSyntax::Gitignore);
      if (!glob) {
        // The glob error starts with "invalid glob '...': "; keep the reason.
        const std::string& msg = glob.error().message;
        const std::size_t colon = msg.find("': ");
        file.problems_.push_back("line " + std::to_string(line_no) + " '" + rule.text +
                                 "': " + (colon == std::string::npos ? msg : msg.substr(colon + 3)));
      } else {
        rule.glob = std::move(glob).value();
        file.rules_.push_back(std::move(rule));
      }
    }
  }
  return file;
}

const GitignoreRule* GitignoreFile::last_match(std::string_view sub_path, bool is_dir) const {
  const std::size_t slash = sub_path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? sub_path : sub_path.substr(slash + 1);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    if (it->glob.matches(it->anchored ? sub_path : name)) return &*it;
  }
  return nullptr;
}

}  // namespace devwatch::paths
