// Test helpers for the watch module: temporary trees, file operations that
// fail loudly, and a Harness that runs a real Watcher on a real io_context
// until a predicate holds (never sleeps to synchronise). sync() uses a cookie
// file, as watchman does: once the cookie's creation is delivered, every
// earlier change has been delivered too.
// Threading: one test thread (the Watcher runs on it).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "watch/coalescer.h"
#include "watch/watcher.h"

namespace devwatch::watch::test {

namespace fs = std::filesystem;

inline std::string make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "devwatch-watch-XXXXXX").string();
  char* p = ::mkdtemp(tmpl.data());
  REQUIRE(p != nullptr);
  return tmpl;
}

struct TempDir {
  std::string path = make_temp_dir();
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
};

inline void write_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  ::close(fd);
}

inline void append_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  ::close(fd);
}

inline void make_dir(const std::string& path) { REQUIRE(::mkdir(path.c_str(), 0755) == 0); }
inline void rename_path(const std::string& a, const std::string& b) { REQUIRE(::rename(a.c_str(), b.c_str()) == 0); }
inline void unlink_path(const std::string& p) { REQUIRE(::unlink(p.c_str()) == 0); }

using ChangeSet = std::set<std::pair<std::string, ChangeType>>;

inline std::string cookie_prefix() { return ".devwatch-test-cookie-"; }

inline bool is_cookie(const std::string& path) {
  return path.find(cookie_prefix()) != std::string::npos;
}

class Harness {
 public:
  explicit Harness(std::string backend, WatcherOptions options = {}) {
    options.backend = std::move(backend);
    if (options.poll_interval_ms == 1000) options.poll_interval_ms = 30;
    Watcher::Callbacks cb;
    cb.on_batch = [this](Batch b) {
      for (Change& c : b.changes) {
        if (is_cookie(c.path)) {
          if (c.type == ChangeType::Created) cookies_seen.insert(c.path);
          continue;
        }
        raw.push_back(c);
        if (b.resync_reason) resync_paths.insert(c.path);
      }
      if (b.resync_reason) resync_reasons.push_back(*b.resync_reason);
    };
    cb.on_problem = [this](const Problem& p) { problems.push_back(p); };
    cb.on_progress = [this](const CrawlProgress& p) {
      if (p.done) {
        ready = true;
        summaries.push_back(p.summary);
      }
    };
    watcher = std::make_unique<Watcher>(io, std::move(options), std::move(cb));
  }

  const std::string& root() const { return dir.path; }
  std::string at(const std::string& rel) const { return dir.path + "/" + rel; }

  void start() {
    auto r = watcher->add_root(dir.path);
    REQUIRE(r.ok());
    REQUIRE(run_until([&] { return ready; }));
  }

  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (io.stopped()) io.restart();
      io.run_one_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // Waits until every change made before this call has been delivered.
  void sync(const std::string& in_dir = {}) {
    std::string cookie = (in_dir.empty() ? dir.path : in_dir) + "/" + cookie_prefix() +
                         std::to_string(++cookie_n_);
    write_file(cookie, "");
    REQUIRE(run_until([&] { return cookies_seen.count(cookie) > 0 && !watcher->busy(); }));
    unlink_path(cookie);
  }

  // Everything delivered since the last take(), merged as a client with a
  // settle window would see it.
  ChangeSet take() {
    sync();
    Coalescer merge(std::chrono::milliseconds(0), std::chrono::milliseconds(0));
    for (std::size_t i = taken_; i < raw.size(); ++i) merge.add(raw[i], std::chrono::steady_clock::now());
    taken_ = raw.size();
    ChangeSet out;
    for (const Change& c : merge.take_all().changes) out.emplace(c.path, c.type);
    return out;
  }

  std::size_t count_problems(const std::string& kind) const {
    std::size_t n = 0;
    for (auto& p : problems) n += p.kind == kind;
    return n;
  }

  TempDir dir;
  asio::io_context io;
  std::unique_ptr<Watcher> watcher;
  std::vector<Change> raw;
  std::set<std::string> resync_paths;
  std::vector<std::string> resync_reasons;
  std::vector<Problem> problems;
  std::vector<std::string> summaries;
  std::set<std::string> cookies_seen;
  bool ready = false;

 private:
  std::size_t taken_ = 0;
  int cookie_n_ = 0;
};

inline ChangeSet created(std::initializer_list<std::string> paths) {
  ChangeSet s;
  for (auto& p : paths) s.emplace(p, ChangeType::Created);
  return s;
}

}  // namespace devwatch::watch::test
