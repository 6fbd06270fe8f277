#include "session/subscriptions.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "paths/glob.h"
#include "paths/relative.h"
#include "paths/uri.h"

namespace devwatch::session {
namespace {

using Clock = watch::Coalescer::Clock;

int kind_bit(watch::ChangeType type) {
  switch (type) {
    case watch::ChangeType::Created: return 1;
    case watch::ChangeType::Changed: return 2;
    case watch::ChangeType::Deleted: return 4;
  }
  return 0;
}

}  // namespace

struct Subscriptions::Subscription {
  std::string id;
  std::string base;
  paths::Glob glob;
  std::vector<paths::Glob> excludes;
  int kind = 7;
  watch::Coalescer coalescer;
  asio::steady_timer timer;
  Subscription(asio::io_context& io, std::chrono::milliseconds settle, std::chrono::milliseconds max_latency)
      : coalescer(settle, max_latency), timer(io) {}
};

Subscriptions::Subscriptions(asio::io_context& io, Client& client) : io_(io), client_(client) {}

Subscriptions::~Subscriptions() = default;

Result<SubscribeResult> Subscriptions::subscribe(const SubscribeParams& params) {
  auto glob = paths::Glob::compile(params.pattern);
  if (!glob) return make_error(ErrorCode::InvalidParams, "params.globPattern: " + glob.error().message);
  std::vector<paths::Glob> excludes;
  for (std::size_t i = 0; i < params.excludes.size(); ++i) {
    auto ex = paths::Glob::compile(params.excludes[i]);
    if (!ex) {
      return make_error(ErrorCode::InvalidParams,
                        "params.excludes[" + std::to_string(i) + "]: " + ex.error().message);
    }
    excludes.push_back(std::move(ex.value()));
  }
  auto settle = std::chrono::milliseconds(params.settle_ms.value_or(settle_ms_));
  auto max_latency = std::max(settle, std::chrono::milliseconds(max_latency_ms_));
  auto sub = std::make_unique<Subscription>(io_, settle, max_latency);
  sub->id = "s" + std::to_string(next_id_++);
  sub->base = params.base;
  sub->glob = std::move(glob.value());
  sub->excludes = std::move(excludes);
  sub->kind = params.kind;
  std::string id = sub->id;
  subscriptions_.emplace(id, std::move(sub));
  spdlog::debug("subscription {}: '{}' under '{}'", id, params.pattern, params.base);
  return SubscribeResult{id};
}

Result<json> Subscriptions::unsubscribe(const UnsubscribeParams& params) {
  auto it = subscriptions_.find(params.id);
  if (it == subscriptions_.end()) {
    return make_error(ErrorCode::UnknownSubscription, "no subscription with id '" + params.id + "'");
  }
  subscriptions_.erase(it);
  return json(nullptr);
}

void Subscriptions::on_batch(const watch::Batch& batch, const std::vector<std::string>& roots) {
  auto now = Clock::now();
  for (auto& [id, sub] : subscriptions_) {
    watch::Batch mine;
    mine.resync_reason = batch.resync_reason;
    for (const auto& change : batch.changes) {
      std::optional<std::string_view> rel;
      if (sub->base.empty()) {
        // Relative to whichever root holds the path.
        for (const auto& root : roots) {
          if ((rel = paths::relative_to(change.path, root))) break;
        }
      } else {
        rel = paths::relative_to(change.path, sub->base);
      }
      if (!rel || !sub->glob.matches(*rel)) continue;
      bool excluded = std::any_of(sub->excludes.begin(), sub->excludes.end(),
                                  [&](const paths::Glob& g) { return g.matches(*rel); });
      if (!excluded) mine.changes.push_back(change);
    }
    if (mine.changes.empty() && !mine.resync_reason) continue;
    sub->coalescer.add(mine, now);
    // A resync is delivered at once: clients revalidate on it.
    if (batch.resync_reason) {
      flush(*sub, true);
    } else {
      schedule(*sub);
    }
  }
}

void Subscriptions::schedule(Subscription& sub) {
  auto deadline = sub.coalescer.next_deadline();
  if (!deadline) return;
  sub.timer.expires_at(*deadline);
  std::string id = sub.id;
  sub.timer.async_wait([this, id](const asio::error_code& ec) {
    if (ec) return;
    auto it = subscriptions_.find(id);
    if (it != subscriptions_.end()) flush(*it->second, false);
  });
}

void Subscriptions::flush(Subscription& sub, bool force) {
  watch::Batch batch = force ? sub.coalescer.take_all() : sub.coalescer.take_ready(Clock::now());
  FilesDidChange note{sub.id, {}, batch.resync_reason};
  for (const auto& change : batch.changes) {
    if (!(kind_bit(change.type) & sub.kind)) continue;
    note.changes.push_back(FileEvent{paths::path_to_uri(change.path), static_cast<int>(change.type)});
  }
  if (!note.changes.empty() || note.resync_reason) client_.notify(note);
  if (!sub.coalescer.empty()) schedule(sub);
}

}  // namespace devwatch::session
