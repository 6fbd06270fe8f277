#include "supervise/shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "preload/zygote_client.h"
#include "supervise/shim_io.h"
#include "supervise/shim_protocol.h"
#include "supervise/spec.h"

namespace devwatch::supervise {
namespace {

using Clock = std::chrono::steady_clock;
using namespace shim;


// A descendant that called setsid() has left the group, so kill(-group) misses
// it; as child subreaper we inherited it when its parent died, so it is one of
// our direct children. Finds those through /proc and kills them.
void kill_escaped_children(pid_t group) {
  const pid_t self = getpid();
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return;
  while (dirent* entry = readdir(proc)) {
    long pid = 0;
    if (!parse_long(entry->d_name, pid)) continue;
    if (pid == group) continue;  // killed with its group
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    const char* close_paren = std::strrchr(buf, ')');  // comm may contain spaces and ')'
    if (close_paren == nullptr) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2) continue;
    if (ppid == self) kill(static_cast<pid_t>(pid), SIGKILL);
  }
  closedir(proc);
}

int milliseconds_until(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

class ShimLoop {
 public:
  // `foreign`: the command was forked by the zygote, so it is not our child;
  // its end comes from its pidfd, its wait status from the zygote.
  ShimLoop(ShimArgs args, pid_t group, int signal_fd, std::optional<preload::ZygoteChild> foreign = std::nullopt)
      : args_(std::move(args)), steps_(args_.steps), group_(group), signal_fd_(signal_fd), foreign_(foreign) {}

  int run() {
    for (;;) {
      if (reap_all()) {
        report(RecordKind::GroupGone);
        return 0;
      }
      if (!parent_gone_ && getppid() != args_.expected_ppid) on_parent_gone();

      pollfd fds[4] = {{signal_fd_, POLLIN, 0},
                       {control_open_ ? kControlFd : -1, POLLIN, 0},
                       {foreign_ ? foreign_->pidfd : -1, POLLIN, 0},
                       {foreign_ ? foreign_->conn : -1, POLLIN, 0}};
      int timeout = stopping_ ? milliseconds_until(deadline_) : -1;
      // No SIGCHLD tells us when the last process of a foreign group ends.
      if (foreign_ && !main_alive_) timeout = timeout < 0 ? 10 : std::min(timeout, 10);
      int r = poll(fds, 4, timeout);
      if (r < 0 && errno != EINTR) {
        // Cannot wait for events any more; never leave the group behind.
        on_parent_gone();
      }
      if (r > 0 && fds[0].revents != 0) drain_signals();
      if (r > 0 && control_open_ && fds[1].revents != 0) read_control();
      if (r > 0 && foreign_) read_foreign(fds[2].revents != 0, fds[3].revents != 0);
      if (stopping_ && Clock::now() >= deadline_) {
        if (step_ < steps_.size()) ++step_;
        apply_step();
      }
    }
  }

 private:
  // True when no descendant is left (every process of the group reaped).
  bool reap_all() {
    for (;;) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid > 0) {
        if (pid == group_ && main_alive_) {
          main_alive_ = false;
          report(RecordKind::Exited, status);
        }
        continue;
      }
      if (pid < 0 && errno == EINTR) continue;
      if (foreign_) return foreign_gone(pid == 0);
      if (pid < 0) return errno == ECHILD;
      // The command is gone but descendants remain: whatever it left behind
      // (a watcher, a worker holding the port) is stopped with the same policy.
      if (!main_alive_) begin_stop();
      return false;
    }
  }

  // The foreign command counts as exited once its pidfd fired and the zygote
  // sent its wait status (or can no longer send it).
  bool foreign_gone(bool own_children_left) {
    if (main_alive_ && main_exited_ && (exit_status_ || foreign_->conn < 0)) {
      main_alive_ = false;
      if (exit_status_) report(RecordKind::Exited, *exit_status_);
    }
    if (main_alive_) return false;
    const bool members = kill(-group_, 0) == 0 || errno == EPERM;
    if (!members && !own_children_left) return true;
    begin_stop();
    return false;
  }

  void read_foreign(bool pidfd_ready, bool conn_ready) {
    if (pidfd_ready && foreign_->pidfd >= 0) {
      main_exited_ = true;
      close(foreign_->pidfd);  // level-triggered: it would fire forever
      foreign_->pidfd = -1;
    }
    if (conn_ready && foreign_->conn >= 0 && preload::read_exit_status(foreign_->conn, conn_buffer_, exit_status_)) {
      close(foreign_->conn);
      foreign_->conn = -1;
    }
  }

