-- One devwatch process per workspace root: the owner of its LSP client, the last known state of its dev
-- servers, and the handlers for devwatch's notifications. Everything runs on Neovim's main loop.
local compat = require("devwatch.compat")
local config = require("devwatch.config")
local discover = require("devwatch.discover")
local protocol = require("devwatch.protocol")

local Session = {}
Session.__index = Session

local M = { Session = Session }

---@param root string
---@param trusted boolean
---@param trust_how string
function M.new(root, trusted, trust_how)
  return setmetatable({
    root = root,
    trusted = trusted,
    trust_how = trust_how,
    client_id = nil,
    initialized = false,
    exited = false,
    queue = {}, -- functions waiting for `initialize` to finish
    servers = {}, -- name -> last ServerInfo merged with stateChanged params
    order = {}, -- server names, sorted
    crash_quiet = {}, -- name -> true while devwatch retries a crashed server on its own
    restarting = {}, -- name -> whether the current start is a restart
    listeners = {}, -- functions(session, params) called on every stateChanged
    output_listeners = {},
  }, Session)
end

function Session:client()
  return self.client_id and compat.get_client(self.client_id) or nil
end

function Session:_set_server(info)
  local known = self.servers[info.name]
  if not known then
    known = {}
    self.servers[info.name] = known
    table.insert(self.order, info.name)
    table.sort(self.order)
  end
  for k, v in pairs(info) do
    known[k] = v
  end
  -- Fields that only describe a running process disappear with it.
  if info.state == "stopped" or info.state == "starting" then
    known.readyMs = info.readyMs
  end
  if info.state == "starting" then
    known.exitCode, known.signal = info.exitCode, info.signal
    known.exception, known.location, known.lastLines = info.exception, info.location, info.lastLines
  end
  -- Fields that describe one change, not the server (protocol.lua).
  known.cause, known.changedFiles, known.changedCount = info.cause, info.changedFiles, info.changedCount
  known.timings, known.killed = info.timings, info.killed
end

local function redraw()
  vim.cmd("redrawstatus!")
  compat.fire("DevwatchStateChanged")
end

local function notify(msg, level)
  vim.notify(msg, level, { title = "devwatch" })
end

function Session:_on_state(params)
  if type(params) ~= "table" or not params.name then
    return
  end
  local known = self.servers[params.name] or {}
  local previous, restarting = known.state, known.restarting
  self:_set_server(params)
  self.servers[params.name].restarting = params.state == "stopping" and params.restarting == true or nil
  local opts = config.options.notify
  -- Quiet lasts while devwatch retries on its own (a start right after a crash, without a change);
  -- a change, a stop or a request from us (Session:unquiet) ends it.
  if params.state == "stopped" then
    self.crash_quiet[params.name] = nil
  elseif params.state == "starting" and not protocol.is_retry(params, previous) then
    self.crash_quiet[params.name] = nil
  end
  if params.state == "starting" then
    self.restarting[params.name] = protocol.is_restart(params, { state = previous, restarting = restarting })
  elseif params.state == "ready" then
    local ms = params.readyMs and string.format(" (%d ms)", params.readyMs) or ""
    -- Servers with preload (docs/preload.md) say whether this start forked the zygote.
    if params.start then
      ms = ms .. (params.start.mode == "preloaded" and " preloaded" or (" cold: " .. (params.start.reason or "")))
    end
    if self.restarting[params.name] then
      if opts.restarted and not self.crash_quiet[params.name] then
        notify(string.format("devwatch: %s ready after restart%s", params.name, ms), vim.log.levels.INFO)
      end
    elseif opts.started then
      notify(string.format("devwatch: %s ready%s", params.name, ms), vim.log.levels.INFO)
    end
  elseif protocol.is_crash(params) then
    self:_on_crash(params)
  elseif params.state == "stopped" and previous ~= "stopped" and opts.stopped then
    notify(string.format("devwatch: %s stopped (%s)", params.name, params.reason or ""), vim.log.levels.INFO)
  end
  for _, fn in ipairs(self.listeners) do
    fn(self, params)
  end
  redraw()
end

--- A crash, from stateChanged's fields (devwatch sends no message for it: crashMessages = false). While
--- devwatch retries a crashed server on its own, only the first crash and the back-off are reported;
--- after a change, a stop or a request, crashes are news again.
function Session:_on_crash(params)
  if not config.options.notify.crashed then
    return
  end
  if params.state ~= "backoff" then
    if self.crash_quiet[params.name] then
      return
    end
    self.crash_quiet[params.name] = true
  end
  notify(protocol.crash_message(params), vim.log.levels.ERROR)
end

--- window/showMessage through vim.notify: configuration errors, watch limits, the untrusted notice.
--- Crashes do not come this way.
function Session:_on_show_message(result)
  if type(result) ~= "table" or type(result.message) ~= "string" then
    return
  end
  if not config.options.notify.messages then
    return
  end
  local levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG }
  notify(result.message, levels[result.type] or vim.log.levels.INFO)
end

