#include "supervise/spawn_shim.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/errno_text.h"
#include "supervise/shim_protocol.h"
#include "supervise/wait_status.h"

namespace devwatch::supervise {
namespace {

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
  for (const auto& [key, value] : merged) {
    std::string entry;
    entry.reserve(key.size() + 1 + value.size());
    entry.append(key).append(1, '=').append(value);
    out.push_back(std::move(entry));
  }
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

// The StartNote the shim wrote in the same write() as Started: already in the
// pipe, so these reads do not wait.
Result<StartInfo> read_start_note(int fd, int32_t outcome) {
  ShimRecord header{};
  auto read_all = [fd](void* data, size_t size) {
    size_t got = 0;
    while (got < size) {
      ssize_t n = read(fd, static_cast<char*>(data) + got, size - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      got += static_cast<size_t>(n);
    }
    return true;
  };
  if (!read_all(&header, sizeof header) || header.kind != static_cast<int32_t>(RecordKind::StartNote) ||
      header.a < 0 || header.a > shim::kMaxNoteBytes) {
    return make_error(ErrorCode::ExecFailed, "the devwatch shim sent a malformed start note");
  }
  std::string text(static_cast<size_t>(header.a), '\0');
  if (!read_all(text.data(), text.size())) {
    return make_error(ErrorCode::ExecFailed, "the devwatch shim sent a truncated start note");
  }
  StartInfo info;
  info.mode = outcome == static_cast<int32_t>(shim::StartOutcome::Preloaded) ? StartMode::Preloaded : StartMode::Cold;
  info.reason = std::move(text);
  info.fork_ms = header.b / 1000.0;
  return info;
}

}  // namespace

Result<ShimHandles> spawn_shim(const SpawnRequest& request, const Clock* clock) {
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
  if (!request.zygote_socket.empty()) {
    shim_args.emplace_back(shim::kZygoteFlag);
    shim_args.push_back(request.zygote_socket);
  }
  if (!request.subreaper) shim_args.emplace_back(shim::kNoSubreaperFlag);
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

  const TimePoint spawned_at = clock != nullptr ? clock->now() : SteadyClock::now();
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

  ShimHandles handles;
  if (first->b != static_cast<int32_t>(shim::StartOutcome::Plain)) {
    auto start = read_start_note(report->read.get(), first->b);
    if (!start) {
      kill(pid, SIGKILL);
      int status = 0;
      waitpid(pid, &status, 0);
      return start.error();
    }
    handles.start = std::move(*start);
  }
  handles.shim_pid = pid;
  handles.pid = first->a;
  handles.spawned_at = spawned_at;
  for (int fd : {report->read.get(), out->read.get(), err->read.get()}) set_nonblocking(fd);
  handles.control_fd = control->write.release();
  handles.report_fd = report->read.release();
  handles.stdout_fd = out->read.release();
  handles.stderr_fd = err->read.release();
  return handles;
}

}  // namespace devwatch::supervise
