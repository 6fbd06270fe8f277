#include "preload/zygote.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "common/errno_text.h"
#include "preload/launcher_source.h"
#include "preload/plan.h"
#include "supervise/wait_status.h"

namespace devwatch::preload {

using supervise::PreloadChoice;
using supervise::StartInfo;
using supervise::StartMode;

namespace {

constexpr std::string_view kPrefix = "devwatch-preload: ";

// A devwatch killed by SIGKILL could not remove its directory: the next one
// does, when the owner pid recorded in it no longer exists.
void remove_abandoned_dirs(const std::string& base) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    if (entry.path().filename().string().rfind("devwatch-preload-", 0) != 0) continue;
    std::ifstream owner(entry.path() / "owner");
    long pid = 0;
    if (!(owner >> pid) || pid <= 0) continue;
    if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) std::filesystem::remove_all(entry.path(), ec);
  }
}

// mkdtemp makes it 0700: nobody else can reach the socket or swap the launcher.
std::string make_private_dir(std::string& error) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  std::string base = runtime != nullptr && *runtime != '\0' ? runtime : "/tmp";
  remove_abandoned_dirs(base);
  std::string pattern = base + "/devwatch-preload-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    error = "cannot create a private directory in " + base + ": " + errno_text(errno);
    return {};
  }
  std::ofstream(pattern + "/owner") << getpid() << "\n";
  return pattern;
}

}  // namespace

struct Zygote::Slot {
  std::shared_ptr<supervise::GroupProcess> process;
  Zygote* owner = nullptr;
  std::string socket;
  int generation = 0;
  bool ready = false;
  bool stale = false;     // it refused a fork: rebuilt, never asked again
  // cppcheck-suppress unusedStructMember ; read in on_gone
  std::string failure;    // "unsafe: ..." and friends, from its stderr
  // cppcheck-suppress unusedStructMember ; read in on_gone
  std::string last_line;  // for a zygote that ends without saying why
};

Zygote::Zygote(asio::io_context& io, supervise::ServerSpec spec, std::string shim_path)
    : io_(io), spec_(std::move(spec)), shim_path_(std::move(shim_path)), dir_(make_private_dir(unavailable_)) {
  if (dir_.empty()) {
    unavailable_ = "preload is off: " + unavailable_;
    return;
  }
  launcher_ = dir_ + "/preload_launcher.py";
  std::ofstream out(launcher_, std::ios::binary);
  out << kLauncherSource;
  if (!out.flush()) unavailable_ = "preload is off: cannot write " + launcher_;
  if (auto plan = zygote_argv(spec_, launcher_, dir_ + "/probe.sock"); !plan) unavailable_ = plan.error().message;
}

