-- A small test harness: run one case file in this nvim, end with `qa!` on success and `cquit 1` on failure
-- (a Lua error followed by `qa!` would exit 0). Waits are vim.wait with a predicate and a deadline.
local H = {}

H.env = {
  bin = os.getenv("DEVWATCH_BIN"),
  ws = os.getenv("DW_WS"),
  port = tonumber(os.getenv("DW_PORT")),
  sandbox = os.getenv("DW_SANDBOX"),
}
H.notes = {} -- every vim.notify: {msg, level}
H.events = {} -- every stateChanged params, in order
H.timeout = 20000

local real_notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(H.notes, { msg = msg, level = level })
  io.stderr:write(string.format("  [notify %s] %s\n", tostring(level), msg))
end

function H.log(fmt, ...)
  io.stderr:write("  " .. string.format(fmt, ...) .. "\n")
end

function H.fail(msg, level)
  error(msg, (level or 1) + 1)
end

function H.wait(what, pred, ms)
  local ok = vim.wait(ms or H.timeout, pred, 20)
  if not ok then
    H.fail(string.format("timed out after %d ms waiting for %s", ms or H.timeout, what), 2)
  end
end

function H.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    H.fail(string.format("%s: expected %s, got %s", what or "value", vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

function H.ok(value, what)
  if not value then
    H.fail("expected true: " .. (what or "?"), 2)
  end
  return value
end

function H.contains(lines, pattern, what)
  for _, l in ipairs(lines) do
    if l:find(pattern) then
      return l
    end
  end
  H.fail(string.format("%s: no line matches %q in:\n    %s", what or "lines", pattern, table.concat(lines, "\n    ")), 2)
end

function H.path(rel)
  return H.env.ws .. "/" .. rel
end

function H.buf_lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

--- Default options for the tests: the binary under test, no prompt.
function H.setup(opts)
  require("devwatch").setup(vim.tbl_deep_extend("force", { bin = H.env.bin, trust = "always" }, opts or {}))
end

function H.session()
  return require("devwatch").sessions[H.env.ws]
end

--- Records every stateChanged (and the devwatch and dev-server pids, for run.sh's leftover check).
local pids = {}
local function record_pid(pid)
  if pid and not pids[pid] then
    pids[pid] = true
    local f = io.open(H.env.sandbox .. "/pids", "a")
    f:write(pid .. "\n")
    f:close()
  end
end

function H.track(session)
  if session.tracked then
    return
  end
  session.tracked = true
  table.insert(session.listeners, function(_, params)
    table.insert(H.events, params)
    record_pid(params.pid)
    H.log("state %s %s (%s)%s", params.name, params.state, params.reason or "",
      params.changedFiles and (" changed " .. table.concat(params.changedFiles, " ")) or "")
  end)
end

--- Waits until devwatch runs for the workspace and returns the session.
function H.attached()
  H.wait("devwatch to start for " .. H.env.ws, function()
    local s = H.session()
    return s and s.listed
  end)
  local s = H.session()
  H.track(s)
  for _, info in pairs(s.servers) do
    record_pid(info.pid)
  end
  local done
  s:request("devwatch/status", nil, function(_, st)
    record_pid(st and st.pid)
    done = true
  end)
  H.wait("devwatch/status", function()
    return done
  end)
  return s
end

function H.state(name)
  local s = H.session()
  return s and s.servers[name or "web"] and s.servers[name or "web"].state
end

function H.wait_state(state, name)
  H.wait((name or "web") .. " to be " .. state, function()
    return H.state(name) == state
  end)
end

function H.count(pred)
  local n = 0
  for _, e in ipairs(H.events) do
    if pred(e) then
      n = n + 1
    end
  end
  return n
end

--- GET http://127.0.0.1:PORT<path> → status code, body.
function H.http(path)
  local out = vim.fn.system({ "curl", "-s", "--max-time", "5", "-w", "\n%{http_code}",
    string.format("http://127.0.0.1:%d%s", H.env.port, path) })
  local body, code = out:match("^(.*)\n(%d+)$")
  return tonumber(code), body
end

--- Waits until the marker page says `text`.
function H.wait_marker(text)
  local last
  H.wait("/marker/ to answer " .. text, function()
    if H.state() ~= "ready" then
      return false
    end
    local code, body = H.http("/marker/")
    last = tostring(code) .. " " .. tostring(body)
    return code == 200 and body and body:find(text, 1, true) ~= nil
  end)
end

--- Runs a synchronous request on the session.
function H.request(method, params)
  local done, err, result
  H.session():request(method, params, function(e, r)
    done, err, result = true, e, r
  end)
  H.wait(method, function()
    return done
  end)
  return err, result
end

--- Replaces the MARKER line in the current buffer and writes it with :write.
function H.set_marker(bufnr, text)
  local lines = H.buf_lines(bufnr)
  for i, l in ipairs(lines) do
    if l:match("^MARKER = ") then
      vim.api.nvim_buf_set_lines(bufnr, i - 1, i, false, { string.format('MARKER = "%s"', text) })
      return i
    end
  end
  H.fail("no MARKER line")
end

function H.run(file)
  local ok, err = xpcall(function()
    dofile(file)
  end, debug.traceback)
  if ok then
    io.stderr:write("  ok\n")
    vim.cmd("qa!")
  else
    io.stderr:write("  FAILED: " .. tostring(err) .. "\n")
    vim.cmd("cquit 1")
  end
end

_G.H = H
return H
