#include "supervise/state_change.h"

#include "supervise/wait_status.h"

namespace devwatch::supervise {

const char* state_name(ServerState state) {
  switch (state) {
    case ServerState::Stopped: return "stopped";
    case ServerState::Starting: return "starting";
    case ServerState::Ready: return "ready";
    case ServerState::Stopping: return "stopping";
    case ServerState::Crashed: return "crashed";
    case ServerState::Backoff: return "backoff";
  }
  return "unknown";
}

const char* cause_name(Cause cause) {
  switch (cause) {
    case Cause::AutoStart: return "autoStart";
    case Cause::Request: return "request";
    case Cause::Change: return "change";
    case Cause::Config: return "config";
    case Cause::AutoRestart: return "autoRestart";
    case Cause::Shutdown: return "shutdown";
    case Cause::Removed: return "removed";
    case Cause::ProcessExit: return "processExit";
  }
  return "unknown";
}

const char* setup_kind_name(SetupProblem::Kind kind) {
  switch (kind) {
    case SetupProblem::Kind::Exec: return "exec";
    case SetupProblem::Kind::SameCrash: return "sameCrash";
  }
  return "unknown";
}

std::string exit_description(const StateChange& change) {
  if (change.signal) return "killed by " + signal_name(*change.signal);
  if (change.exit_code) return "exit " + std::to_string(*change.exit_code);
  return "exited";
}

}  // namespace devwatch::supervise
