#include "supervise/group_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/errno_text.h"
#include "supervise/shim_protocol.h"
#include "supervise/wait_status.h"

namespace devwatch::supervise {
namespace {

using namespace std::chrono_literals;
using shim::RecordKind;
using shim::ShimRecord;

// The shim may have exited a moment ago, with its EOF not yet processed: the
// write then fails with EPIPE, and the SIGPIPE it raises must not kill
// devwatch (whose main may not ignore SIGPIPE). Blocked for this thread,
// consumed if it became pending, mask restored.
void write_without_sigpipe(int fd, char byte) {
  sigset_t pipe_set;
  sigset_t previous;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &previous);
  ssize_t n = 0;
  do {
    n = write(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EPIPE) {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1 && sigismember(&previous, SIGPIPE) == 0) {
      timespec zero{0, 0};
      sigtimedwait(&pipe_set, nullptr, &zero);
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}


}  // namespace

GroupProcess::GroupProcess(asio::io_context& io, GroupCallbacks callbacks, size_t max_line)
    : io_(io),
      callbacks_(std::move(callbacks)),
      report_(io),
      outputs_{asio::posix::stream_descriptor(io), asio::posix::stream_descriptor(io)},
      reap_timer_(io),
      drain_timer_(io),
      backstop_timer_(io) {
  for (Stream stream : {Stream::Stdout, Stream::Stderr}) {
    splitters_.emplace_back([this, stream](std::string_view text, bool cut) {
      if (callbacks_.on_line) callbacks_.on_line(stream, text, cut);
    }, max_line);
  }
}

Result<std::shared_ptr<GroupProcess>> GroupProcess::spawn(asio::io_context& io, const SpawnRequest& request,
                                                          GroupCallbacks callbacks, const Clock* clock) {
  auto handles = spawn_shim(request, clock);
  if (!handles) return handles.error();
  std::shared_ptr<GroupProcess> process(new GroupProcess(io, std::move(callbacks), request.max_line));
  process->shim_pid_ = handles->shim_pid;
  process->pid_ = handles->pid;
  process->policy_ = request.policy;
  process->spawned_at_ = handles->spawned_at;
  process->start_ = handles->start;
  process->control_fd_ = handles->control_fd;
  process->report_.assign(handles->report_fd);
  process->outputs_[0].assign(handles->stdout_fd);
  process->outputs_[1].assign(handles->stderr_fd);
  process->start_reading();
  return process;
}

GroupProcess::~GroupProcess() {
  if (control_fd_ >= 0) close(control_fd_);
  if (shim_reaped_ || shim_pid_ <= 0) return;
  // The shim saw EOF on its control pipe and applies its short death policy.
  for (int i = 0; i < 400; ++i) {
    int status = 0;
    pid_t r = waitpid(shim_pid_, &status, WNOHANG);
    if (r != 0) return;
    std::this_thread::sleep_for(5ms);
  }
  spdlog::warn("devwatch shim {} did not finish within 2 s of being dropped; killing its group {}", shim_pid_, pid_);
  kill(-pid_, SIGKILL);
  kill(shim_pid_, SIGKILL);
  int status = 0;
  waitpid(shim_pid_, &status, 0);
}

void GroupProcess::start_reading() {
  read_output(0);
  read_output(1);
  read_report();
}

void GroupProcess::read_output(int index) {
  auto i = static_cast<size_t>(index);
  std::weak_ptr<GroupProcess> weak = weak_from_this();
  // One bounded read per completion: a flooding server gets its turn like any
  // other handler instead of starving the loop.
  outputs_[i].async_read_some(asio::buffer(out_buffers_[i]), [weak, i](const asio::error_code& ec, size_t n) {
    auto self = weak.lock();
    if (!self) return;
    if (n > 0) self->splitters_[i].feed(std::string_view(self->out_buffers_[i].data(), n));
    if (ec) {
      self->splitters_[i].flush();
      self->out_eof_[i] = true;
      self->maybe_finish();
      return;
    }
    self->read_output(static_cast<int>(i));
  });
}

void GroupProcess::read_report() {
  std::weak_ptr<GroupProcess> weak = weak_from_this();
  report_.async_read_some(asio::buffer(report_buffer_), [weak](const asio::error_code& ec, size_t n) {
    auto self = weak.lock();
    if (!self) return;
    self->report_pending_.append(self->report_buffer_.data(), n);
    while (self->report_pending_.size() >= sizeof(ShimRecord)) {
      ShimRecord record{};
      std::memcpy(&record, self->report_pending_.data(), sizeof record);
      self->report_pending_.erase(0, sizeof record);
      self->handle_record(record.kind, record.a, record.b);
    }
    if (ec) {
      self->on_report_closed();
      return;
    }
    self->read_report();
  });
}

void GroupProcess::handle_record(int32_t kind, int32_t a, int32_t b) {
  switch (static_cast<RecordKind>(kind)) {
    case RecordKind::Exited:
      exit_.wait_status = a;
      if (callbacks_.on_main_exit) callbacks_.on_main_exit(a);
      break;
    case RecordKind::StopStep: {
      StopStep step{a, 0};
      auto index = static_cast<size_t>(b);
      if (index < policy_.size()) step.timeout_ms = policy_[index].timeout_ms;
      exit_.steps.push_back(step);
      if (a == SIGKILL) exit_.killed = true;
      if (callbacks_.on_stop_step) callbacks_.on_stop_step(step);
      break;
    }
    case RecordKind::Started:
    case RecordKind::GroupGone:
    case RecordKind::ExecFailed:
    case RecordKind::ShimError:
    case RecordKind::StartNote:  // read by spawn_shim with its Started
      break;
  }
}

void GroupProcess::on_report_closed() {
  if (report_.is_open()) report_.close();
  try_reap_shim(0);
}

void GroupProcess::try_reap_shim(int attempt) {
  int status = 0;
  pid_t r = waitpid(shim_pid_, &status, WNOHANG);
  if (r == 0) {
    // The shim closed its report pipe while exiting; it is a zombie within
    // microseconds. Beyond a second something is wrong: kill it.
    if (attempt == 500) {
      exit_.note += "the devwatch shim closed its report pipe but did not exit; killed it. ";
      kill(shim_pid_, SIGKILL);
    }
    reap_timer_.expires_after(2ms);
    std::weak_ptr<GroupProcess> weak = weak_from_this();
    reap_timer_.async_wait([weak, attempt](const asio::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->try_reap_shim(attempt + 1);
    });
    return;
  }
  shim_reaped_ = true;
  if (r < 0) {
    exit_.note += "could not reap the devwatch shim (" + errno_text(errno) + "; is SIGCHLD ignored?). ";
  } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    // The shim died abnormally (e.g. killed from outside): its group lost its
    // supervisor, so kill it from here.
    exit_.note += "the devwatch shim ended abnormally (" + describe_wait_status(status) + "); killed its group. ";
    kill(-pid_, SIGKILL);
  }
  maybe_finish();
}

void GroupProcess::maybe_finish() {
  if (finished_ || !shim_reaped_) return;
  if (out_eof_[0] && out_eof_[1]) {
    finish();
    return;
  }
  if (drain_timer_armed_) return;
  drain_timer_armed_ = true;
  // Every process of the group is gone, so the pipes end as soon as the
  // kernel hands over the last bytes; a writer still holding one is outside
  // the group and must not keep the server in `stopping` forever.
  drain_timer_.expires_after(1s);
  std::weak_ptr<GroupProcess> weak = weak_from_this();
  drain_timer_.async_wait([weak](const asio::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->finished_) return;
    self->exit_.note += "an output pipe was still open 1 s after the group was gone (a process outside the group holds it); closed it. ";
    for (auto& output : self->outputs_) {
      asio::error_code ignored;
      output.close(ignored);
    }
    self->finish();
  });
}

