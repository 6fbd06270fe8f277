-- Defaults, each option explained once; merged once by setup(). Documented in :help devwatch-options.
local M = {}

M.defaults = {
  -- The devwatch binary: a name looked up in $PATH, or a path. When nil: $DEVWATCH_BIN, else what pip put
  -- into the root's virtualenv (.venv/bin, venv/bin; trusted roots only), else $VIRTUAL_ENV/bin, else $PATH
  -- (lua/devwatch/discover.lua; :checkhealth devwatch says which one and why).
  bin = nil,
  -- Extra arguments after `--stdio`, e.g. { "--log-level", "debug" }.
  args = {},
  -- Files or directories that mark a workspace root. The nearest directory holding any of them is the root.
  markers = { "devwatch.json", "manage.py", ".git" },
  -- Start devwatch for a root as soon as a file inside it is opened. When false, only :Devwatch starts it.
  auto_attach = true,
  -- Trust for commands from a workspace (its devwatch.json, or the detected Django server):
  --   "ask"    vim.secure.read on 0.9+ (remembered by hash); on 0.7/0.8 a prompt, remembered per root.
  --   "always" trust every workspace.   "never" trust none.
  -- Untrusted roots still get devwatch (status, log, :Devwatch start) but no server starts on its own.
  trust = "ask",
  -- Overrides every server's autoStart / autoRestart when not nil.
  auto_start = nil,
  auto_restart = nil,
  -- A devwatch.json-shaped table merged over each root's devwatch.json (e.g. { servers = { web = {...} } }).
  settings = nil,
  notify = {
    -- The crash message (exit code or signal, the exception, what happens next), and back-off. While
    -- devwatch retries a crashing server on its own, only the first crash and the back-off are shown.
    crashed = true,
    -- "web ready after restart (812 ms)". The first start is quiet.
    restarted = true,
    -- "web ready" after a start, and "web stopped": quiet by default.
    started = false,
    stopped = false,
    -- Other messages from devwatch: invalid configuration, watch limits, untrusted workspace.
    messages = true,
  },
  -- Fill the quickfix list with the traceback frames of a crash (the list is not opened).
  quickfix = false,
  log = {
    -- Command that opens the window for :Devwatch log (the buffer is reused; hiding it keeps it alive).
    split = "botright 12split",
    -- Keep the cursor on the last line while output arrives (only when it was there already).
    follow = true,
  },
  -- Statusline symbols per state, used by require("devwatch").status() and the lualine component.
  icons = {
    ready = "●",
    starting = "◌",
    stopping = "◌",
    stopped = "○",
    crashed = "✖",
    backoff = "↻",
  },
  -- How long quitting Neovim waits for devwatch to stop its dev servers, in milliseconds.
  stop_timeout_ms = 8000,
}

M.options = vim.deepcopy(M.defaults)

function M.merge(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error("devwatch: setup() takes a table of options, got " .. type(opts))
  end
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  local trust = M.options.trust
  if trust ~= "ask" and trust ~= "always" and trust ~= "never" then
    error(string.format('devwatch: option trust must be "ask", "always" or "never", got %s', vim.inspect(trust)))
  end
  return M.options
end

return M
