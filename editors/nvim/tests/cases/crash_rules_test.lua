-- The notification rules over stateChanged sequences, without a server: with devwatch's cause and
-- restarting fields, and without them (older servers). Crashes: the first, the back-off, and any after a
-- change, a stop or a request; "ready after restart" only for restarts.
H.setup({ notify = { started = true } })
local session_mod = require("devwatch.session")
local protocol = require("devwatch.protocol")

local function run(events)
  local s = session_mod.new("/nonexistent", true, "test")
  local from = #H.notes + 1
  for _, e in ipairs(events) do
    s:_on_state(vim.tbl_extend("force", { name = "web", reason = "r" }, e))
  end
  local out = {}
  for i = from, #H.notes do
    table.insert(out, H.notes[i].msg)
  end
  return out, s
end

for _, with_cause in ipairs({ true, false }) do
  local function c(cause)
    return with_cause and cause or nil
  end
  local what = with_cause and "with cause" or "without cause"
  local notes = run({
    { state = "starting", cause = c("autoStart") },
    { state = "ready", readyMs = 300 },
    -- a change: restart
    { state = "stopping", cause = c("change"), restarting = with_cause or nil },
    { state = "starting", cause = c("change"), changedFiles = { "file:///p/a.py" } },
    { state = "crashed", exitCode = 1, exception = "SyntaxError: bad", cause = c("processExit") },
    -- devwatch retries on its own: quiet
    { state = "starting", cause = c("autoRestart") },
    { state = "crashed", exitCode = 1, cause = c("processExit") },
    { state = "starting", cause = c("autoRestart") },
    { state = "backoff", exitCode = 1, cause = c("processExit") },
    -- a change after the back-off: news again
    { state = "starting", cause = c("change"), changedFiles = { "file:///p/a.py" } },
    { state = "crashed", exitCode = 2, cause = c("processExit") },
    { state = "starting", cause = c("change"), changedFiles = { "file:///p/a.py" } },
    { state = "ready", readyMs = 200 },
  })
  H.eq({
    "devwatch: web ready (300 ms)",
    "devwatch: web crashed (exit 1): SyntaxError: bad. r",
    "devwatch: web crashed (exit 1). r",
    "devwatch: web crashed (exit 2). r",
    "devwatch: web ready after restart (200 ms)",
  }, notes, what)

  -- A start request from stopped is a start; a restart request of a running server is a restart.
  notes = run({
    { state = "starting", cause = c("autoStart") },
    { state = "ready", readyMs = 1 },
    { state = "stopping", cause = c("request") },
    { state = "stopped", cause = c("request") },
    { state = "starting", cause = c("request") },
    { state = "ready", readyMs = 2 },
    { state = "stopping", cause = c("request"), restarting = with_cause or nil },
    { state = "starting", cause = c("request") },
    { state = "ready", readyMs = 3 },
  })
  H.eq({ "devwatch: web ready (1 ms)", "devwatch: web ready (2 ms)", "devwatch: web ready after restart (3 ms)" },
    notes, what .. ": start vs restart")
end

-- The crash text from the fields alone.
H.eq("devwatch: w crashed (killed by SIGSEGV). gone", protocol.crash_message({ name = "w", signal = "SIGSEGV", reason = "gone" }),
  "signal")
H.eq("devwatch: w crashed (exited). exec failed", protocol.crash_message({ name = "w", reason = "exec failed" }), "no status")
local loc = { uri = vim.uri_from_fname("/p/blog/views.py"), range = { start = { line = 12, character = 0 }, ["end"] = { line = 12, character = 1 } } }
H.ok(protocol.crash_message({ name = "w", exitCode = 1, reason = "x", location = loc }):find("views.py:13]", 1, true),
  "location")
