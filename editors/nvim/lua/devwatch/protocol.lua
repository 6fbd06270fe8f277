-- devwatch's protocol as this plugin reads it (docs/protocol.md), and the pure functions that interpret a
-- `devwatch/devServer/stateChanged`: the crash message, and whether a start is a restart. The VS Code
-- extension's src/protocol.ts declares the same fields (its unit tests compare the two lists) and
-- src/crash.ts does the same interpretation. No message text is ever parsed: the plugin asks devwatch for
-- `crashMessages = false` and renders crashes from these fields.
local M = {}

-- Every field of stateChanged params. Optional ones are nil when absent.
--   name, root, state ("stopped"|"starting"|"ready"|"stopping"|"crashed"|"backoff"), reason (human text)
--   pid, exitCode, signal ("SIGSEGV"), killed (the stop policy had to SIGKILL the group)
--   readyMs, timings {eventToSpawnMs, goneToSpawnMs, spawnToReadyMs, probeSlackMs}   (on ready)
--   changedFiles (URIs, at most 100), changedCount (all of them)
--   lastLines, exception ("SyntaxError: ..."), location {uri, range}                 (on crashed/backoff)
--   cause ("autoStart"|"request"|"change"|"config"|"autoRestart"|"shutdown"|"removed"|"processExit")
--   restarting (on stopping: a start follows)
--   start {mode ("preloaded"|"cold"), reason, forkMs}   (starting/ready of a server with preload)
M.state_changed_fields = {
  "name", "root", "state", "reason", "pid", "exitCode", "signal", "readyMs", "changedFiles", "changedCount",
  "lastLines", "killed", "exception", "location", "timings", "cause", "restarting", "start",
}

-- The initializationOptions this plugin always sends on top of the user's.
M.client_options = { crashMessages = false }

local function present(v)
  return v ~= nil and v ~= vim.NIL
end

function M.is_crash(p)
  return p.state == "crashed" or p.state == "backoff"
end

--- "exit 1", "killed by SIGSEGV" or "exited" (devwatch's own wording).
function M.exit_description(p)
  if present(p.signal) then
    return "killed by " .. tostring(p.signal)
  elseif present(p.exitCode) then
    return "exit " .. tostring(p.exitCode)
  end
  return "exited"
end

--- The crash text: name, exit status, exception, then the reason (what devwatch does next).
function M.crash_message(p)
  local msg = string.format("devwatch: %s crashed (%s)", p.name, M.exit_description(p))
  if present(p.exception) and p.exception ~= "" then
    msg = msg .. ": " .. p.exception
  end
  if present(p.reason) and p.reason ~= "" then
    msg = msg .. ". " .. p.reason
  end
  if p.killed == true then
    msg = msg .. " (its process group had to be killed with SIGKILL)"
  end
  if type(p.location) == "table" and type(p.location.uri) == "string" and type(p.location.range) == "table" then
    msg = msg .. string.format(" [%s:%d]", vim.fn.fnamemodify(vim.uri_to_fname(p.location.uri), ":~:."),
      p.location.range.start.line + 1)
  end
  return msg
end

local function ran(state)
  return state == "ready" or state == "stopping" or state == "crashed" or state == "backoff"
end

--- Whether a `starting` is a restart. `previous` is the server's last known info (state, restarting).
--- cause / restarting decide when devwatch sends them; else the changed files and the previous state.
function M.is_restart(p, previous)
  previous = previous or {}
  if previous.restarting == true then
    return true
  end
  local cause = p.cause
  if cause == "autoStart" then
    return false
  elseif cause == "change" or cause == "config" or cause == "autoRestart" then
    return true
  elseif cause == "request" then
    return ran(previous.state)
  end
  return present(p.changedFiles) or ran(previous.state)
end

--- Whether a `starting` is devwatch retrying a crashed server on its own (so crashes stay quiet).
function M.is_retry(p, previous_state)
  if present(p.cause) then
    return p.cause == "autoRestart"
  end
  return previous_state == "crashed" and not present(p.changedFiles)
end

return M
