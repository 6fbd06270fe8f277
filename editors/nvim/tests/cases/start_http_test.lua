-- auto_start = false: nothing runs until :Devwatch start; then ready and the example answers HTTP 200.
H.setup({ auto_start = false })
vim.cmd("edit " .. H.path("blog/views.py"))
local s = H.attached()
H.eq("stopped", H.state(), "not started with auto_start = false")
H.eq("○ web stopped", require("devwatch").status(), "statusline before start")

vim.cmd("Devwatch start")
H.wait_state("ready")
local code, body = H.http("/marker/")
H.eq(200, code, "HTTP status")
H.eq("marker: v1", vim.trim(body), "body")

-- :Devwatch status is readable and names the watch backend and its budget.
vim.cmd("Devwatch status")
H.wait("the status window", function()
  return vim.fn.bufnr("devwatch://status") ~= -1
end)
local lines = H.buf_lines(vim.fn.bufnr("devwatch://status"))
H.contains(lines, "^devwatch %d+%.%d+", "status")
H.contains(lines, "^watcher: inotify", "status")
H.contains(lines, "inotify budget: %d+ used here", "status")
H.contains(lines, "web ready", "status")
H.contains(lines, "trust: trusted", "status")

vim.cmd("Devwatch stop web")
H.wait_state("stopped")
H.eq(0, (H.http("/marker/")), "connection refused once stopped (curl reports 000)")
vim.cmd("Devwatch restart")
H.wait_state("ready")
H.eq(200, (H.http("/marker/")), "answers after :Devwatch restart")
H.ok(s.client_id, "client id")
