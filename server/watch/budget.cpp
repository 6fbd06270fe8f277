#include "watch/budget.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

namespace devwatch::watch {

namespace {

std::string read_small_file(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (1u << 20)) break;
  }
  ::close(fd);
  return out;
}

std::size_t read_number(const char* path) {
  std::string s = read_small_file(path);
  std::size_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool is_digits(const char* s) {
  if (!*s) return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

}  // namespace

BudgetLimits read_budget_limits() {
  return BudgetLimits{read_number("/proc/sys/fs/inotify/max_user_watches"),
                      read_number("/proc/sys/fs/inotify/max_user_instances"),
                      read_number("/proc/sys/fs/inotify/max_queued_events")};
}

std::size_t count_foreign_inotify_watches() {
  const std::string self = std::to_string(::getpid());
  std::size_t total = 0;
  DIR* proc = ::opendir("/proc");
  if (!proc) return 0;
  while (dirent* p = ::readdir(proc)) {
    if (!is_digits(p->d_name) || self == p->d_name) continue;
    std::string fd_dir = std::string("/proc/") + p->d_name + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;
    while (dirent* f = ::readdir(fds)) {
      if (!is_digits(f->d_name)) continue;
      std::string link = fd_dir + "/" + f->d_name;
      char target[64];
      ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      if (std::string_view(target, static_cast<std::size_t>(n)) != "anon_inode:inotify") continue;
      std::string info = read_small_file(
          (std::string("/proc/") + p->d_name + "/fdinfo/" + f->d_name).c_str());
      for (std::size_t pos = 0; (pos = info.find("inotify wd:", pos)) != std::string::npos; ++pos)
        ++total;
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return total;
}

std::string watch_limit_fix(std::size_t needed) {
  std::size_t target = 524288;
  while (target < needed * 2) target *= 2;
  std::string v = "fs.inotify.max_user_watches=" + std::to_string(target);
  return "raise the limit: sudo sysctl " + v + " (persist it: echo " + v +
         " | sudo tee /etc/sysctl.d/90-devwatch.conf), or exclude large folders";
}

std::string instance_limit_fix(std::size_t current) {
  std::size_t target = std::max<std::size_t>(512, current * 4);
  std::string v = "fs.inotify.max_user_instances=" + std::to_string(target);
  return "sudo sysctl " + v + " (persist it: echo " + v +
         " | sudo tee /etc/sysctl.d/90-devwatch.conf)";
}

std::string budget_message(std::size_t needed, std::size_t watched, std::size_t limit,
                           std::size_t used_by_others) {
  std::size_t available = limit > used_by_others ? limit - used_by_others : 0;
  std::string m = "Not enough inotify watches: needed " + std::to_string(needed) +
                  " folders, available " + std::to_string(available) + " (fs.inotify.max_user_watches=" +
                  std::to_string(limit);
  if (used_by_others > 0)
    m += ", " + std::to_string(used_by_others) + " used by other processes";
  const std::size_t unwatched = needed - std::min(needed, watched);
  m += "); watching " + std::to_string(watched) + ", " + std::to_string(unwatched) +
       (unwatched == 1 ? " folder" : " folders") + " unwatched (changes there are not seen)";
  return m;
}

std::string describe_watch_errno(int err) {
  if (err == ENOSPC) return "inotify watch limit reached (fs.inotify.max_user_watches)";
  if (err == EMFILE) return "inotify instance limit reached (fs.inotify.max_user_instances)";
  const char* name = strerrorname_np(err);
  return std::string(name ? name : "errno " + std::to_string(err)) + " (" + std::strerror(err) + ")";
}

}  // namespace devwatch::watch
