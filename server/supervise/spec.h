// What to run and how to stop it: the value the config module produces for
// each dev server, plus the stop policy as data (reproc-style steps).
// Thread-safe: plain values.
#pragma once

#include <csignal>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace devwatch::supervise {

// All set members must pass before a server counts as ready; none set means
// ready as soon as it is spawned.
struct ReadyProbe {
  std::optional<int> port;
  std::optional<std::string> host;     // default: try 127.0.0.1 and ::1
  std::optional<std::string> pattern;  // ECMAScript regex searched in each output line
};

// "proxy" in devwatch.json: devwatch listens on listen_host:listen_port and
// forwards to the server (docs/proxy.md). The workspace owns the proxy; this
// is only its configuration.
struct ProxySpec {
  std::string listen_host;  // "" = no proxy
  int listen_port = 0;
  bool live_reload = false;
  bool overlap = false;           // accepted, not implemented yet (docs/proxy.md)
  int hold_timeout_ms = 30000;    // how long a request waits for the server to be ready
  bool enabled() const { return !listen_host.empty(); }
};

// "preload": true | [modules] (docs/preload.md): restarts fork a preloaded
// interpreter instead of starting cold, when that is provably equivalent.
struct PreloadSpec {
  bool enabled = false;
  std::vector<std::string> modules;  // empty: the launcher's defaults for the command

  bool operator==(const PreloadSpec&) const = default;
};

// How one start went when preloading was asked for.
enum class StartMode { Cold, Preloaded };
struct StartInfo {
  StartMode mode = StartMode::Cold;
  std::string reason;             // cold: why it was not preloaded, with the fix when there is one
  std::optional<double> fork_ms;  // the zygote's answer time, when it was asked
};
const char* start_mode_name(StartMode mode);  // "cold", "preloaded"

struct ServerSpec {
  std::string name;
  std::vector<std::string> command;
  bool shell = false;  // command joined with spaces and run by /bin/sh -c
  std::string cwd;     // absolute
  std::map<std::string, std::string> env;  // merged over devwatch's environment
  std::vector<std::string> restart_on;
  std::vector<std::string> ignore;
  ReadyProbe ready;
  int stop_signal = SIGINT;
  std::string stop_signal_why;  // where stop_signal came from, for `devwatch check` ("" = the default)
  int stop_timeout_ms = 5000;
  bool auto_start = true;
  bool auto_restart = true;
  size_t output_lines = 10000;
  PreloadSpec preload;
  std::string root;  // workspace root (absolute) it belongs to
  ProxySpec proxy;
};

// One step of a stop policy: send `signal` to the whole group (0 = send
// nothing, only wait) then wait up to `timeout_ms` for the group to be gone.
// The next step runs only if this one timed out; after the last step the
// group is SIGKILLed repeatedly until it is gone.
struct StopStep {
  int signal = SIGTERM;
  int timeout_ms = 5000;
};
using StopPolicy = std::vector<StopStep>;

// {stop_signal, stop_timeout_ms} then {SIGKILL, 2000}.
StopPolicy stop_policy_for(const ServerSpec& spec);

// argv actually executed: `command`, or {"/bin/sh", "-c", joined} when shell.
std::vector<std::string> effective_argv(const ServerSpec& spec);

}  // namespace devwatch::supervise
