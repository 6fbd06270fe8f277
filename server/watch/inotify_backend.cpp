#include "watch/inotify_backend.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "common/errno_text.h"

namespace devwatch::watch {

namespace {

constexpr std::uint32_t kDirMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE |
                                   IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF |
                                   IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

}  // namespace

struct InotifyBackend::State {
  explicit State(asio::io_context& io, int fd) : stream(io, fd) {}
  asio::posix::stream_descriptor stream;
  Sink sink;
  bool stopped = false;
  bool paused = false;
  bool armed = false;
  std::vector<Hint> hints;
  // 64 KiB: a full default queue (16384 events) drains in a few reads.
  // Events are copied out with memcpy, so new[]'s alignment is enough. For
  // overwrite: read() fills it, and zeroing would fault in all 64 KiB
  // before the first event.
  static constexpr std::size_t kBufferSize = std::size_t{64} * 1024;
  std::unique_ptr<char[]> buffer = std::make_unique_for_overwrite<char[]>(kBufferSize);
};

Result<std::unique_ptr<InotifyBackend>> InotifyBackend::create(asio::io_context& io) {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return make_error(ErrorCode::WatchFailed, "inotify_init1 failed: " + errno_text(err));
  }
  return std::unique_ptr<InotifyBackend>(new InotifyBackend(io, fd));
}

InotifyBackend::InotifyBackend(asio::io_context& io, int fd)
    : state_(std::make_shared<State>(io, fd)) {}

InotifyBackend::~InotifyBackend() { stop(); }

void InotifyBackend::start(Sink sink) {
  state_->sink = std::move(sink);
  arm();
}

void InotifyBackend::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  asio::error_code ec;
  state_->stream.close(ec);  // closing the fd frees every watch at once
}

WatchResult InotifyBackend::watch_dir(const std::string& absolute_path, bool is_root) {
  const std::uint32_t mask = is_root ? kDirMask & ~static_cast<std::uint32_t>(IN_DONT_FOLLOW) : kDirMask;
  int wd = inotify_add_watch(state_->stream.native_handle(), absolute_path.c_str(), mask);
  if (wd < 0) return WatchResult{kNoWatch, errno};
  return WatchResult{wd, 0};
}

void InotifyBackend::unwatch_dir(WatchId id) {
  // EINVAL when the kernel already dropped it (directory deleted): fine.
  if (!state_->stopped && id >= 0) inotify_rm_watch(state_->stream.native_handle(), id);
}

void InotifyBackend::pause_draining_for_test() { state_->paused = true; }

void InotifyBackend::resume_draining_for_test() {
  state_->paused = false;
  if (!state_->armed) arm();
}

void InotifyBackend::arm() {
  auto st = state_;
  if (st->stopped || st->paused || st->armed) return;
  st->armed = true;
  st->stream.async_wait(asio::posix::stream_descriptor::wait_read,
                        [this, st](const asio::error_code& ec) {
                          st->armed = false;
                          if (ec || st->stopped) return;
                          if (st->paused) return;
                          // Drain, re-arm, then hand the batch on: the sink
                          // only queues it (the Watcher verifies it in a
                          // posted step), so the fd is never left unread
                          // while hints are processed.
                          drain();
                          arm();
                          if (!st->hints.empty() && st->sink) st->sink(st->hints);
                        });
}

// Reads to EAGAIN into state_->hints, decoding only: as quickly as possible,
// so the kernel queue does not overflow.
void InotifyBackend::drain() {
  State& st = *state_;
  st.hints.clear();
  const int fd = st.stream.native_handle();
  for (;;) {
    ssize_t n = ::read(fd, st.buffer.get(), State::kBufferSize);
    if (n <= 0) break;  // EAGAIN: drained
    std::size_t off = 0;
    while (off + sizeof(inotify_event) <= static_cast<std::size_t>(n)) {
      inotify_event ev;
      std::memcpy(&ev, st.buffer.get() + off, sizeof ev);
      const char* ev_name = st.buffer.get() + off + sizeof(inotify_event);
      off += sizeof(inotify_event) + ev.len;
      Hint h;
      h.dir = ev.wd;
      h.cookie = ev.cookie;
      h.is_dir = (ev.mask & IN_ISDIR) != 0;
      if (ev.len > 0) h.name.assign(ev_name, ::strnlen(ev_name, ev.len));
      auto push = [&](Hint::Kind kind) {
        h.kind = kind;
        st.hints.push_back(h);
      };
      if (ev.mask & IN_Q_OVERFLOW) { h.dir = kNoWatch; push(Hint::Kind::Overflow); continue; }
      if (ev.mask & IN_CREATE) push(Hint::Kind::Created);
      if (ev.mask & IN_DELETE) push(Hint::Kind::Deleted);
      if (ev.mask & IN_MODIFY) push(Hint::Kind::Modified);
      if (ev.mask & IN_CLOSE_WRITE) push(Hint::Kind::ClosedWrite);
      if (ev.mask & IN_ATTRIB) push(Hint::Kind::Attrib);
      if (ev.mask & IN_MOVED_FROM) push(Hint::Kind::MovedFrom);
      if (ev.mask & IN_MOVED_TO) push(Hint::Kind::MovedTo);
      if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) push(Hint::Kind::SelfGone);
      if (ev.mask & IN_IGNORED) push(Hint::Kind::WatchGone);
    }
  }
}

}  // namespace devwatch::watch