--- Traceback frames of a crash as quickfix items: the diagnostic itself, then its related locations.
local function set_quickfix(result)
  if not config.options.quickfix or type(result) ~= "table" or type(result.diagnostics) ~= "table" then
    return
  end
  if #result.diagnostics == 0 then
    return
  end
  local items = {}
  local function add(uri, range, text)
    table.insert(items, {
      filename = vim.uri_to_fname(uri),
      lnum = range.start.line + 1,
      col = range.start.character + 1,
      text = text,
    })
  end
  for _, d in ipairs(result.diagnostics) do
    add(result.uri, d.range, d.message)
    for _, rel in ipairs(d.relatedInformation or {}) do
      add(rel.location.uri, rel.location.range, rel.message)
    end
  end
  vim.fn.setqflist({}, " ", { title = "devwatch: crash", items = items })
end

function Session:_handlers()
  return {
    ["devwatch/devServer/stateChanged"] = function(_, params)
      self:_on_state(params)
    end,
    ["devwatch/devServer/output"] = function(_, params)
      for _, fn in ipairs(self.output_listeners) do
        fn(self, params)
      end
    end,
    ["window/showMessage"] = function(_, result)
      self:_on_show_message(result)
    end,
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, cfg)
      vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, cfg)
      set_quickfix(result)
    end,
  }
end

--- Starts devwatch for this root with the root's real trust: an untrusted root runs nothing unless
--- :Devwatch start asks for one start with consent (init.lua).
---@param bufnr integer|nil buffer to attach where the Neovim version needs one
function Session:start(bufnr)
  local opts = config.options
  local init_options = vim.tbl_extend("force", { trusted = self.trusted }, protocol.client_options)
  if opts.auto_start ~= nil then
    init_options.autoStart = opts.auto_start
  end
  if opts.auto_restart ~= nil then
    init_options.autoRestart = opts.auto_restart
  end
  if type(opts.settings) == "table" and next(opts.settings) ~= nil then
    init_options.settings = opts.settings
  end
  self.discovery = discover.find({ root = self.root, trusted = self.trusted, bin = opts.bin })
  if not self.discovery.path then
    local how = self.discovery.broken and "" or "install it (pip install devwatch, in the project's virtualenv) or "
    notify(string.format("devwatch: no devwatch binary for %s (%s); %sset bin in setup() or $DEVWATCH_BIN",
      self.root, table.concat(self.discovery.tried, "; "), how), vim.log.levels.ERROR)
    return nil
  end
  local cmd = { self.discovery.path, "--stdio" }
  vim.list_extend(cmd, opts.args or {})
  local name = vim.fn.fnamemodify(self.root, ":t")
  self.client_id = compat.lsp_start({
    name = "devwatch",
    cmd = cmd,
    root_dir = self.root,
    workspace_folders = { { uri = vim.uri_from_fname(self.root), name = name } },
    init_options = init_options,
    handlers = self:_handlers(),
    on_init = function(client)
      vim.schedule(function()
        self:_on_initialized(client)
      end)
    end,
    -- Our VimLeavePre waits for the process itself; Neovim's own exit handler would only add a delay.
    flags = { exit_timeout = false },
    on_exit = function(code, signal)
      self.process_exited = true
      vim.schedule(function()
        self:_on_exit(code, signal)
      end)
    end,
  }, bufnr)
  return self.client_id
end

function Session:_on_initialized(client)
  self.initialized = true
  self.server_version = client.server_info and client.server_info.version or nil
  self:request("devwatch/devServer/list", nil, function(err, result)
    if not err and result then
      for _, info in ipairs(result.servers or {}) do
        self:_set_server(info)
      end
      self.listed = true
      redraw()
    end
    local queue = self.queue
    self.queue = {}
    for _, fn in ipairs(queue) do
      fn()
    end
  end)
end

function Session:_on_exit(code, signal)
  if not self.stopping and not self.exited then
    -- Never silent: devwatch went away without being asked to.
    notify(string.format("devwatch for %s exited unexpectedly (%s). Any :Devwatch command starts it again; "
      .. "its stderr is in the LSP log (" .. vim.lsp.get_log_path() .. ").", self.root,
      (signal and signal ~= 0) and ("signal " .. signal) or ("exit code " .. tostring(code))), vim.log.levels.ERROR)
  end
  self.exited = true
  self.exit_code, self.exit_signal = code, signal
  for _, info in pairs(self.servers) do
    info.state = "stopped"
  end
  local queue = self.queue
  self.queue = {}
  for _, fn in ipairs(queue) do
    fn()
  end
  redraw()
end

--- Ends the quiet after a crash: the user asked for a start, its outcome is news.
function Session:unquiet(name)
  if name then
    self.crash_quiet[name] = nil
  else
    self.crash_quiet = {}
  end
end

--- Runs fn once devwatch answered `initialize` and the server list is known.
function Session:when_ready(fn)
  if self.listed or self.exited then
    return fn()
  end
  table.insert(self.queue, fn)
end

--- Sends a request; callback(err, result) with err a string or nil.
function Session:request(method, params, callback)
  local client = self:client()
  if not client or self.exited then
    return callback("devwatch is not running for " .. self.root)
  end
  compat.request(client, method, params, function(err, result)
    if err then
      local msg = type(err) == "table" and err.message or tostring(err)
      return callback(msg, nil, err)
    end
    callback(nil, result)
  end)
end

--- Stops devwatch (and, through it, every dev server of this root). Returns at once.
function Session:stop()
  self.stopping = true
  local client = self:client()
  if client and not compat.is_stopped(client) then
    compat.stop_client(client)
  end
end

function Session:is_stopped()
  if self.exited or not self.client_id then
    return true
  end
  local client = self:client()
  return client == nil or compat.is_stopped(client)
end

return M
