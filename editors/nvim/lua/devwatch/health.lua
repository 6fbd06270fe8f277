-- :checkhealth devwatch — the binary and its version, `devwatch check --json` (watch backend, inotify
-- budget, configuration), trust, and the running sessions.
local compat = require("devwatch.compat")
local config = require("devwatch.config")

local M = {}

--- The configuration devwatch uses for a root, from devwatch/status (waits at most 5 s).
function M.report_config(h, session)
  local done, err, st
  session:request("devwatch/status", nil, function(e, r)
    done, err, st = true, e, r
  end)
  vim.wait(5000, function()
    return done
  end, 20)
  if not done or err then
    return h.warn("devwatch/status did not answer: " .. tostring(err or "timeout"))
  end
  for _, c in ipairs(type(st.config) == "table" and st.config or {}) do
    local servers = type(c.servers) == "table" and table.concat(c.servers, ", ") or ""
    if c.error and c.error ~= vim.NIL then
      h.error(string.format("config %s is invalid: %s", tostring(c.source), tostring(c.error)),
        { "Fix the file; devwatch keeps the previous configuration until it is valid" })
    else
      h.ok(string.format("config %s valid (servers: %s)", tostring(c.source), servers ~= "" and servers or "none"))
    end
  end
  local w = st.watcher
  if type(w) == "table" then
    for _, line in ipairs(require("devwatch.ui").watcher_lines(w)) do
      h.info(vim.trim(line))
    end
  end
end

function M.check()
  local ui = require("devwatch.ui")
  ui.hold = true
  local ok, err = pcall(M._check)
  ui.hold = false
  if not ok then
    error(err, 0)
  end
end

function M._check()
  local h = compat.health()
  local ui = require("devwatch.ui")
  local devwatch = require("devwatch")

  h.start("devwatch: Neovim")
  local v = vim.version()
  h.info(string.format("Neovim %d.%d.%d; LSP start: %s; event loop: %s; trust: %s", v.major, v.minor, v.patch,
    vim.lsp.start and "vim.lsp.start" or "vim.lsp.start_client", vim.uv and "vim.uv" or "vim.loop",
    compat.secure_read() and "vim.secure" or "plugin prompt, remembered in " .. compat.state_dir()))

  local session, root = devwatch.current(0)
  local cwd = session and session.root or root or vim.fn.getcwd()
  h.start("devwatch: binary")
  local d = ui.binary(session, cwd)
  for _, t in ipairs(d.tried) do
    h.info("tried " .. t)
  end
  local path = d.path
  if not path then
    h.error("no devwatch binary found" .. (d.broken and " (the configured one is not executable)" or ""), {
      "pip install devwatch in the project's virtualenv (.venv), put devwatch on $PATH, or set bin in "
        .. "require('devwatch').setup({ bin = '/path/to/devwatch' })" })
    return
  end
  local version = vim.fn.system({ path, "--version" }):gsub("%s+$", "")
  local why = d.source .. (session and "" or "; no session for this root yet, so its virtualenv is not considered")
  if vim.v.shell_error ~= 0 then
    h.error(string.format("%s (%s) --version failed: %s", path, why, version))
  else
    h.ok(string.format("using %s (%s), from %s", path, version, why))
  end

  h.start("devwatch: check (" .. cwd .. ")")
  local err, result = ui.run_check_sync(cwd, nil, path)
  if err then
    h.error("devwatch check: " .. err)
  else
    for _, c in ipairs(result.checks or {}) do
      local text = string.format("%s: %s", tostring(c.name), tostring(c.detail))
      local advice = (c.fix and c.fix ~= vim.NIL) and { tostring(c.fix) } or nil
      if c.status == "ok" then
        h.ok(text)
      elseif c.status == "warn" then
        h.warn(text, advice)
      elseif c.status == "error" then
        h.error(text, advice)
      else
        h.info(text)
      end
    end
  end

  h.start("devwatch: workspaces")
  local any = false
  for r, s in pairs(devwatch.sessions) do
    any = true
    local state = s.exited and "not running" or "running"
    local servers = {}
    for _, name in ipairs(s.order) do
      table.insert(servers, name .. " " .. tostring(s.servers[name].state))
    end
    local text = string.format("%s: devwatch %s; %s (%s); servers: %s", r, state,
      s.trusted and "trusted" or "not trusted", s.trust_how or "",
      #servers > 0 and table.concat(servers, ", ") or "none")
    if s.exited then
      h.warn(text)
    else
      h.ok(text)
      M.report_config(h, s)
    end
  end
  if not any then
    h.info("no workspace attached yet (open a file under a root with " .. table.concat(config.options.markers, ", ") .. ")")
  end
end

return M
