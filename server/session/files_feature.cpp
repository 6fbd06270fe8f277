#include "session/files_feature.h"

#include <spdlog/spdlog.h>

#include "paths/relative.h"
#include "paths/uri.h"
#include "session/params.h"
#include "session/watcher_status.h"

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

struct FilesFeature::Subscription {
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

Result<SubscribeParams> SubscribeParams::parse(const json& params) {
  ParamReader reader(params);
  SubscribeParams out;
  const json* glob = reader.value("globPattern", true);
  if (auto kind = reader.integer("kind", false, 1, 7)) out.kind = static_cast<int>(*kind);
  if (auto excludes = reader.strings("excludes", false)) out.excludes = std::move(*excludes);
  if (auto settle = reader.integer("settleMs", false, 0, 60000)) out.settle_ms = static_cast<int>(*settle);
  if (!reader.ok()) return reader.error();
  if (glob->is_string()) {
    out.pattern = glob->get<std::string>();
  } else if (glob->is_object()) {
    // LSP's RelativePattern: {baseUri: URI | WorkspaceFolder, pattern}.
    ParamReader rel(*glob, "params.globPattern");
    auto pattern = rel.string("pattern", true);
    const json* base = rel.value("baseUri", true);
    if (!rel.ok()) return rel.error();
    std::string uri;
    if (base->is_string()) {
      uri = base->get<std::string>();
    } else if (base->is_object() && base->contains("uri") && (*base)["uri"].is_string()) {
      uri = (*base)["uri"].get<std::string>();
    } else {
      return make_error(ErrorCode::InvalidParams,
                        "params.globPattern.baseUri: expected a URI or a WorkspaceFolder");
    }
    auto path = paths::uri_to_path(uri);
    if (!path) return make_error(ErrorCode::InvalidParams, "params.globPattern.baseUri: " + path.error().message);
    out.base = std::move(path.value());
    while (out.base.size() > 1 && out.base.back() == '/') out.base.pop_back();
    out.pattern = std::move(*pattern);
  } else {
    return make_error(ErrorCode::InvalidParams,
                      std::string("params.globPattern: expected a string or a RelativePattern, got ") +
                          glob->type_name());
  }
  return out;
}

Result<UnsubscribeParams> UnsubscribeParams::parse(const json& params) {
  ParamReader reader(params);
  auto id = reader.string("subscriptionId", true);
  if (!reader.ok()) return reader.error();
  return UnsubscribeParams{std::move(*id)};
}

FilesFeature::FilesFeature(asio::io_context& io, Endpoint& endpoint, Options options)
    : io_(io), endpoint_(endpoint), options_(std::move(options)) {
  watcher_ = std::make_unique<watch::Watcher>(
      io_, options_.watcher,
      watch::Watcher::Callbacks{
          [this](watch::Batch batch) { on_batch(std::move(batch)); },
          [this](const watch::Problem& problem) { on_problem(problem); },
          [this](const watch::CrawlProgress& progress) { on_progress(progress); },
      });
}

FilesFeature::~FilesFeature() = default;

void FilesFeature::add_root(const WorkspaceFolder& folder, const paths::IgnoreOptions* ignore) {
  if (std::find(roots_.begin(), roots_.end(), folder.path) != roots_.end()) return;
  if (progress_supported_) {
    // Created before the crawl starts so that `begin` can follow at once.
    std::string token = "devwatch/crawl/" + std::to_string(next_id_++);
    progress_tokens_[folder.path] = token;
    endpoint_.request("window/workDoneProgress/create", json{{"token", token}}, [](Result<json> r) {
      if (!r) spdlog::debug("work-done progress refused: {}", r.error().message);
    });
    endpoint_.notify("$/progress", json{{"token", token},
                                        {"value", {{"kind", "begin"}, {"title", "devwatch: watching " + folder.name},
                                                   {"cancellable", false}, {"percentage", 0}}}});
  }
  auto added = ignore ? watcher_->add_root(folder.path, *ignore) : watcher_->add_root(folder.path);
  if (!added) {
    spdlog::error("cannot watch {}: {}", folder.path, added.error().message);
    endpoint_.notify("window/showMessage",
                     json{{"type", 1}, {"message", "devwatch cannot watch " + folder.path + ": " + added.error().message}});
    if (auto it = progress_tokens_.find(folder.path); it != progress_tokens_.end()) {
      endpoint_.notify("$/progress", json{{"token", it->second}, {"value", {{"kind", "end"}, {"message", "failed"}}}});
      progress_tokens_.erase(it);
    }
    return;
  }
  roots_.push_back(folder.path);
}

void FilesFeature::remove_root(const WorkspaceFolder& folder) {
  watcher_->remove_root(folder.path);
  std::erase(roots_, folder.path);
}

Result<json> FilesFeature::subscribe(const SubscribeParams& params) {
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
  auto settle = std::chrono::milliseconds(params.settle_ms.value_or(options_.settle_ms));
  auto max_latency = std::max(settle, std::chrono::milliseconds(options_.max_latency_ms));
  auto sub = std::make_unique<Subscription>(io_, settle, max_latency);
  sub->id = "s" + std::to_string(next_id_++);
  sub->base = params.base;
  sub->glob = std::move(glob.value());
  sub->excludes = std::move(excludes);
  sub->kind = params.kind;
  std::string id = sub->id;
  subscriptions_.emplace(id, std::move(sub));
  spdlog::debug("subscription {}: '{}' under '{}'", id, params.pattern, params.base);
  return json{{"subscriptionId", id}};
}

Result<json> FilesFeature::unsubscribe(const UnsubscribeParams& params) {
  auto it = subscriptions_.find(params.id);
  if (it == subscriptions_.end()) {
    return make_error(ErrorCode::UnknownSubscription, "no subscription with id '" + params.id + "'");
  }
  subscriptions_.erase(it);
  return json(nullptr);
}

void FilesFeature::add_listener(std::function<void(const watch::Batch&)> listener) {
  listeners_.push_back(std::move(listener));
}

void FilesFeature::on_batch(watch::Batch batch) {
  for (auto& listener : listeners_) listener(batch);
  auto now = Clock::now();
  for (auto& [id, sub] : subscriptions_) {
    watch::Batch mine;
    mine.resync_reason = batch.resync_reason;
    for (const auto& change : batch.changes) {
      std::optional<std::string_view> rel;
      if (sub->base.empty()) {
        // Relative to whichever root holds the path.
        for (const auto& root : roots_) {
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

void FilesFeature::schedule(Subscription& sub) {
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

void FilesFeature::flush(Subscription& sub, bool force) {
  watch::Batch batch = force ? sub.coalescer.take_all() : sub.coalescer.take_ready(Clock::now());
  json changes = json::array();
  for (const auto& change : batch.changes) {
    if (!(kind_bit(change.type) & sub.kind)) continue;
    changes.push_back(json{{"uri", paths::path_to_uri(change.path)}, {"type", static_cast<int>(change.type)}});
  }
  if (!changes.empty() || batch.resync_reason) {
    json params{{"subscriptionId", sub.id}, {"changes", std::move(changes)}};
    if (batch.resync_reason) params["resync"] = json{{"reason", *batch.resync_reason}};
    endpoint_.notify("devwatch/files/didChange", std::move(params));
  }
  if (!sub.coalescer.empty()) schedule(sub);
}

void FilesFeature::on_problem(const watch::Problem& problem) {
  std::string text = problem.message;
  if (!problem.fix.empty()) text += " Fix: " + problem.fix;
  if (problem.severity == watch::Severity::Info) {
    spdlog::info("{}", text);
    return;
  }
  // Limits and fallbacks are things the user must see, not just the log.
  bool visible = problem.severity == watch::Severity::Error || problem.kind == "budget" ||
                 problem.kind == "fallback" || problem.kind == "mount" || problem.kind == "root-deleted";
  if (problem.severity == watch::Severity::Error) {
    spdlog::error("{}", text);
  } else {
    spdlog::warn("{}", text);
  }
  if (visible) {
    int type = problem.severity == watch::Severity::Error ? 1 : 2;
    endpoint_.notify("window/showMessage", json{{"type", type}, {"message", "devwatch: " + text}});
  }
}

void FilesFeature::on_progress(const watch::CrawlProgress& progress) {
  if (progress.done) spdlog::info("{}: {}", progress.root, progress.summary);
  auto it = progress_tokens_.find(progress.root);
  if (it == progress_tokens_.end()) return;
  if (progress.done) {
    endpoint_.notify("$/progress", json{{"token", it->second}, {"value", {{"kind", "end"}, {"message", progress.summary}}}});
    progress_tokens_.erase(it);
    return;
  }
  unsigned percent = 0;
  if (progress.dirs_estimate > 0) {
    percent = static_cast<unsigned>(std::min<std::size_t>(99, progress.dirs_done * 100 / progress.dirs_estimate));
  }
  endpoint_.notify("$/progress",
                   json{{"token", it->second},
                        {"value", {{"kind", "report"}, {"percentage", percent},
                                   {"message", watch::format_count(progress.dirs_done) + " folders"}}}});
}

json FilesFeature::status() const {
  json s = to_json(watcher_->status());
  s["subscriptions"] = subscriptions_.size();
  return s;
}

json FilesFeature::capabilities() const {
  auto s = watcher_->status();
  return json{{"subscribe", true}, {"backend", s.backend}, {"backendReason", s.backend_reason}};
}

}  // namespace devwatch::session
