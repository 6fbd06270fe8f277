#include "paths/ignore.h"

#include <algorithm>
#include <array>

namespace devwatch::paths {
namespace {

// Indexes into builtin_ignore_patterns(), in its order.
enum Builtin : std::size_t {
  kGitInternals = 0,
  kFirstExactName = 1,   // node_modules ... .pytest_cache
  kPyc = 8,
  kSwp,
  kSwx,
  kTilde,
  kEmacsLock,
  kEmacsAutosave,
  kVimProbe,
  kDsStore,
};

constexpr std::array<std::string_view, 7> kExactDirNames = {
    "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache"};

std::string_view basename(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view parent_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : basename(path.substr(0, slash));
}

// Name-based so an event for a deleted entry (whose type may be unknown) is
// judged the same way as when it was crawled.
std::ptrdiff_t builtin_match(std::string_view rel_path) {
  const std::string_view name = basename(rel_path);
  if (name.empty()) return -1;
  // .git itself stays watched (HEAD and index.lock tell us about checkouts
  // and git operations); its bulky internals cost no watches.
  if (parent_name(rel_path) == ".git" && name != "HEAD" && name != "index.lock") return kGitInternals;
  for (std::size_t i = 0; i < kExactDirNames.size(); ++i) {
    if (name == kExactDirNames[i]) return static_cast<std::ptrdiff_t>(kFirstExactName + i);
  }
  if (name.ends_with(".pyc")) return kPyc;
  if (name.ends_with(".swp")) return kSwp;
  if (name.ends_with(".swx")) return kSwx;
  if (name.back() == '~') return kTilde;
  if (name.starts_with(".#")) return kEmacsLock;
  if (name.size() >= 2 && name.front() == '#' && name.back() == '#') return kEmacsAutosave;
  if (name == "4913") return kVimProbe;
  if (name == ".DS_Store") return kDsStore;
  return -1;
}

std::string normalize_dir(std::string_view dir_rel) {
  while (!dir_rel.empty() && dir_rel.back() == '/') dir_rel.remove_suffix(1);
  while (dir_rel.starts_with("./")) dir_rel.remove_prefix(2);
  if (dir_rel == ".") dir_rel = {};
  return std::string(dir_rel);
}

}  // namespace

struct IgnoreRules::Reason {
  enum class Source : std::uint8_t { Builtin, Exclude, Gitignore, InfoExclude } source = Source::Builtin;
  std::size_t index = 0;                 // builtin or exclude index
  std::string_view gitignore_dir;        // a key of gitignores_
  const GitignoreRule* rule = nullptr;
};

const std::vector<std::string>& builtin_ignore_patterns() {
  static const std::vector<std::string> patterns = {
      ".git/* except .git/HEAD and .git/index.lock",
      "node_modules",
      "__pycache__",
      ".venv",
      "venv",
      ".tox",
      ".mypy_cache",
      ".pytest_cache",
      "*.pyc",
      "*.swp",
      "*.swx",
      "*~",
      ".#*",
      "#*#",
      "4913",
      ".DS_Store",
  };
  return patterns;
}

Result<IgnoreRules> IgnoreRules::create(IgnoreOptions options) {
  IgnoreRules rules;
  for (const std::string& exclude : options.excludes) {
    std::string_view glob_text = exclude;
    const bool dir_only = glob_text.size() > 1 && glob_text.back() == '/';
    if (dir_only) glob_text.remove_suffix(1);
    auto glob = Glob::compile(glob_text);
    if (!glob) {
      return make_error(ErrorCode::InvalidParams, "invalid exclude '" + exclude + "': " + glob.error().message);
    }
    rules.exclude_globs_.push_back(std::move(glob).value());
    rules.exclude_dir_only_.push_back(dir_only);
  }
  rules.options_ = std::move(options);
  return rules;
}

void IgnoreRules::set_gitignore(std::string_view dir_rel, std::string_view content) {
  if (!options_.respect_gitignore) return;
  gitignores_.insert_or_assign(normalize_dir(dir_rel), GitignoreFile::parse(content));
}

void IgnoreRules::set_git_info_exclude(std::string_view content) {
  if (!options_.respect_gitignore) return;
  info_exclude_ = GitignoreFile::parse(content);
}

void IgnoreRules::remove_gitignore(std::string_view dir_rel) {
  const std::string dir = normalize_dir(dir_rel);
  if (auto it = gitignores_.find(std::string_view(dir)); it != gitignores_.end()) gitignores_.erase(it);
}

bool IgnoreRules::entry_reason(std::string_view rel_path, bool is_dir, Reason& reason) const {
  if (rel_path.empty()) return false;  // the root is what is being watched
  if (options_.builtin_defaults) {
    const std::ptrdiff_t builtin = builtin_match(rel_path);
    if (builtin >= 0) {
      reason = Reason{Reason::Source::Builtin, static_cast<std::size_t>(builtin), {}, nullptr};
      return true;
    }
  }
  for (std::size_t i = 0; i < exclude_globs_.size(); ++i) {
    if (exclude_dir_only_[i] && !is_dir) continue;
    if (exclude_globs_[i].matches(rel_path)) {
      reason = Reason{Reason::Source::Exclude, i, {}, nullptr};
      return true;
    }
  }
  if (!gitignores_.empty()) {
    // Deepest .gitignore first: it takes precedence, and within a file the
    // last matching line wins, so the first match found decides.
    std::size_t cut = rel_path.rfind('/');
    for (;;) {
      const std::string_view dir = cut == std::string_view::npos ? std::string_view() : rel_path.substr(0, cut);
      if (auto it = gitignores_.find(dir); it != gitignores_.end()) {
        const std::string_view sub = dir.empty() ? rel_path : rel_path.substr(dir.size() + 1);
        if (const GitignoreRule* rule = it->second.last_match(sub, is_dir)) {
          if (rule->negate) return false;
          reason = Reason{Reason::Source::Gitignore, 0, it->first, rule};
          return true;
        }
      }
      if (cut == std::string_view::npos) break;
      cut = cut == 0 ? std::string_view::npos : rel_path.rfind('/', cut - 1);
    }
  }
  if (const GitignoreRule* rule = info_exclude_.last_match(rel_path, is_dir); rule && !rule->negate) {
    reason = Reason{Reason::Source::InfoExclude, 0, {}, rule};
    return true;
  }
  return false;
}

bool IgnoreRules::path_reason(std::string_view rel_path, bool is_dir, Reason& reason,
                              std::string_view& ignored) const {
  // Top-down, as git walks: once a directory is ignored nothing below it
  // can be re-included.
  for (std::size_t slash = rel_path.find('/'); slash != std::string_view::npos;
       slash = rel_path.find('/', slash + 1)) {
    const std::string_view ancestor = rel_path.substr(0, slash);
    if (entry_reason(ancestor, true, reason)) {
      ignored = ancestor;
      return true;
    }
  }
  ignored = rel_path;
  return entry_reason(rel_path, is_dir, reason);
}

bool IgnoreRules::is_ignored_entry(std::string_view rel_path, bool is_dir) const {
  Reason reason;
  return entry_reason(rel_path, is_dir, reason);
}

bool IgnoreRules::is_ignored(std::string_view rel_path, bool is_dir) const {
  Reason reason;
  std::string_view ignored;
  return path_reason(rel_path, is_dir, reason, ignored);
}

std::string IgnoreRules::explain(std::string_view rel_path, bool is_dir) const {
  Reason reason;
  std::string_view ignored;
  if (!path_reason(rel_path, is_dir, reason, ignored)) return {};
  std::string out;
  switch (reason.source) {
    case Reason::Source::Builtin:
      out = "built-in: " + builtin_ignore_patterns()[reason.index];
      break;
    case Reason::Source::Exclude:
      out = "exclude: " + options_.excludes[reason.index];
      break;
    case Reason::Source::Gitignore:
      out = ".gitignore in ";
      out += reason.gitignore_dir.empty() ? std::string_view("root") : reason.gitignore_dir;
      out += ": line " + std::to_string(reason.rule->line) + " '" + reason.rule->text + "'";
      break;
    case Reason::Source::InfoExclude:
      out = ".git/info/exclude: line " + std::to_string(reason.rule->line) + " '" + reason.rule->text + "'";
      break;
  }
  if (ignored.size() != rel_path.size()) {
    out += " (via directory ";
    out += ignored;
    out += ")";
  }
  return out;
}

std::vector<std::string> IgnoreRules::gitignore_problems() const {
  std::vector<std::string> out;
  for (const auto& [dir, file] : gitignores_) {
    for (const std::string& problem : file.problems()) {
      std::string line = dir.empty() ? std::string() : dir + "/";
      line += ".gitignore ";
      line += problem;
      out.push_back(std::move(line));
    }
  }
  std::sort(out.begin(), out.end());  // the map's order is arbitrary
  for (const std::string& problem : info_exclude_.problems()) out.push_back(".git/info/exclude " + problem);
  return out;
}

}  // namespace devwatch::paths
