-- Everything that differs between Neovim 0.7 and current versions, feature-detected in one place.
local M = {}

M.uv = vim.uv or vim.loop

---@param version string e.g. "0.9"
function M.has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

--- Directory for state the plugin remembers (trust answers): stdpath("state") from 0.8, else "data".
function M.state_dir()
  local ok, dir = pcall(vim.fn.stdpath, "state")
  if not ok or type(dir) ~= "string" or dir == "" then
    dir = vim.fn.stdpath("data")
  end
  return dir .. "/devwatch"
end

--- Starts (or reuses) the LSP client for config.root_dir and returns its id.
--- vim.lsp.start (0.8+) reuses a client with the same name and root; 0.7 has only start_client.
---@param bufnr integer|nil buffer to attach, nil to attach none where that is possible
function M.lsp_start(config, bufnr)
  if vim.lsp.start then
    local opts = {
      reuse_client = function(client, conf)
        return client.name == conf.name and client.config.root_dir == conf.root_dir
      end,
    }
    if M.has("0.11") then
      -- 0.11 can start a client without a buffer; before, vim.lsp.start attaches one.
      opts.attach = bufnr ~= nil
      opts.bufnr = bufnr
    else
      opts.bufnr = bufnr or vim.api.nvim_get_current_buf()
    end
    return vim.lsp.start(config, opts)
  end
  local id = vim.lsp.start_client(config)
  if id and bufnr then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

function M.get_client(id)
  return vim.lsp.get_client_by_id(id)
end

--- Sends a request; the callback gets (err, result). Hides the 0.11 method-call style change.
function M.request(client, method, params, callback)
  if M.has("0.11") then
    return client:request(method, params, function(err, result)
      callback(err, result)
    end)
  end
  return client.request(method, params, function(err, result)
    callback(err, result)
  end)
end

function M.stop_client(client, force)
  if M.has("0.11") then
    return client:stop(force)
  end
  return client.stop(force)
end

function M.is_stopped(client)
  if M.has("0.11") then
    return client:is_stopped()
  end
  return client.is_stopped()
end

--- The health reporter: vim.health (0.8+, names changed in 0.10) or the 0.7 `health` module.
function M.health()
  local h = vim.health
  if not (h and (h.start or h.report_start)) then
    h = require("health")
  end
  return {
    start = h.start or h.report_start,
    ok = h.ok or h.report_ok,
    info = h.info or h.report_info,
    warn = h.warn or h.report_warn,
    error = h.error or h.report_error,
  }
end

--- vim.secure.read exists from 0.9: it asks the user once and remembers the file's hash.
function M.secure_read()
  return vim.secure and vim.secure.read or nil
end

--- Fires `User <pattern>` without complaining when nobody listens.
function M.fire(pattern)
  vim.api.nvim_exec_autocmds("User", { pattern = pattern, modeline = false })
end

return M
