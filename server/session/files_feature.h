// Protocol bindings of the watcher: devwatch/files/subscribe, unsubscribe and
// didChange, crawl progress as LSP work-done progress, watcher problems as
// window/showMessage or window/logMessage, and the `watcher` status section.
// Each subscription has its own glob, kinds, excludes and Coalescer (its own
// settle window); the Watcher underneath is shared.
// Threading: loop thread only.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "paths/glob.h"
#include "session/endpoint.h"
#include "session/protocol.h"
#include "watch/coalescer.h"
#include "watch/watcher.h"

namespace devwatch::session {

struct SubscribeParams {
  std::string base;      // absolute path the pattern is relative to ("" = every root)
  std::string pattern;
  int kind = 7;          // LSP WatchKind bitmask: 1 create, 2 change, 4 delete
  std::vector<std::string> excludes;
  std::optional<int> settle_ms;
  static Result<SubscribeParams> parse(const json& params);
};

struct UnsubscribeParams {
  std::string id;
  static Result<UnsubscribeParams> parse(const json& params);
};

class FilesFeature {
 public:
  struct Options {
    watch::WatcherOptions watcher;
    int settle_ms = 20;
    int max_latency_ms = 200;
  };
  FilesFeature(asio::io_context& io, Endpoint& endpoint, Options options);
  ~FilesFeature();

  void set_work_done_progress(bool supported) { progress_supported_ = supported; }
  // `ignore`: this folder's own rules (its devwatch.json); null = the defaults.
  void add_root(const WorkspaceFolder& folder, const paths::IgnoreOptions* ignore = nullptr);
  void remove_root(const WorkspaceFolder& folder);

  Result<json> subscribe(const SubscribeParams& params);
  Result<json> unsubscribe(const UnsubscribeParams& params);

  // Internal listeners (the dev-server supervisor): every verified batch.
  void add_listener(std::function<void(const watch::Batch&)> listener);

  json status() const;
  json capabilities() const;

 private:
  struct Subscription;
  void on_batch(watch::Batch batch);
  void on_problem(const watch::Problem& problem);
  void on_progress(const watch::CrawlProgress& progress);
  void schedule(Subscription& sub);
  void flush(Subscription& sub, bool force);

  asio::io_context& io_;
  Endpoint& endpoint_;
  Options options_;
  std::unique_ptr<watch::Watcher> watcher_;
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;
  std::vector<std::function<void(const watch::Batch&)>> listeners_;
  std::map<std::string, std::string> progress_tokens_;  // root -> token
  std::vector<std::string> roots_;
  bool progress_supported_ = false;
  std::uint64_t next_id_ = 1;
};

}  // namespace devwatch::session
