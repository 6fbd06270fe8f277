#include "supervise/group_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <numeric>
#include <thread>

#include <spdlog/spdlog.h>

#include "supervise/errno_text.h"
#include "supervise/shim_protocol.h"

extern char** environ;

namespace devwatch::supervise {
namespace {

using namespace std::chrono_literals;
using shim::ExecStage;
using shim::RecordKind;
using shim::ShimRecord;

// Owns a descriptor until released; keeps every early return leak-free.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Result<Pipe> make_pipe(const char* what) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return make_error(ErrorCode::ExecFailed, std::string("cannot create the ") + what + " pipe: " + errno_text(errno));
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// The child dup2()s its ends onto 0..4; sources at 10 and above can never be
// clobbered by an earlier dup2 in that sequence.
Result<Fd> move_high(Fd fd) {
  int high = fcntl(fd.get(), F_DUPFD_CLOEXEC, 10);
  if (high < 0) return make_error(ErrorCode::ExecFailed, "cannot duplicate a pipe: " + errno_text(errno));
  return Fd(high);
}

std::vector<std::string> build_env(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    merged[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
  }
  for (const auto& [key, value] : overrides) merged[key] = value;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [key, value] : merged) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

struct ChildError {
  int32_t stage = 0;
  int32_t err = 0;
};

Error exec_error(const SpawnRequest& request, int stage, int err) {
  const std::string& command = request.argv.front();
  switch (static_cast<ExecStage>(stage)) {
    case ExecStage::Chdir:
      return make_error(ErrorCode::ExecFailed, "cannot chdir to " + request.cwd + ": " + errno_name(err) + " (" +
                                                   strerrordesc_np(err) + "); command: " + command);
    case ExecStage::Exec:
      return make_error(ErrorCode::ExecFailed, "exec failed: " + command + ": " + errno_text(err));
    case ExecStage::Fork:
      return make_error(ErrorCode::ExecFailed, "cannot fork to start " + command + ": " + errno_text(err));
    case ExecStage::ShimExec:
      return make_error(ErrorCode::ExecFailed, "cannot start the devwatch shim " + request.shim_path +
                                                   " for " + command + ": " + errno_text(err));
    case ExecStage::BadArgs:
      break;
  }
  return make_error(ErrorCode::ExecFailed,
                    "the devwatch shim " + request.shim_path + " rejected its arguments (is it a devwatch binary?)");
}

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

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Blocks for the shim's first record: Started or ExecFailed. The shim learns
// the outcome of exec through its own close-on-exec pipe, so this is a few ms.
Result<ShimRecord> first_record(int fd, pid_t shim_pid, const SpawnRequest& request) {
  pollfd pfd{fd, POLLIN, 0};
  int ready = 0;
  do {
    ready = poll(&pfd, 1, 10'000);
  } while (ready < 0 && errno == EINTR);
  ShimRecord record{};
  ssize_t n = 0;
  if (ready > 0) {
    do {
      n = read(fd, &record, sizeof record);
    } while (n < 0 && errno == EINTR);
  }
  if (n == static_cast<ssize_t>(sizeof record)) return record;
  kill(shim_pid, SIGKILL);
  int status = 0;
  waitpid(shim_pid, &status, 0);
  std::string why = ready == 0 ? "did not report within 10 s" : "ended without reporting (" + describe_wait_status(status) + ")";
  return make_error(ErrorCode::ExecFailed,
                    "the devwatch shim " + request.shim_path + " " + why + " while starting " + request.argv.front());
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
                                                          GroupCallbacks callbacks) {
  if (request.argv.empty() || request.argv.front().empty()) {
    return make_error(ErrorCode::ExecFailed, "empty command");
  }
  auto out = make_pipe("stdout");
  auto err = make_pipe("stderr");
  auto report = make_pipe("report");
  auto control = make_pipe("control");
  auto child_error = make_pipe("exec-error");
  for (auto* p : {&out, &err, &report, &control, &child_error}) {
    if (!p->ok()) return p->error();
  }
  Fd null_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null_fd.get() < 0) return make_error(ErrorCode::ExecFailed, "cannot open /dev/null: " + errno_text(errno));
  auto out_w = move_high(std::move(out->write));
  auto err_w = move_high(std::move(err->write));
  auto report_w = move_high(std::move(report->write));
  auto control_r = move_high(std::move(control->read));
  auto null_high = move_high(std::move(null_fd));
  for (auto* fd : {&out_w, &err_w, &report_w, &control_r, &null_high}) {
    if (!fd->ok()) return fd->error();
  }

  // Everything the child touches is prepared now: after fork only
  // async-signal-safe calls are allowed (devwatch has other threads).
  std::vector<std::string> shim_args = {"devwatch", shim::kShimArg, std::to_string(getpid()),
                                        std::to_string(request.death_timeout_ms),
                                        std::to_string(request.policy.size())};
  for (const auto& step : request.policy) {
    shim_args.push_back(std::to_string(step.signal) + ":" + std::to_string(step.timeout_ms));
  }
  shim_args.emplace_back("--");
  shim_args.insert(shim_args.end(), request.argv.begin(), request.argv.end());
  std::vector<std::string> env = build_env(request.env);
  std::vector<char*> argv_c = c_strings(shim_args);
  std::vector<char*> env_c = c_strings(env);
  const char* shim_path = request.shim_path.c_str();
  const char* cwd = request.cwd.empty() ? nullptr : request.cwd.c_str();
  const int fd_null = null_high->get(), fd_out = out_w->get(), fd_err = err_w->get();
  const int fd_report = report_w->get(), fd_control = control_r->get(), fd_error = child_error->write.get();

  // Blocked so no handler runs in the child before its dispositions are reset.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = fork();
  if (pid == 0) {
    auto fail = [fd_error](ExecStage stage, int e) {
      ChildError ce{static_cast<int32_t>(stage), e};
      ssize_t ignored = write(fd_error, &ce, sizeof ce);
      (void)ignored;
      _exit(127);
    };
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
    }
    // Its own group, so a Ctrl-C aimed at devwatch's terminal group does not
    // reach the shim: devwatch decides when servers stop.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (dup2(fd_null, 0) < 0 || dup2(fd_out, 1) < 0 || dup2(fd_err, 2) < 0 ||
        dup2(fd_report, shim::kReportFd) < 0 || dup2(fd_control, shim::kControlFd) < 0) {
      fail(ExecStage::Fork, errno);
    }
    if (cwd != nullptr && chdir(cwd) != 0) fail(ExecStage::Chdir, errno);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(shim_path, argv_c.data(), env_c.data());
    fail(ExecStage::ShimExec, errno);
  }
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) return exec_error(request, static_cast<int>(ExecStage::Fork), fork_errno);

  const auto spawned_at = std::chrono::steady_clock::now();
  setpgid(pid, pid);
  // The parent's copies of the child's ends must go, or EOF never comes.
  child_error->write.reset();
  out_w->reset();
  err_w->reset();
  report_w->reset();
  control_r->reset();
  null_high->reset();

  ChildError ce{};
  ssize_t n = 0;
  do {
    n = read(child_error->read.get(), &ce, sizeof ce);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof ce)) {
    int status = 0;
    waitpid(pid, &status, 0);
    return exec_error(request, ce.stage, ce.err);
  }

  auto first = first_record(report->read.get(), pid, request);
  if (!first) return first.error();
  if (first->kind == static_cast<int32_t>(RecordKind::ExecFailed) ||
      first->kind == static_cast<int32_t>(RecordKind::ShimError)) {
    int status = 0;
    waitpid(pid, &status, 0);
    int stage = first->kind == static_cast<int32_t>(RecordKind::ShimError) ? static_cast<int>(ExecStage::Fork)
                                                                          : first->b;
    return exec_error(request, stage, first->a);
  }
  if (first->kind != static_cast<int32_t>(RecordKind::Started)) {
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return make_error(ErrorCode::ExecFailed, "the devwatch shim sent an unexpected first record while starting " +
                                                 request.argv.front());
  }

  std::shared_ptr<GroupProcess> process(new GroupProcess(io, std::move(callbacks), request.max_line));
  process->shim_pid_ = pid;
  process->pid_ = first->a;
  process->policy_ = request.policy;
  process->spawned_at_ = spawned_at;
  process->control_fd_ = control->write.release();
  for (int fd : {report->read.get(), out->read.get(), err->read.get()}) set_nonblocking(fd);
  process->report_.assign(report->read.release());
  process->outputs_[0].assign(out->read.release());
  process->outputs_[1].assign(err->read.release());
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
