-- Which devwatch binary runs for a root, and why. In order:
--   1. the `bin` option, then $DEVWATCH_BIN (a name is looked up in $PATH; a broken one is reported, never
--      silently replaced);
--   2. what pip put into the root's virtualenv: <root>/.venv/bin/devwatch, <root>/venv/bin/devwatch —
--      only in a trusted root, a workspace's own files never run unasked;
--   3. $VIRTUAL_ENV/bin/devwatch (skipped when it lies inside an untrusted root);
--   4. devwatch on $PATH.
-- The environment is injectable so tests run it on temp dirs. Runs on the main loop.
local M = {}

M.VENVS = { ".venv", "venv" }

local function executable(path)
  return path ~= nil and path ~= "" and vim.fn.executable(path) == 1
    and vim.fn.isdirectory(path) == 0
end

local function inside(path, root)
  return root ~= nil and (path == root or path:sub(1, #root + 1) == root .. "/")
end

--- The first executable `name` (default devwatch) in a PATH string.
local function on_path(path_env, name)
  for dir in string.gmatch(path_env or "", "[^:]+") do
    local candidate = dir .. "/" .. (name or "devwatch")
    if executable(candidate) then
      return candidate
    end
  end
  return nil
end

---@param opts {root: string|nil, trusted: boolean, bin: string|nil, env: table|nil}
--- env: {DEVWATCH_BIN=, VIRTUAL_ENV=, PATH=}; defaults to the process environment.
---@return {path: string|nil, source: string|nil, tried: string[], broken: boolean|nil}
function M.find(opts)
  local env = opts.env or { DEVWATCH_BIN = os.getenv("DEVWATCH_BIN"), VIRTUAL_ENV = os.getenv("VIRTUAL_ENV"),
    PATH = os.getenv("PATH") }
  local tried = {}
  local explicit = { { opts.bin, "the bin option" }, { env.DEVWATCH_BIN, "$DEVWATCH_BIN" } }
  for _, e in ipairs(explicit) do
    local value, source = e[1], e[2]
    if value ~= nil and value ~= "" then
      local path = value
      if not value:find("/", 1, true) then
        path = on_path(env.PATH, value)
      end
      if executable(path) then
        return { path = vim.fn.fnamemodify(path, ":p"), source = source, tried = tried }
      end
      table.insert(tried, string.format("%s (from %s): not an executable", value, source))
      return { tried = tried, broken = true }
    end
    table.insert(tried, source .. ": not set")
  end
  local root = opts.root
  if root and not opts.trusted then
    table.insert(tried, "workspace virtualenvs: skipped, the root is not trusted")
  elseif root then
    for _, venv in ipairs(M.VENVS) do
      local candidate = root .. "/" .. venv .. "/bin/devwatch"
      if executable(candidate) then
        return { path = candidate, source = "workspace virtualenv (" .. venv .. ")", tried = tried }
      end
      table.insert(tried, candidate .. ": not found")
    end
  end
  if env.VIRTUAL_ENV and env.VIRTUAL_ENV ~= "" then
    local candidate = env.VIRTUAL_ENV .. "/bin/devwatch"
    if not opts.trusted and inside(candidate, root) then
      table.insert(tried, candidate .. " ($VIRTUAL_ENV): skipped, inside the untrusted root")
    elseif executable(candidate) then
      return { path = candidate, source = "$VIRTUAL_ENV", tried = tried }
    else
      table.insert(tried, candidate .. " ($VIRTUAL_ENV): not found")
    end
  end
  local found = on_path(env.PATH)
  if found then
    return { path = found, source = "$PATH", tried = tried }
  end
  table.insert(tried, "devwatch on $PATH: not found")
  return { tried = tried }
end

--- "path (why)" for messages and :checkhealth.
function M.describe(d)
  if d.path then
    return string.format("%s (%s)", d.path, d.source)
  end
  return "not found"
end

return M
