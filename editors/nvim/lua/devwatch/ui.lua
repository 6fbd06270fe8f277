-- Readable reports: :Devwatch status (from devwatch/status) and :Devwatch check (from `devwatch check
-- --json`), shown in a scratch window that `q` closes. The formatters are shared with :checkhealth.
local config = require("devwatch.config")

local M = {}

local function duration(ms)
  if not ms then
    return "?"
  end
  if ms < 1000 then
    return string.format("%d ms", ms)
  elseif ms < 120000 then
    return string.format("%.1f s", ms / 1000)
  end
  return string.format("%d min", math.floor(ms / 60000))
end

local function str(v)
  if v == nil or v == vim.NIL then
    return "-"
  end
  if type(v) == "table" then
    return #v == 0 and "-" or table.concat(vim.tbl_map(tostring, v), " ")
  end
  return tostring(v)
end

--- Lines describing the watcher: backend, why, and the inotify budget.
function M.watcher_lines(w)
  if type(w) ~= "table" then
    return { "watcher: none" }
  end
  local lines = {
    string.format("watcher: %s (%s), %s directories watched, %s resyncs", str(w.backend), str(w.reason),
      str(w.watchedDirectories), str(w.resyncs)),
  }
  local b = w.budget
  if type(b) == "table" then
    table.insert(lines, string.format("  inotify budget: %s used here, %s by other processes, %s available of %s",
      str(b.used), str(b.usedByOthers), str(b.available), str(b.limit)))
  end
  for _, u in ipairs(type(w.unwatched) == "table" and w.unwatched or {}) do
    table.insert(lines, "  unwatched: " .. (type(u) == "table" and vim.fn.json_encode(u) or tostring(u)))
  end
  for _, p in ipairs(type(w.problems) == "table" and w.problems or {}) do
    table.insert(lines, "  problem: " .. (type(p) == "table" and (p.message or vim.fn.json_encode(p)) or tostring(p)))
  end
  return lines
end

--- Lines for one ServerInfo.
function M.server_lines(s)
  local icon = config.options.icons[s.state] or ""
  local head = string.format("%s %s %s", icon, s.name, str(s.state))
  if s.pid then
    head = head .. "  pid " .. s.pid
  end
  if s.url then
    head = head .. "  " .. s.url
  end
  local lines = { head }
  if s.reason and s.reason ~= "" then
    table.insert(lines, "    " .. s.reason)
  end
  if s.exitCode then
    table.insert(lines, "    last exit code " .. s.exitCode)
  elseif s.signal then
    table.insert(lines, "    last signal " .. str(s.signal))
  end
  table.insert(lines, "    command: " .. str(s.command))
  table.insert(lines, "    cwd: " .. str(s.cwd))
  table.insert(lines, string.format("    restartOn: %s   ignore: %s   autoStart: %s   autoRestart: %s",
    str(s.restartOn), str(s.ignore), str(s.autoStart), str(s.autoRestart)))
  return lines
end

--- Lines for a devwatch/status result and the plugin's own view of the session.
function M.status_lines(session, st)
  local lines = {
    string.format("devwatch %s  pid %s  up %s", str(st.version), str(st.pid), duration(st.uptimeMs)),
    "root: " .. session.root,
    string.format("trust: %s (%s)%s", session.trusted and "trusted" or "not trusted", session.trust_how or "",
      session.trusted and "" or ": servers start only with :Devwatch start, once each, and never restart on their own"),
  }
  vim.list_extend(lines, M.watcher_lines(st.watcher))
  for _, c in ipairs(type(st.config) == "table" and st.config or {}) do
    table.insert(lines, "config: " .. str(c.source) .. (c.error and ("  ERROR: " .. c.error) or ""))
    if c.explanation and c.explanation ~= vim.NIL then
      table.insert(lines, "  " .. str(c.explanation))
    end
  end
  local servers = type(st.devServers) == "table" and st.devServers or {}
  table.insert(lines, #servers == 0 and "dev servers: none configured" or "dev servers:")
  for _, s in ipairs(servers) do
    for _, l in ipairs(M.server_lines(s)) do
      table.insert(lines, "  " .. l)
    end
  end
  return lines
end

--- The binary for a root: its session's, else discovered as for an untrusted root (nothing from the
--- workspace runs before its trust is known).
function M.binary(session, root)
  if session and session.discovery then
    return session.discovery
  end
  return require("devwatch.discover").find({ root = root, trusted = false, bin = config.options.bin })
