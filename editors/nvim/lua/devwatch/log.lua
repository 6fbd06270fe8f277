-- :Devwatch log — one scratch buffer per dev server, filled from devwatch's backlog when it opens and
-- followed live from devwatch/devServer/output. Hidden buffers keep following.
local config = require("devwatch.config")

local M = {}

---@type table<string, table> key (root .. NUL .. name) -> {bufnr, next_seq, pending}
M.buffers = {}
local hooked = setmetatable({}, { __mode = "k" }) -- sessions whose output we listen to

local function valid(entry)
  return entry and vim.api.nvim_buf_is_valid(entry.bufnr)
end

local function line_text(line)
  local text = (line.text or ""):gsub("\n", " ")
  if line.cut then
    text = text .. " …"
  end
  return text
end

local function append(entry, texts)
  if #texts == 0 or not valid(entry) then
    return
  end
  local buf = entry.bufnr
  -- Windows whose cursor sat on the last line keep following.
  local follow = {}
  local last = vim.api.nvim_buf_line_count(buf)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == buf and vim.api.nvim_win_get_cursor(win)[1] >= last then
      table.insert(follow, win)
    end
  end
  vim.bo[buf].modifiable = true
  if entry.empty then
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, texts)
    entry.empty = false
  else
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, texts)
  end
  vim.bo[buf].modifiable = false
  if config.options.log.follow then
    local count = vim.api.nvim_buf_line_count(buf)
    for _, win in ipairs(follow) do
      vim.api.nvim_win_set_cursor(win, { count, 0 })
    end
  end
end

local function add_lines(entry, lines)
  local texts = {}
  for _, line in ipairs(lines) do
    if line.seq >= entry.next_seq then
      table.insert(texts, line_text(line))
      entry.next_seq = line.seq + 1
    end
  end
  append(entry, texts)
end

--- Fetches the backlog from entry.next_seq; live lines that arrive meanwhile wait in entry.pending.
local function load(session, entry)
  entry.pending = entry.pending or {}
  session:request("devwatch/devServer/output", { name = entry.name, fromSeq = entry.next_seq }, function(err, result)
    local pending = entry.pending
    entry.pending = nil
    if err then
      append(entry, { "[devwatch: cannot read the backlog: " .. err .. "]" })
    else
      if result.dropped and result.dropped > 0 and entry.next_seq == 0 then
        append(entry, { string.format("[devwatch: %d older lines are no longer kept]", result.dropped) })
      end
      add_lines(entry, result.lines or {})
      entry.next_seq = math.max(entry.next_seq, result.nextSeq or 0)
    end
    add_lines(entry, pending or {})
  end)
end

local function key(session, name)
  return session.root .. "\0" .. name
end

local function on_output(session, params)
  local entry = M.buffers[key(session, params.name or "")]
  if not valid(entry) then
    return
  end
  if params.skipped and params.skipped > 0 and not entry.pending then
    -- devwatch skipped lines for a slow reader: they are in its backlog.
    load(session, entry)
  end
  if entry.pending then
    table.insert(entry.pending, params)
  else
    add_lines(entry, { params })
  end
end

local function show(bufnr)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == bufnr then
      vim.api.nvim_set_current_win(win)
      return
    end
  end
  vim.cmd(config.options.log.split)
  vim.api.nvim_win_set_buf(0, bufnr)
end

local function create(session, name)
  local bufnr = vim.api.nvim_create_buf(false, true)
  local bufname = "devwatch://log/" .. name
  if vim.fn.bufexists(bufname) == 1 then
    bufname = bufname .. " (" .. session.root .. ")"
  end
  vim.api.nvim_buf_set_name(bufnr, bufname)
  vim.bo[bufnr].buftype = "nofile"
  vim.bo[bufnr].bufhidden = "hide"
  vim.bo[bufnr].swapfile = false
  vim.bo[bufnr].modifiable = false
  vim.bo[bufnr].filetype = "devwatchlog"
  return { bufnr = bufnr, name = name, next_seq = 0, empty = true }
end

--- Opens (or shows again) the log of `name`; nil means the root's only server.
---@param name string|nil
---@param callback fun(bufnr)|nil called once the buffer exists (the backlog may still be loading)
function M.open(name, callback)
  require("devwatch").with_session(function(session)
    if not hooked[session] then
      hooked[session] = true
      table.insert(session.output_listeners, on_output)
    end
    if not name then
      if #session.order ~= 1 then
        vim.notify("devwatch: name a server: " .. table.concat(session.order, ", "), vim.log.levels.WARN,
          { title = "devwatch" })
        return
      end
      name = session.order[1]
    end
    local k = key(session, name)
    local entry = M.buffers[k]
    if not valid(entry) then
      entry = create(session, name)
      M.buffers[k] = entry
      load(session, entry)
    end
    show(entry.bufnr)
    if callback then
      callback(entry.bufnr)
    end
  end)
end

return M
