-- Finds the workspace root of a path: the nearest ancestor holding one of the markers. No vim.fs on 0.7.
local uv = require("devwatch.compat").uv

local M = {}

local function parent(dir)
  local p = vim.fn.fnamemodify(dir, ":h")
  return p ~= dir and p or nil
end

---@param path string a file or directory
---@param markers string[]
---@return string|nil root absolute, without a trailing slash
function M.find(path, markers)
  if path == nil or path == "" then
    return nil
  end
  path = vim.fn.fnamemodify(path, ":p")
  local dir = path
  local stat = uv.fs_stat(path)
  if not (stat and stat.type == "directory") then
    dir = vim.fn.fnamemodify(path, ":h")
  end
  dir = dir:gsub("(.)/+$", "%1")
  while dir do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    dir = parent(dir)
  end
  return nil
end

--- The root for a buffer: its file's, or the current directory's for buffers without a file.
function M.for_buffer(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  if name == "" or vim.bo[bufnr or 0].buftype ~= "" then
    return M.find(vim.fn.getcwd(), markers)
  end
  return M.find(name, markers)
end

return M