  void drain_signals() {
    signalfd_siginfo info{};
    while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      // SIGTERM is our parent-death signal; the others may come from a
      // terminal or a group kill aimed elsewhere. Only devwatch decides when
      // to stop, so a signal alone matters only if devwatch is gone.
      if (info.ssi_signo != SIGCHLD && getppid() != args_.expected_ppid) on_parent_gone();
    }
  }

  void read_control() {
    char buf[64];
    ssize_t n = read(kControlFd, buf, sizeof buf);
    if (n > 0) {
      if (std::memchr(buf, kStopByte, static_cast<size_t>(n)) != nullptr) begin_stop();
      return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    // EOF: every copy of the write end is closed, i.e. devwatch exited (or
    // dropped this server): nobody is left to supervise the group.
    control_open_ = false;
    close(kControlFd);
    on_parent_gone();
  }

  void begin_stop() {
    if (stopping_) return;
    stopping_ = true;
    step_ = 0;
    apply_step();
  }

  void on_parent_gone() {
    if (parent_gone_) return;
    parent_gone_ = true;
    // Nobody waits for a graceful stop any more: one short polite step, then kill.
    StopPolicy death;
    if (!args_.steps.empty() && args_.steps.front().signal != SIGKILL && args_.steps.front().signal != 0) {
      death.push_back({args_.steps.front().signal, args_.death_timeout_ms});
    }
    steps_ = death;
    if (!stopping_) {
      begin_stop();
      return;
    }
    if (step_ >= steps_.size()) {
      step_ = steps_.size();
      apply_step();
      return;
    }
    deadline_ = std::min(deadline_, Clock::now() + std::chrono::milliseconds(args_.death_timeout_ms));
  }

  void apply_step() {
    if (step_ < steps_.size()) {
      const StopStep& step = steps_[step_];
      if (step.signal != 0) kill(-group_, step.signal);
      if (step.signal == SIGKILL) kill_escaped_children(group_);
      report(RecordKind::StopStep, step.signal, static_cast<int>(step_));
      deadline_ = Clock::now() + std::chrono::milliseconds(step.timeout_ms);
      return;
    }
    // Past the last step: keep killing until every descendant is reaped.
    if (!final_reported_) {
      report(RecordKind::StopStep, SIGKILL, static_cast<int>(step_));
      final_reported_ = true;
    }
    kill(-group_, SIGKILL);
    kill_escaped_children(group_);
    deadline_ = Clock::now() + std::chrono::milliseconds(100);
  }

  ShimArgs args_;
  StopPolicy steps_;
  pid_t group_;
  int signal_fd_;
  bool main_alive_ = true;
  bool stopping_ = false;
  bool parent_gone_ = false;
  bool control_open_ = true;
  bool final_reported_ = false;
  size_t step_ = 0;
  Clock::time_point deadline_{};
  std::optional<preload::ZygoteChild> foreign_;
  bool main_exited_ = false;
  std::optional<int> exit_status_;
  std::string conn_buffer_;
};

}  // namespace

int run_shim(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  if (!args) {
    report(RecordKind::ExecFailed, EINVAL, static_cast<int>(ExecStage::BadArgs));
    return 2;
  }
  // Our two pipes must not reach the command; anything else devwatch leaked
  // (descriptors opened without O_CLOEXEC) is closed here.
  fcntl(kReportFd, F_SETFD, FD_CLOEXEC);
  fcntl(kControlFd, F_SETFD, FD_CLOEXEC);
  close_range(kControlFd + 1, ~0U, 0);

  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (args->subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1);
  std::signal(SIGPIPE, SIG_IGN);

  sigset_t watched;
  sigemptyset(&watched);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&watched, sig);
  sigset_t original;
  sigprocmask(SIG_BLOCK, &watched, &original);
  int signal_fd = signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) {
    report(RecordKind::ShimError, errno);
    return 2;
  }
  // PR_SET_PDEATHSIG only fires for a death after it was set: if devwatch died
  // before, we were already re-parented, and nothing must be started.
  if (getppid() != args->expected_ppid) return 0;

  // The one preloaded branch: the zygote forks the command with our stdio and
  // we supervise it as below (group, stop policy, death path); if it cannot,
  // the command starts cold right here, with the reason reported.
  StartOutcome outcome = StartOutcome::Plain;
  std::string note;
  int fork_us = 0;
  if (args->zygote) {
    const auto asked = Clock::now();
    preload::ZygoteAnswer answer = preload::fork_via_zygote(*args->zygote, args->command.data(), environ);
    fork_us = static_cast<int>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - asked).count());
    if (answer.child) {
      report_started(answer.child->pid, StartOutcome::Preloaded, fork_us, "");
      const pid_t child = answer.child->pid;
      return ShimLoop(std::move(*args), child, signal_fd, answer.child).run();
    }
    outcome = StartOutcome::Cold;
    note = answer.reason;
  }

  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    report(RecordKind::ExecFailed, errno, static_cast<int>(ExecStage::Fork));
    return 0;
  }
  pid_t pid = fork();
  if (pid < 0) {
    report(RecordKind::ExecFailed, errno, static_cast<int>(ExecStage::Fork));
    return 0;
  }
  if (pid == 0) {
    // The shim is single-threaded, so this child may call anything; it still
    // only does what exec needs.
    setpgid(0, 0);
    std::signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &original, nullptr);
    execvp(args->command[0], args->command.data());
    int err = errno;
    ssize_t ignored = write(exec_pipe[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  // Both sides call setpgid so the group exists before either goes on.
  setpgid(pid, pid);
  close(exec_pipe[1]);
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = read(exec_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    waitpid(pid, &status, 0);
    report(RecordKind::ExecFailed, child_errno, static_cast<int>(ExecStage::Exec));
    return 0;
  }
  report_started(pid, outcome, fork_us, note);
  return ShimLoop(std::move(*args), pid, signal_fd).run();
}

}  // namespace devwatch::supervise
