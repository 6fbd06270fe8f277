-- :Devwatch subcommands and their completion.
local M = {}

local function devwatch()
  return require("devwatch")
end

M.subcommands = {
  start = function(name)
    devwatch().start(name)
  end,
  stop = function(name)
    devwatch().stop(name)
  end,
  restart = function(name)
    devwatch().restart(name)
  end,
  status = function()
    devwatch().show_status()
  end,
  log = function(name)
    devwatch().log(name)
  end,
  check = function()
    devwatch().check()
  end,
}

-- Subcommands that take a server name.
local takes_name = { start = true, stop = true, restart = true, log = true }

function M.names()
  local names = vim.tbl_keys(M.subcommands)
  table.sort(names)
  return names
end

---@param fargs string[]
function M.run(fargs)
  local sub = fargs[1] or "status"
  local fn = M.subcommands[sub]
  if not fn then
    vim.notify(string.format("devwatch: unknown subcommand %q (use %s)", sub, table.concat(M.names(), ", ")),
      vim.log.levels.ERROR, { title = "devwatch" })
    return
  end
  require("devwatch").ensure_setup()
  fn(fargs[2])
end

function M.complete(arglead, cmdline, _)
  local words = vim.split(cmdline, "%s+", { trimempty = false })
  -- words[1] is "Devwatch"; the word being completed is the last one.
  local candidates
  if #words <= 2 then
    candidates = M.names()
  elseif #words == 3 and takes_name[words[2]] then
    candidates = devwatch().server_names()
  else
    return {}
  end
  return vim.tbl_filter(function(c)
    return c:sub(1, #arglead) == arglead
  end, candidates)
end

return M
