// devwatch/files/subscribe and unsubscribe, and didChange: each subscription
// has its own glob, kinds, excludes and Coalescer (its own settle window)
// over the workspace's one watcher, whose batches arrive through on_batch.
// Threading: loop thread only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "session/client.h"
#include "session/protocol.h"
#include "watch/asio.h"
#include "watch/coalescer.h"

namespace devwatch::session {

class Subscriptions {
 public:
  Subscriptions(asio::io_context& io, Client& client);
  ~Subscriptions();

  // The settle window of a subscription that names none (watch.settleMs).
  void set_default_settle_ms(int ms) { settle_ms_ = ms; }

  Result<SubscribeResult> subscribe(const SubscribeParams& params);
  Result<json> unsubscribe(const UnsubscribeParams& params);

  // Every verified batch; `roots` are the watched folders (a plain pattern
  // matches relative to whichever holds the path).
  void on_batch(const watch::Batch& batch, const std::vector<std::string>& roots);
  std::size_t size() const { return subscriptions_.size(); }

 private:
  struct Subscription;
  void schedule(Subscription& sub);
  void flush(Subscription& sub, bool force);

  asio::io_context& io_;
  Client& client_;
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;
  int settle_ms_ = 20;
  int max_latency_ms_ = 200;
  std::uint64_t next_id_ = 1;
};

}  // namespace devwatch::session