Zygote::~Zygote() {
  retire(current_);
  retire(next_);
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

// Stops a slot's zygote without waiting: the process keeps itself alive (its
// callbacks hold the slot) until its group is gone.
void Zygote::retire(const std::shared_ptr<Slot>& slot) {
  if (!slot) return;
  slot->owner = nullptr;
  if (slot->process) slot->process->stop();
}

PreloadChoice Zygote::before_spawn() {
  if (!unavailable_.empty()) return {"", unavailable_};
  if (current_ && current_->ready && !current_->stale) return {current_->socket, ""};
  if (next_) return {"", "the preloaded interpreter is still being built; this start is cold"};
  if (permanent_) return {"", failure_};
  std::string why = failure_.empty() ? "the preloaded interpreter is built at the first start; this start is cold"
                                     : failure_ + "; building it again, this start is cold";
  build(why);
  return {"", why};
}

void Zygote::after_spawn(const StartInfo& info) {
  if (info.mode == StartMode::Preloaded || !current_) return;
  // It said stale (or was lost): never ask it again, build a fresh one.
  current_->stale = true;
  spdlog::info("dev server {}: preloaded interpreter not used: {}", spec_.name, info.reason);
  if (!next_) build(info.reason);
}

void Zygote::build(const std::string& why) {
  auto slot = std::make_shared<Slot>();
  slot->owner = this;
  slot->generation = ++generation_;
  slot->socket = dir_ + "/zygote-" + std::to_string(slot->generation) + ".sock";
  auto argv = zygote_argv(spec_, launcher_, slot->socket);
  if (!argv) {
    unavailable_ = argv.error().message;
    return;
  }
  supervise::SpawnRequest request;
  request.shim_path = shim_path_;
  request.argv = std::move(*argv);
  request.cwd = spec_.cwd;
  request.env = spec_.env;  // the same environment as the server: the launcher compares
  request.policy = {{SIGTERM, 1000}, {SIGKILL, 2000}};
  request.subreaper = false;

  supervise::GroupCallbacks callbacks;
  callbacks.on_line = [slot](supervise::Stream stream, std::string_view text, bool) {
    if (slot->owner != nullptr) slot->owner->on_line(slot, stream, text);
  };
  callbacks.on_gone = [slot, &io = io_](const supervise::GroupExit& exit) {
    if (slot->owner != nullptr) slot->owner->on_gone(slot, exit);
    // Break the slot <-> process cycle once this callback has returned.
    asio::post(io, [slot] { slot->process.reset(); });
  };
  auto process = supervise::GroupProcess::spawn(io_, request, std::move(callbacks));
  if (!process) {
    failure_ = "cannot start the preloaded interpreter: " + process.error().message;
    return;
  }
  slot->process = std::move(*process);
  spdlog::info("dev server {}: building preloaded interpreter #{} (pid {}): {}", spec_.name, slot->generation,
               slot->process->pid(), why);
  next_ = std::move(slot);
}

void Zygote::on_line(const std::shared_ptr<Slot>& slot, supervise::Stream stream, std::string_view text) {
  if (text.rfind(kPrefix, 0) != 0) {
    // Warnings or a traceback printed while preloading: kept for the failure.
    if (!text.empty()) slot->last_line = std::string(text);
    spdlog::debug("dev server {}: preloaded interpreter: {}", spec_.name, text);
    return;
  }
  std::string_view message = text.substr(kPrefix.size());
  if (stream == supervise::Stream::Stdout && message.rfind("ready", 0) == 0) {
    slot->ready = true;
    spdlog::info("dev server {}: preloaded interpreter #{} {}", spec_.name, slot->generation, message);
    if (slot == next_) {
      std::shared_ptr<Slot> old = std::move(current_);
      current_ = std::move(next_);
      next_.reset();
      retire(old);
    }
    return;
  }
  if (message.rfind("stale: ", 0) == 0) return;  // the shim reports it with the cold start
  slot->failure = std::string(message);
  spdlog::warn("dev server {}: preloaded interpreter: {}", spec_.name, message);
}

void Zygote::on_gone(const std::shared_ptr<Slot>& slot, const supervise::GroupExit& exit) {
  const bool was_ready = slot->ready;
  if (slot == current_) current_.reset();
  if (slot == next_) next_.reset();
  std::string how = exit.wait_status ? supervise::describe_wait_status(*exit.wait_status) : "ended";
  if (!slot->failure.empty()) {
    // "unsafe: ...", "unsupported: ...": the same spec would fail the same way.
    failure_ = "preload is off: " + slot->failure;
    permanent_ = true;
  } else {
    failure_ = "the preloaded interpreter " + how + (slot->last_line.empty() ? "" : " (" + slot->last_line + ")");
  }
  spdlog::warn("dev server {}: preloaded interpreter #{} {}: {}", spec_.name, slot->generation, how, failure_);
  // One that served and was lost (killed, crashed) is rebuilt at once, so the
  // next restart is preloaded again; one that never got ready is retried only
  // by the next start, so a broken environment cannot loop.
  if (was_ready && !permanent_ && !next_ && !current_) build(failure_);
}

supervise::PreloaderFactory zygote_factory(asio::io_context& io, std::string shim_path) {
  return [&io, shim_path = std::move(shim_path)](const supervise::ServerSpec& spec)
             -> std::unique_ptr<supervise::Preloader> {
    return std::make_unique<Zygote>(io, spec, shim_path);
  };
}

}  // namespace devwatch::preload
