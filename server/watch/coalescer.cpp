#include "watch/coalescer.h"

#include <algorithm>

namespace devwatch::watch {

const char* change_type_name(ChangeType type) {
  switch (type) {
    case ChangeType::Created: return "created";
    case ChangeType::Changed: return "changed";
    case ChangeType::Deleted: return "deleted";
  }
  return "changed";
}

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

Coalescer::Coalescer(std::chrono::milliseconds settle, std::chrono::milliseconds max_latency)
    : settle_(settle), max_latency_(std::max(max_latency, settle)) {}

void Coalescer::add(const Change& change, TimePoint now) {
  if (empty()) first_ = now;
  last_ = now;
  auto [it, inserted] = pending_.try_emplace(change.path);
  Entry& e = it->second;
  if (inserted) e.existed_before = change.type != ChangeType::Created;
  e.exists_now = change.type != ChangeType::Deleted;
  e.is_dir = change.is_dir;
}

void Coalescer::add(const Batch& batch, TimePoint now) {
  if (batch.resync_reason) {
    if (empty()) first_ = now;
    last_ = now;
    resync_reason_ = batch.resync_reason;
  }
  for (const Change& c : batch.changes) add(c, now);
}

std::optional<Coalescer::TimePoint> Coalescer::next_deadline() const {
  if (empty()) return std::nullopt;
  return std::min(last_ + settle_, first_ + max_latency_);
}

Batch Coalescer::take_ready(TimePoint now) {
  auto deadline = next_deadline();
  if (!deadline || now < *deadline) return {};
  return take_all();
}

Batch Coalescer::take_all() {
  Batch out;
  out.changes.reserve(pending_.size());
  for (auto& [path, e] : pending_) {
    if (!e.existed_before && !e.exists_now) continue;
    ChangeType type = !e.existed_before ? ChangeType::Created
                      : !e.exists_now   ? ChangeType::Deleted
                                        : ChangeType::Changed;
    out.changes.push_back(Change{path, type, e.is_dir});
  }
  std::sort(out.changes.begin(), out.changes.end(),
            [](const Change& a, const Change& b) { return a.path < b.path; });
  out.resync_reason = std::move(resync_reason_);
  resync_reason_.reset();
  pending_.clear();
  return out;
}

}  // namespace devwatch::watch
