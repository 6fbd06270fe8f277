// One running dev server as the OS sees it: a shim process (see shim.h) and
// the command's process group under it, with stdout/stderr read line by line
// on the asio loop, the shim's reports turned into callbacks, and the stop
// request with devwatch's backstop. Starting the shim is spawn_shim.h.
// Threading: everything (spawn, stop, callbacks, destruction) on the thread
// running the io_context. Spawn from the loop thread that lives as long as
// devwatch: PR_SET_PDEATHSIG fires when the *thread* that forked exits.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervise/asio_include.h"

#include "common/clock.h"
#include "common/error.h"
#include "supervise/line_splitter.h"
#include "supervise/output_ring.h"
#include "supervise/spawn_shim.h"
#include "supervise/spec.h"

namespace devwatch::supervise {

struct GroupExit {
  std::optional<int> wait_status;  // of the command; empty if it never ran
  std::vector<StopStep> steps;     // stop steps the shim applied, in order
  bool killed = false;             // a SIGKILL step was needed
  std::string note;                // anything abnormal (backstop kill, shim lost)
};

struct GroupCallbacks {
  std::function<void(Stream, std::string_view text, bool cut)> on_line;
  std::function<void(int wait_status)> on_main_exit;  // the group may still be alive
  std::function<void(const StopStep& step)> on_stop_step;
  // Once, when every process of the group is reaped and both pipes are drained.
  std::function<void(const GroupExit&)> on_gone;
};

class GroupProcess : public std::enable_shared_from_this<GroupProcess> {
 public:
  // Synchronous up to the command's exec (a few ms): exec failures and a bad
  // cwd come back here as ExecFailed errors naming the command and errno.
  // spawned_at() is read from `clock` (SteadyClock when null).
  static Result<std::shared_ptr<GroupProcess>> spawn(asio::io_context& io, const SpawnRequest& request,
                                                     GroupCallbacks callbacks, const Clock* clock = nullptr);

  GroupProcess(const GroupProcess&) = delete;
  GroupProcess& operator=(const GroupProcess&) = delete;
  // Safety net only (stop() and on_gone are the way): closes the control pipe,
  // which makes the shim kill the group, and blocks until the shim is reaped.
  ~GroupProcess();

  pid_t pid() const { return pid_; }  // the command; also its process group id
  pid_t shim_pid() const { return shim_pid_; }
  bool gone() const { return finished_; }
  TimePoint spawned_at() const { return spawned_at_; }
  // Set when the spawn asked a zygote: whether it forked the command.
  const std::optional<StartInfo>& start_info() const { return start_; }

  // Asks the shim to apply the stop policy to the group. Idempotent. A
  // backstop kills group and shim if the shim does not finish in time.
  void stop();

  // Test hook: pretend devwatch died (closes the control pipe).
  void abandon_for_test();

 private:
  GroupProcess(asio::io_context& io, GroupCallbacks callbacks, size_t max_line);
  void start_reading();
  void read_output(int index);
  void read_report();
  void handle_record(int32_t kind, int32_t a, int32_t b);
  void on_report_closed();
  void try_reap_shim(int attempt);
  void maybe_finish();
  void finish();

  asio::io_context& io_;
  GroupCallbacks callbacks_;
  pid_t shim_pid_ = -1;
  pid_t pid_ = -1;
  int control_fd_ = -1;
  StopPolicy policy_;
  TimePoint spawned_at_{};
  std::optional<StartInfo> start_;
  asio::posix::stream_descriptor report_;
  std::array<asio::posix::stream_descriptor, 2> outputs_;
  // Uninitialised on purpose: read() fills them; zeroing faulted in 128 KiB.
  std::array<std::array<char, 65536>, 2> out_buffers_;
  std::array<bool, 2> out_eof_{false, false};
  std::vector<LineSplitter> splitters_;
  std::array<char, 768> report_buffer_{};
  std::string report_pending_;
  asio::steady_timer reap_timer_;
  asio::steady_timer drain_timer_;
  asio::steady_timer backstop_timer_;
  bool stop_requested_ = false;
  bool shim_reaped_ = false;
  bool drain_timer_armed_ = false;
  bool finished_ = false;
  GroupExit exit_;
};

}  // namespace devwatch::supervise
