-- Public API: setup(opts), status(), and the actions behind :Devwatch. Owns the sessions (one per root)
-- and the plugin's augroup.
local config = require("devwatch.config")
local root_mod = require("devwatch.root")
local session_mod = require("devwatch.session")
local trust = require("devwatch.trust")

local M = {}

---@type table<string, table> root -> Session
M.sessions = {}
local did_setup = false
local starting = {} -- root -> callbacks waiting for the trust answer
local AUGROUP = "devwatch"

local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO, { title = "devwatch" })
end

--- Starts devwatch for `root` (once) and calls callback(session) when it is known.
---@param root string
---@param bufnr integer|nil
---@param callback fun(session)|nil
function M.attach(root, bufnr, callback)
  callback = callback or function() end
  local existing = M.sessions[root]
  if existing and not existing.exited then
    return callback(existing)
  end
  if starting[root] then
    return table.insert(starting[root], callback)
  end
  starting[root] = { callback }
  trust.check(root, config.options.trust, function(trusted, how)
    local session = session_mod.new(root, trusted, how)
    M.sessions[root] = session
    if not session:start(bufnr) then
      session.exited = true
    end
    local waiting = starting[root]
    starting[root] = nil
    for _, cb in ipairs(waiting) do
      cb(session)
    end
  end)
end

local function on_buffer(args)
  if not config.options.auto_attach then
    return
  end
  local bufnr = args.buf
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return
  end
  local root = root_mod.find(name, config.options.markers)
  if root then
    M.attach(root, bufnr)
  end
end

--- Stops every devwatch and waits (bounded) until they exited, so their dev servers are gone too.
function M.stop_all()
  for _, session in pairs(M.sessions) do
    session:stop()
  end
  vim.wait(config.options.stop_timeout_ms, function()
    for _, session in pairs(M.sessions) do
      if session.client_id and not session.process_exited and not session.exited then
        return false
      end
    end
    return true
  end, 20)
end

--- Configures the plugin. Safe to call again: options are re-merged from the defaults.
---@param opts table|nil see :help devwatch-options
function M.setup(opts)
  config.merge(opts)
  did_setup = true
  local group = vim.api.nvim_create_augroup(AUGROUP, { clear = true })
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
    group = group,
    callback = on_buffer,
    desc = "devwatch: start devwatch for the buffer's workspace root",
  })
  vim.api.nvim_create_autocmd("VimLeavePre", {
    group = group,
    callback = M.stop_all,
    desc = "devwatch: stop devwatch and its dev servers",
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      on_buffer({ buf = bufnr })
    end
  end
end

function M.ensure_setup()
  if not did_setup then
    M.setup({})
  end
end

--- The running session for a buffer's root, else the only running session.
---@param include_exited boolean|nil also return the root's session when its devwatch has exited
function M.current(bufnr, include_exited)
  local root = root_mod.for_buffer(bufnr or 0, config.options.markers)
  local own = root and M.sessions[root]
  if own and (include_exited or not own.exited) then
    return own, root
  end
  local only, count = nil, 0
  for _, s in pairs(M.sessions) do
    if not s.exited then
      only, count = s, count + 1
    end
  end
  if count == 1 then
    return only, only.root
  end
  return nil, root
end

--- Runs fn(session) for the current root, starting devwatch there if needed.
function M.with_session(fn)
  M.ensure_setup()
  local session, root = M.current(0)
  if session then
    return session:when_ready(function()
      fn(session)
    end)
  end
  if not root then
    return notify("devwatch: no workspace root here (markers: " .. table.concat(config.options.markers, ", ") .. ")",
      vim.log.levels.WARN)
  end
  local bufnr = vim.bo.buftype == "" and vim.api.nvim_get_current_buf() or nil
  M.attach(root, bufnr, function(s)
    s:when_ready(function()
      fn(s)
    end)
  end)
end

local function action(method, verb)
  return function(name, callback)
    M.with_session(function(session)
      -- An absent name must still be an object ({}), not Lua's empty table that encodes as [].
      local params = name and { name = name } or vim.empty_dict()
      if method == "devwatch/devServer/start" and not session.trusted then
        -- Asking is consent, for this one start only (devwatch restarts nothing in an untrusted root).
        params = { name = name, consent = true }
      end
      session:unquiet(name)
      session:request(method, params, function(err, result)
        if err then
          notify(string.format("devwatch: cannot %s %s: %s", verb, name or "the dev server", err),
            vim.log.levels.ERROR)
        end
        if callback then
          callback(err, result, session)
        end
      end)
    end)
  end
end

--- Start, stop or restart a dev server (name optional when the root has one). callback(err, info).
M.start = action("devwatch/devServer/start", "start")
M.stop = action("devwatch/devServer/stop", "stop")
M.restart = action("devwatch/devServer/restart", "restart")

--- Short text for a statusline: "● web ready", one entry per dev server of the current root.
---@param bufnr integer|nil
---@return string
function M.status(bufnr)
  local session = M.current(bufnr or 0, true)
  if not session then
    return ""
  end
  local icons = config.options.icons
  if session.exited and not session.stopping then
    return (icons.crashed ~= "" and (icons.crashed .. " ") or "") .. "devwatch exited"
  end
  local parts = {}
  for _, name in ipairs(session.order) do
    local state = session.servers[name].state or "stopped"
    local icon = icons[state]
    table.insert(parts, (icon and icon ~= "" and (icon .. " ") or "") .. name .. " " .. state)
  end
  return table.concat(parts, "  ")
end

--- Every known server name, for completion.
function M.server_names()
  local names = {}
  for _, session in pairs(M.sessions) do
    for _, name in ipairs(session.order) do
      table.insert(names, name)
    end
  end
  table.sort(names)
  return names
end

function M.log(name)
  require("devwatch.log").open(name)
end

function M.show_status()
  require("devwatch.ui").show_status()
end

function M.check()
  require("devwatch.ui").show_check()
end

return M
