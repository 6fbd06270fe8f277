// From a parsed traceback chain to one Diagnostic: which frame, which column,
// which related entries.
#include <filesystem>
#include <fstream>

#include "diagnose/python_traceback.h"
#include "diagnose/text.h"

namespace devwatch::diagnose {
namespace {

namespace fs = std::filesystem;

// Related entries beyond this add noise, not help (a Django traceback has ~30).
constexpr std::size_t kMaxRelated = 64;

// Directories that hold third-party code even when they sit inside the root.
bool is_vendor_component(const std::string& c) {
  return c == "site-packages" || c == "dist-packages" || c == ".venv" || c == "venv" ||
         c == ".tox" || c == ".nox" || c == "__pypackages__" || c == "node_modules";
}

// "" for pseudo-files ("<string>", "<frozen …>") that no editor can open.
std::string absolute_path(const std::string& printed, const std::string& cwd) {
  if (printed.empty() || printed.front() == '<') return {};
  fs::path p(printed);
  if (p.is_relative()) p = fs::path(cwd) / p;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::size_t indentation(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f' || s[i] == '\v')) ++i;
  return i;
}

// Python prints the code line stripped and the carets relative to that, so
// the real column needs the real line's indentation. When the file cannot be
// read or no longer holds that code, we claim no column rather than a wrong one.
void place_columns(const Frame& frame, const std::string& path, const SourceLineReader& read,
                   Location& loc) {
  std::optional<std::string> source = read ? read(path, frame.line) : std::nullopt;
  if (!source) return;
  std::string_view src = trim_right(*source);
  std::size_t indent = indentation(src);
  std::string_view code = trim(src);
  if (!frame.code.empty() && trim(frame.code) != code &&
      !(frame.code.size() > kMaxTextBytes && code.starts_with(trim(frame.code).substr(0, 64)))) {
    return;
  }
  std::size_t start = indent;  // code points (indentation is ASCII)
  std::size_t end = indent + code_point_count(code);
  if (frame.caret_start >= 0 && frame.caret_end > frame.caret_start) {
    // Carets count characters of the stripped code.
    start = indent + static_cast<std::size_t>(frame.caret_start);
    end = indent + static_cast<std::size_t>(frame.caret_end);
  }
  loc.column = utf16_column(src, start);
  loc.end_column = utf16_column(src, end);
}

std::string frame_message(const Frame& f) {
  std::string msg = f.function.empty() ? std::string("here") : "in " + f.function;
  if (!f.code.empty()) msg += ": " + f.code;
  return msg;
}

Location plain_location(const std::string& path, const Frame& f) {
  return Location{path, f.line > 0 ? f.line - 1 : 0, 0, -1};
}

}  // namespace

std::optional<std::string> read_source_line(const std::string& path, int line) {
  if (line <= 0) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  for (int i = 0; i < line; ++i) {
    if (!std::getline(in, text)) return std::nullopt;
  }
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

bool is_workspace_source(const std::string& path, const std::string& workspace_root) {
  if (path.empty() || workspace_root.empty()) return false;
  std::string root = fs::path(workspace_root).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string_view rest = path;
  if (root == "/") {
    if (!rest.starts_with('/')) return false;
    rest.remove_prefix(1);
  } else {
    if (!rest.starts_with(root) || rest.size() <= root.size() || rest[root.size()] != '/') {
      return false;
    }
    rest.remove_prefix(root.size() + 1);
  }
  // Only components below the root count: a workspace that itself lives
  // under ~/venv/ is still the user's code.
  for (const auto& component : fs::path(rest)) {
    if (is_vendor_component(component.string())) return false;
  }
  return true;
}

std::optional<Diagnostic> diagnostic_for(const std::vector<TracebackPart>& chain,
                                         const CrashParserOptions& options) {
  if (chain.empty()) return std::nullopt;
  const std::string& cwd = options.cwd.empty() ? options.workspace_root : options.cwd;

  // The innermost workspace frame of the exception that propagated; if it
  // has none (a library re-raised), the innermost one of its causes.
  std::optional<std::pair<std::size_t, std::size_t>> chosen;
  std::string chosen_path;
  for (std::size_t p = chain.size(); p-- > 0 && !chosen;) {
    const auto& frames = chain[p].frames;
    for (std::size_t f = frames.size(); f-- > 0;) {
      std::string abs = absolute_path(frames[f].path, cwd);
      if (is_workspace_source(abs, options.workspace_root)) {
        chosen = std::make_pair(p, f);
        chosen_path = std::move(abs);
        break;
      }
    }
  }
  if (!chosen) return std::nullopt;

  Diagnostic diag;
  const Frame& frame = chain[chosen->first].frames[chosen->second];
  diag.location = plain_location(chosen_path, frame);
  place_columns(frame, chosen_path, options.read_line, diag.location);
  diag.message = chain.back().exception.empty() ? std::string("Python traceback")
                                                 : chain.back().exception;

  // Earlier exceptions of the chain: one entry each, where they were raised.
  for (std::size_t p = 0; p + 1 < chain.size(); ++p) {
    const auto& part = chain[p];
    std::string where;
    const Frame* at = nullptr;
    for (std::size_t f = part.frames.size(); f-- > 0;) {
      std::string abs = absolute_path(part.frames[f].path, cwd);
      if (abs.empty()) continue;
      if (!at) {
        at = &part.frames[f];
        where = abs;
      }
      if (is_workspace_source(abs, options.workspace_root)) {
        at = &part.frames[f];
        where = std::move(abs);
        break;
      }
    }
    if (!at) continue;
    std::string how = part.link_to_next == ChainLink::Cause ? "caused by " : "raised while handling ";
    diag.related.push_back(Related{plain_location(where, *at), how + part.exception});
  }
  const std::size_t causes = diag.related.size();
  // The frames of the exception that propagated, in printed order.
  const auto& last = chain.back();
  for (std::size_t f = 0; f < last.frames.size(); ++f) {
    if (chosen->first == chain.size() - 1 && chosen->second == f) continue;
    std::string abs = absolute_path(last.frames[f].path, cwd);
    if (abs.empty()) continue;
    diag.related.push_back(Related{plain_location(abs, last.frames[f]), frame_message(last.frames[f])});
  }
  if (diag.related.size() > kMaxRelated) {
    // Keep the innermost frames: they are the ones closest to the error.
    diag.related.erase(diag.related.begin() + static_cast<std::ptrdiff_t>(causes),
                       diag.related.end() - static_cast<std::ptrdiff_t>(kMaxRelated - causes));
  }
  return diag;
}

}  // namespace devwatch::diagnose
