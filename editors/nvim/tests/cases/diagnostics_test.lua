-- A syntax error crashes the server: a diagnostic on the right line, also in a file not open yet;
-- the quickfix list gets the frames; fixing it clears the diagnostic when the server is ready again.
H.setup({ quickfix = true })
vim.cmd("edit " .. H.path("blog/urls.py"))
H.attached()
H.wait_state("ready")

-- Break views.py behind Neovim's back: it is not open in any buffer.
local views = H.path("blog/views.py")
H.eq(-1, vim.fn.bufnr(views), "views.py is not open")
local f = assert(io.open(views, "r"))
local original = f:read("*a")
f:close()
local lines = vim.split(original, "\n", { plain = true })
local bad_line
for i, l in ipairs(lines) do
  if l:match("^def marker") then
    lines[i] = "def marker(request) oops:"
    bad_line = i
  end
end
f = assert(io.open(views, "w"))
f:write(table.concat(lines, "\n"))
f:close()

H.wait("a diagnostic for views.py", function()
  local bufnr = vim.fn.bufnr(views)
  return bufnr ~= -1 and #vim.diagnostic.get(bufnr) > 0
end)
H.wait_state("crashed")
local d = vim.diagnostic.get(vim.fn.bufnr(views))[1]
H.eq(bad_line - 1, d.lnum, "diagnostic line (0-based)")
H.ok(d.severity == vim.diagnostic.severity.ERROR, "error severity")
H.ok(d.message:find("SyntaxError") or d.message:find("syntax"), "message names the error: " .. d.message)
local qf = vim.fn.getqflist()
H.ok(#qf > 0, "quickfix list filled")
H.eq(views, vim.api.nvim_buf_get_name(qf[1].bufnr), "quickfix: first entry is the crash location")
H.eq(bad_line, qf[1].lnum, "quickfix: its line")
H.contains(vim.tbl_map(function(n)
  return n.msg
end, H.notes), "web crashed %(exit %d+%): .*Error", "crash notification with exit code and exception")
H.eq("✖ web crashed", require("devwatch").status(), "statusline")

-- Open it now: the diagnostic is in that buffer; fix it there and write.
vim.cmd("edit " .. views)
local buf = vim.api.nvim_get_current_buf()
H.eq(bad_line - 1, vim.diagnostic.get(buf)[1].lnum, "diagnostic in the opened buffer")
vim.api.nvim_buf_set_lines(buf, bad_line - 1, bad_line, false, { "def marker(request):" })
vim.cmd("write")
H.wait_state("ready")
H.wait("the diagnostic to clear", function()
  return #vim.diagnostic.get(buf) == 0
end)
H.wait_marker("marker: v1")
H.contains(vim.tbl_map(function(n)
  return n.msg
end, H.notes), "web ready after restart %(%d+ ms%)", "notifications")