void GroupProcess::finish() {
  if (finished_) return;
  finished_ = true;
  backstop_timer_.cancel();
  drain_timer_.cancel();
  if (control_fd_ >= 0) {
    close(control_fd_);
    control_fd_ = -1;
  }
  for (auto& splitter : splitters_) splitter.flush();
  if (callbacks_.on_gone) callbacks_.on_gone(exit_);
}

void GroupProcess::stop() {
  if (finished_ || stop_requested_) return;
  stop_requested_ = true;
  if (control_fd_ >= 0) write_without_sigpipe(control_fd_, shim::kStopByte);
  long long total_ms = 3000;
  for (const auto& step : policy_) total_ms += step.timeout_ms;
  backstop_timer_.expires_after(std::chrono::milliseconds(total_ms));
  std::weak_ptr<GroupProcess> weak = weak_from_this();
  backstop_timer_.async_wait([weak, total_ms](const asio::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->shim_reaped_) return;
    self->exit_.note += "the shim had not finished the stop policy after " + std::to_string(total_ms) +
                        " ms; killed the group and the shim from devwatch. ";
    spdlog::warn("devwatch shim {} did not finish stopping group {} in {} ms; killing both", self->shim_pid_,
                 self->pid_, total_ms);
    kill(-self->pid_, SIGKILL);
    kill(self->shim_pid_, SIGKILL);
  });
}

void GroupProcess::abandon_for_test() {
  if (control_fd_ >= 0) {
    close(control_fd_);
    control_fd_ = -1;
  }
}

}  // namespace devwatch::supervise
