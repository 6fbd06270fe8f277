-- :Devwatch log shows the backlog, follows live output, and survives being hidden.
H.setup()
vim.cmd("edit " .. H.path("blog/views.py"))
local src = vim.api.nvim_get_current_buf()
H.attached()
H.wait_marker("marker: v1") -- one request logged before the log opens: backlog

vim.cmd("Devwatch log web")
local bufnr
H.wait("the log buffer", function()
  bufnr = vim.fn.bufnr("devwatch://log/web")
  return bufnr ~= -1
end)
H.wait("the backlog", function()
  return #vim.tbl_filter(function(l)
    return l:find("GET /marker/ HTTP", 1, true)
  end, H.buf_lines(bufnr)) == 1
end)
H.contains(H.buf_lines(bufnr), "Starting development server at http://127%.0%.0%.1:" .. H.env.port, "log backlog")
H.eq(false, vim.bo[bufnr].modifiable, "log buffer is read-only")

-- Live: a new request appears while the window shows the log, and the cursor follows.
H.eq(200, (H.http("/marker/?live=1")), "request")
H.wait("the live line", function()
  return #vim.tbl_filter(function(l)
    return l:find("GET /marker/?live=1 ", 1, true)
  end, H.buf_lines(bufnr)) == 1
end)
H.eq(vim.api.nvim_buf_line_count(bufnr), vim.api.nvim_win_get_cursor(0)[1], "cursor follows the output")

-- Hidden: close its window, more output arrives, reopen: the same buffer with everything once.
vim.cmd("close")
H.ok(vim.api.nvim_get_current_buf() == src, "back in the source window")
H.eq(200, (H.http("/marker/?hidden=1")), "request while hidden")
H.wait("the line logged while hidden", function()
  return #vim.tbl_filter(function(l)
    return l:find("GET /marker/?hidden=1 ", 1, true)
  end, H.buf_lines(bufnr)) == 1
end)
vim.cmd("Devwatch log")
H.eq(bufnr, vim.api.nvim_get_current_buf(), "the same buffer again")
local markers = vim.tbl_filter(function(l)
  return l:find("GET /marker/ HTTP", 1, true)
end, H.buf_lines(bufnr))
H.eq(1, #markers, "no line twice")