end

--- Runs `devwatch check --json` in `cwd` with `bin` (default: discovered for cwd); callback(err, result).
function M.run_check(cwd, callback, bin)
  bin = bin or M.binary(nil, cwd).path
  if not bin or vim.fn.executable(bin) ~= 1 then
    return callback(string.format("no devwatch binary (%s)", tostring(bin)))
  end
  local out = {}
  local ok, job = pcall(vim.fn.jobstart, { bin, "check", "--json" }, {
    cwd = cwd,
    stdout_buffered = true,
    on_stdout = function(_, data)
      out = data
    end,
    on_exit = function(_, code)
      local text = table.concat(out, "\n")
      local decoded, result = pcall(vim.fn.json_decode, text)
      if not decoded or type(result) ~= "table" then
        return callback(string.format("devwatch check exited with %d and printed no JSON", code))
      end
      callback(nil, result)
    end,
  })
  if not ok or job <= 0 then
    callback("cannot run " .. bin .. ": " .. tostring(job))
  end
end

--- Waits for run_check (for :checkhealth, which must report synchronously).
function M.run_check_sync(cwd, timeout_ms, bin)
  local err, result, done
  M.run_check(cwd, function(e, r)
    err, result, done = e, r, true
  end, bin)
  vim.wait(timeout_ms or 15000, function()
    return done
  end, 20)
  if not done then
    return "devwatch check did not finish in time"
  end
  return err, result
end

function M.check_lines(result)
  local lines = { string.format("devwatch %s check: %s", str(result.version), result.ok and "ok" or "problems found") }
  for _, c in ipairs(result.checks or {}) do
    table.insert(lines, string.format("[%s] %s: %s", str(c.status), str(c.name), str(c.detail)))
    if c.fix and c.fix ~= vim.NIL then
      table.insert(lines, "    fix: " .. str(c.fix))
    end
  end
  return lines
end

-- True while :checkhealth devwatch waits for devwatch: windows must not change under the health buffer.
M.hold = false

--- Shows lines in a scratch window named `name` (reused); callback(bufnr) once shown.
function M.show(name, lines, callback)
  if M.hold then
    return vim.defer_fn(function()
      M.show(name, lines, callback)
    end, 50)
  end
  local bufnr = vim.fn.bufnr(name)
  if bufnr == -1 then
    bufnr = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(bufnr, name)
    vim.bo[bufnr].buftype = "nofile"
    vim.bo[bufnr].bufhidden = "hide"
    vim.bo[bufnr].swapfile = false
    vim.api.nvim_buf_set_keymap(bufnr, "n", "q", "<cmd>close<cr>", { noremap = true, silent = true })
  end
  -- devwatch's texts may span lines (a configuration explanation, a multi-line detail).
  local flat = {}
  for _, line in ipairs(lines) do
    vim.list_extend(flat, vim.split(line, "\n", { plain = true }))
  end
  lines = flat
  vim.bo[bufnr].modifiable = true
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = false
  local win = vim.fn.bufwinid(bufnr)
  if win ~= -1 then
    vim.api.nvim_set_current_win(win)
  else
    vim.cmd("botright " .. math.min(#lines, 20) .. "split")
    vim.api.nvim_win_set_buf(0, bufnr)
  end
  if callback then
    callback(bufnr)
  end
end

local function fail(msg)
  vim.notify("devwatch: " .. msg, vim.log.levels.ERROR, { title = "devwatch" })
end

function M.show_status(callback)
  require("devwatch").with_session(function(session)
    session:request("devwatch/status", nil, function(err, st)
      if err then
        return fail("status: " .. err)
      end
      M.show("devwatch://status", M.status_lines(session, st), callback)
    end)
  end)
end

function M.show_check(callback)
  local session, root = require("devwatch").current(0)
  local cwd = session and session.root or root or vim.fn.getcwd()
  local d = M.binary(session, cwd)
  M.run_check(cwd, function(err, result)
    if err then
      return fail("check: " .. err)
    end
    local lines = { "binary: " .. require("devwatch.discover").describe(d) }
    vim.list_extend(lines, M.check_lines(result))
    M.show("devwatch://check", lines, callback)
  end, d.path)
end

return M
