-- The crash notification comes from stateChanged's fields: the plugin sends crashMessages = false, so
-- devwatch sends no window/showMessage for a crash, and the crash is still notified, once, with its exit
-- code, exception and location; devwatch's automatic retries stay quiet; a fix is news again.
H.setup()
vim.cmd("edit " .. H.path("blog/views.py"))
local buf = vim.api.nvim_get_current_buf()
local s = H.attached()
H.wait_state("ready")
local client = vim.lsp.get_client_by_id(s.client_id)
H.eq(false, client.config.init_options.crashMessages, "initializationOptions.crashMessages")

local shown = {}
local on_show_message = s._on_show_message
s._on_show_message = function(self, result)
  table.insert(shown, result.message)
  return on_show_message(self, result)
end
local function crash_notes()
  return vim.tbl_filter(function(n)
    return n.msg:find("web crashed", 1, true) ~= nil
  end, H.notes)
end

local row = H.set_marker(buf, "marker: v2")
vim.api.nvim_buf_set_lines(buf, row - 1, row, false, { 'MARKER = "marker: v2' })
vim.cmd("write")
H.wait("the crash notification", function()
  return #crash_notes() == 1
end)
local note = crash_notes()[1]
H.eq(vim.log.levels.ERROR, note.level, "error level")
H.ok(note.msg:find("^devwatch: web crashed %(exit 1%): SyntaxError"), "exit code and exception: " .. note.msg)
H.ok(note.msg:find("views.py:" .. row .. "]", 1, true), "location in: " .. note.msg)
local crash
for _, e in ipairs(H.events) do
  if e.state == "crashed" or e.state == "backoff" then
    crash = crash or e
  end
end
H.ok(crash and crash.exception and crash.exception:find("SyntaxError"), "stateChanged has the exception")
H.eq(vim.uri_from_fname(H.path("blog/views.py")), crash.location.uri, "stateChanged has the location")

-- devwatch retries on its own (autoRestart): those crashes are not notified again.
H.wait("an automatic retry to crash too", function()
  return H.count(function(e)
    return e.state == "crashed" or e.state == "backoff"
  end) >= 2
end, 30000)
H.eq(1, #vim.tbl_filter(function(n)
  return n.msg:find("web crashed", 1, true) and not n.msg:find("times within", 1, true)
end, H.notes), "one crash notification while devwatch retries")
for _, m in ipairs(shown) do
  H.ok(not m:find("crashed", 1, true), "no crash window/showMessage from devwatch: " .. m)
end

-- The fix is a change: the server is ready again.
vim.api.nvim_buf_set_lines(buf, row - 1, row, false, { 'MARKER = "marker: v2"' })
vim.cmd("write")
H.wait_marker("marker: v2")
