// The Watcher's lifetime and output: makes the backend (through the factory)
// and the clock, forwards the public API to Impl, and delivers what the other
// parts find: changes merged per delivery into one Batch, and each Problem
// once, as a value (the Watcher logs nothing; the caller shows them).
// Threading: io_context thread (see watcher_state.h).
#include "watch/watcher.h"

#include <algorithm>

#include "watch/backend_factory.h"
#include "watch/budget.h"
#include "watch/coalescer.h"
#include "watch/watcher_state.h"

namespace devwatch::watch {

Watcher::Impl::Impl(asio::io_context& io, WatcherOptions options, Callbacks callbacks)
    : io_(io),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      own_clock_(options_.clock ? nullptr : std::make_unique<AsioClock>(io)),
      clock_(options_.clock ? *options_.clock : *own_clock_),
      move_timer_(clock_.make_timer()),
      unwatched_timer_(clock_.make_timer()) {}

void Watcher::Impl::start() {
  BackendChoice choice = make_backend(io_, options_);
  backend_ = std::move(choice.backend);
  backend_reason_ = std::move(choice.reason);
  if (choice.problem) problem(*choice.problem);
  if (backend_->has_watch_budget()) {
    BudgetLimits limits = read_budget_limits();
    queue_limit_ = limits.max_queued_events;
    watch_limit_ = options_.watch_limit_override.value_or(limits.max_user_watches);
    // Other processes' watches are counted (a /proc walk, ~20 ms) only
    // when the budget runs out or status asks: ENOSPC is the real signal.
  }
  std::weak_ptr<Impl> weak = weak_from_this();
  backend_->start([weak](std::vector<Hint>& hints) {
    if (auto self = weak.lock()) self->take_hints(hints);
  });
}

void Watcher::Impl::shutdown() {
  stopped_ = true;
  drop_cursor();
  if (backend_) backend_->stop();
  move_timer_->cancel();
  unwatched_timer_->cancel();
  for (const auto& r : roots_)
    if (r->return_timer) r->return_timer->cancel();
}

Watcher::Impl::Root* Watcher::Impl::root_for(NodeId root_node) {
  for (auto& r : roots_)
    if (r->node == root_node) return r.get();
  return nullptr;
}

void Watcher::Impl::emit(NodeId id, ChangeType type, Report report) {
  if (report == Report::None || report == Report::Adopt) return;
  Change c{tree_.path(id), type, tree_[id].kind == NodeKind::Dir};
  (report == Report::Resync ? resync_out_ : out_).push_back(std::move(c));
}

void Watcher::Impl::flush() {
  deliver(out_, std::nullopt);
  if (!resync_out_.empty() || resync_pending_reason_) {
    deliver(resync_out_, resync_pending_reason_);
    // The reason sticks while the resync scan still runs.
    if (!resync_running()) resync_pending_reason_.reset();
  }
}

bool Watcher::Impl::resync_running() const {
  return (cursor_ && cursor_->report == Report::Resync) ||
         std::any_of(queue_.begin(), queue_.end(), [](const ScanItem& s) { return s.report == Report::Resync; });
}

void Watcher::Impl::deliver(std::vector<Change>& changes, const std::optional<std::string>& reason) {
  if (changes.empty()) return;
  // Merge repeats within this delivery (created+changed -> created, ...).
  Coalescer merge(std::chrono::milliseconds(0), std::chrono::milliseconds(0));
  auto now = clock_.now();
  for (const Change& c : changes) merge.add(c, now);
  changes.clear();
  Batch b = merge.take_all();
  if (b.changes.empty()) return;
  b.resync_reason = reason;
  last_event_time_ = std::chrono::system_clock::now();
  if (callbacks_.on_batch) callbacks_.on_batch(std::move(b));
}

// Reported once, as a value: logging and notifying is the caller's job.
void Watcher::Impl::problem(const Problem& p) {
  problems_.push_back(p);
  if (problems_.size() > 100) problems_.erase(problems_.begin());
  if (callbacks_.on_problem) callbacks_.on_problem(p);
}

void Watcher::Impl::problem_once(const Problem& p) {
  if (reported_once_.insert(p.kind + '\0' + p.path).second) problem(p);
}

Watcher::Watcher(asio::io_context& io, WatcherOptions options, Callbacks callbacks)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(callbacks))) {
  impl_->start();
}

Watcher::~Watcher() { impl_->shutdown(); }

Result<void> Watcher::add_root(const std::string& absolute_path) {
  return impl_->add_root(absolute_path, impl_->options().ignore);
}

Result<void> Watcher::add_root(const std::string& absolute_path, const paths::IgnoreOptions& ignore) {
  return impl_->add_root(absolute_path, ignore);
}

void Watcher::remove_root(const std::string& absolute_path) { impl_->remove_root(absolute_path); }

Result<void> Watcher::set_root_ignore(const std::string& root, const paths::IgnoreOptions& ignore) {
  return impl_->set_root_ignore(root, ignore);
}

bool Watcher::busy() const {
  return impl_->crawling() || !impl_->pending_moves_.empty() || !impl_->hint_queue_.empty();
}

WatcherStatus Watcher::status() const { return impl_->status(); }

std::size_t Watcher::watched_dirs() const { return impl_->wd_to_node_.size(); }

std::string Watcher::backend_name() const { return std::string(impl_->backend_->name()); }

void Watcher::pause_draining_for_test() { impl_->backend_->pause_draining_for_test(); }

void Watcher::resume_draining_for_test() { impl_->backend_->resume_draining_for_test(); }

}  // namespace devwatch::watch
