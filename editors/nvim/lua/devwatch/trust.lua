-- Whether a root's commands may run unasked. vim.secure.read on 0.9+; on 0.7/0.8 ask once per root and
-- remember the answer in <state>/devwatch/trust.json.
local compat = require("devwatch.compat")

local M = {}

--- The workspace file whose commands would run: devwatch.json, else manage.py (zero-config Django).
function M.file(root)
  for _, name in ipairs({ "devwatch.json", "manage.py" }) do
    local path = root .. "/" .. name
    if compat.uv.fs_stat(path) then
      return path
    end
  end
  return nil
end

local function store_path()
  return compat.state_dir() .. "/trust.json"
end

local function load_store()
  local f = io.open(store_path(), "r")
  if not f then
    return {}
  end
  local text = f:read("*a")
  f:close()
  local ok, data = pcall(vim.fn.json_decode, text)
  return (ok and type(data) == "table") and data or {}
end

--- Remembers an answer for a root (0.7/0.8 store; with vim.secure use vim.secure.trust).
function M.remember(root, trusted)
  local data = load_store()
  data[root] = trusted
  vim.fn.mkdir(compat.state_dir(), "p")
  local f = assert(io.open(store_path(), "w"))
  f:write(vim.fn.json_encode(data))
  f:close()
end

function M.remembered(root)
  return load_store()[root]
end

local asking = {}

--- Calls callback(trusted, how) once the answer is known; may ask the user.
---@param mode "ask"|"always"|"never"
function M.check(root, mode, callback)
  if mode == "always" then
    return callback(true, "trust = always")
  elseif mode == "never" then
    return callback(false, "trust = never")
  end
  local file = M.file(root)
  if not file then
    -- Nothing from the workspace would run: only servers from setup({settings}), which the user wrote.
    return callback(true, "no devwatch.json or manage.py")
  end
  local secure_read = compat.secure_read()
  if secure_read then
    local ok, content = pcall(secure_read, file)
    return callback(ok and content ~= nil, "vim.secure")
  end
  local known = M.remembered(root)
  if known ~= nil then
    return callback(known, "remembered in " .. store_path())
  end
  if asking[root] then
    return table.insert(asking[root], callback)
  end
  asking[root] = { callback }
  local choices = { "Trust: start its dev servers", "Do not trust" }
  vim.ui.select(choices, {
    prompt = string.format("devwatch: run the commands of %s?", vim.fn.fnamemodify(file, ":~")),
  }, function(_, idx)
    local trusted = idx == 1
    if idx ~= nil then
      M.remember(root, trusted)
    end
    local waiting = asking[root]
    asking[root] = nil
    for _, cb in ipairs(waiting) do
      cb(trusted, idx and "answered" or "not answered")
    end
  end)
end

return M
