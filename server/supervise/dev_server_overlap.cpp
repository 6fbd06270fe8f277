// DevServer's overlapped restarts (docs/proxy.md "Overlapped restarts"): for
// a proxied server whose port devwatch chooses, a restart of a ready server
// starts the new group on a fresh port while the old one keeps serving; the
// Ready of the new group switches the proxy to it, and only then is the old
// group stopped (through the retire gate, so its answers in flight finish).
// A new group that crashes, or an explicit stop, ends the old one too: the
// proxy never keeps serving old code in place of an error.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "supervise/dev_server.h"
#include "supervise/upstream_port.h"
#include "supervise/wait_status.h"

namespace devwatch::supervise {

bool DevServer::can_overlap() const {
  return state() == ServerState::Ready && process_ && port_ && !outgoing_ && !shut_down_ &&
         overlapped_restarts(spec_);
}

void DevServer::begin_overlap(Pending why) {
  outgoing_ = Group{std::move(process_), *port_, generation_};
  process_.reset();
  prober_.reset();
  spdlog::info("dev server {}: overlapped restart: the old server (pid {}, port {}) serves until the new one is ready",
               spec_.name, outgoing_->process->pid(), outgoing_->port);
  auto ignored = spawn(std::move(why));
  (void)ignored;
}

void DevServer::retire_outgoing(bool through_gate) {
  if (!outgoing_) return;
  Group old = std::move(*outgoing_);
  outgoing_.reset();
  retire(std::move(old), through_gate);
}

void DevServer::retire(Group group, bool through_gate) {
  std::weak_ptr<GroupProcess> weak = group.process;
  const int port = group.port;
  retiring_.push_back(std::move(group));
  if (!through_gate || !retire_gate_) {
    if (auto process = weak.lock()) process->stop();
    return;
  }
  std::weak_ptr<int> alive = alive_;
  retire_gate_(port, [weak, alive] {
    if (alive.expired()) return;
    if (auto process = weak.lock()) process->stop();
  });
}

void DevServer::on_other_gone(uint64_t generation, const GroupExit& exit) {
  // Keep the group alive until this call returns: it is the caller.
  std::shared_ptr<GroupProcess> finished;
  if (outgoing_ && outgoing_->generation == generation) {
    finished = std::move(outgoing_->process);
    const int port = outgoing_->port;
    outgoing_.reset();
    // It ended on its own while the new group was starting: requests now
    // wait for the new one, so say so (a proxy stops forwarding to `port`).
    std::string ended = exit.wait_status ? "exited (" + describe_wait_status(*exit.wait_status) + ")"
                                         : std::string("its group ended");
    spdlog::warn("dev server {}: the old server (port {}) {} before the new one was ready", spec_.name, port, ended);
    if (state() == ServerState::Starting || state() == ServerState::Stopping) {
      StateChange again = last_;
      again.serving_port.reset();
      again.reason += "; the old server " + ended + " before the new one was ready";
      emit(std::move(again));
    }
  } else {
    auto it = std::find_if(retiring_.begin(), retiring_.end(),
                           [&](const Group& g) { return g.generation == generation; });
    if (it != retiring_.end()) {
      finished = std::move(it->process);
      retiring_.erase(it);
    }
  }
  if (!exit.note.empty()) spdlog::warn("dev server {}: old server: {}", spec_.name, exit.note);
  emit_deferred_stop();
}

void DevServer::emit_deferred_stop() {
  if (!deferred_stop_ || outgoing_ || !retiring_.empty() || process_) return;
  StateChange stopped = std::move(*deferred_stop_);
  deferred_stop_.reset();
  if (queued_ && !shut_down_) {
    // A start came while the old groups were still going.
    Pending next = std::move(*queued_);
    queued_.reset();
    auto ignored = spawn(std::move(next));
    (void)ignored;
    return;
  }
  emit(std::move(stopped));
}

}  // namespace devwatch::supervise
