#include "check/folders.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/read_file.h"
#include "paths/gitignore.h"
#include "watch/absolute_excludes.h"
#include "watch/watcher.h"

namespace devwatch::check {
namespace {

struct Dir {
  std::string rel;         // "" for the root
  std::size_t parent = 0;  // index into the list (the root is its own parent)
  int depth = 0;
};


}  // namespace

Result<FolderCount> count_watched_folders(const std::string& root, const paths::IgnoreOptions& options) {
  // The watcher's per-root reading of absolute excludes, so the count is the crawl's.
  auto rules = paths::IgnoreRules::create(watch::ignore_for_root(options, root));
  if (!rules) return rules.error();
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error(ErrorCode::NotFound, "cannot count the folders of " + root + ": not a readable directory");

  FolderCount count;
  std::vector<Dir> dirs{Dir{"", 0, 0}};
  // Depth first, in pre-order: a parent always comes before its children,
  // so subtree sizes add up in one backwards pass.
  std::vector<std::size_t> stack{0};
  while (!stack.empty()) {
    const std::size_t index = stack.back();
    stack.pop_back();
    const std::string rel = dirs[index].rel;
    std::string path = root;
    if (!rel.empty()) path.append("/").append(rel);
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      ++count.unreadable;
      continue;
    }
    if (options.respect_gitignore) {
      std::string content = read_small_file(fd, ".gitignore", paths::kMaxGitignoreBytes, false).value_or("");
      if (!content.empty()) rules->set_gitignore(rel, content);
    }
    DIR* d = ::fdopendir(fd);
    if (!d) {
      ::close(fd);
      ++count.unreadable;
      continue;
    }
    while (dirent* e = ::readdir(d)) {
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat est {};
        if (::fstatat(::dirfd(d), name, &est, AT_SYMLINK_NOFOLLOW) != 0) continue;
        is_dir = S_ISDIR(est.st_mode);
      }
      std::string child_rel = rel.empty() ? std::string(name) : rel + "/" + name;
      if (rules->is_ignored_entry(child_rel, is_dir) || !is_dir) continue;
      dirs.push_back(Dir{std::move(child_rel), index, dirs[index].depth + 1});
      stack.push_back(dirs.size() - 1);
    }
    ::closedir(d);
  }
  count.folders = dirs.size();

  std::vector<std::size_t> subtree(dirs.size(), 1);
  for (std::size_t i = dirs.size(); i-- > 1;) subtree[dirs[i].parent] += subtree[i];
  std::vector<std::size_t> candidates;
  for (std::size_t i = 1; i < dirs.size(); ++i)
    if (dirs[i].depth <= 3) candidates.push_back(i);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](std::size_t a, std::size_t b) { return subtree[a] > subtree[b]; });
  auto inside = [&](std::size_t a, std::size_t b) {  // is a inside b (or b itself)?
    for (std::size_t i = a;; i = dirs[i].parent) {
      if (i == b) return true;
      if (i == 0) return false;
    }
  };
  std::vector<std::size_t> picked;
  for (std::size_t c : candidates) {
    if (picked.size() >= 5) break;
    if (std::any_of(picked.begin(), picked.end(), [&](std::size_t p) { return inside(c, p) || inside(p, c); }))
      continue;
    picked.push_back(c);
    count.largest.emplace_back(dirs[c].rel, subtree[c]);
  }
  return count;
}

std::string describe_largest(const FolderCount& count) {
  std::string out;
  for (const auto& [rel, n] : count.largest) {
    if (!out.empty()) out += ", ";
    out += rel + " (" + watch::format_count(n) + (n == 1 ? " folder)" : " folders)");
  }
  return out;
}

}  // namespace devwatch::check
