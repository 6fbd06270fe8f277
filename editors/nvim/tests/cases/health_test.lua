-- :checkhealth devwatch runs without error and reports the binary, the backend and the trust state;
-- :Devwatch check shows devwatch check --json.
H.setup()
vim.cmd("edit " .. H.path("blog/views.py"))
H.attached()
-- :Devwatch status answers while :checkhealth waits for devwatch: its window must wait (on 0.12 a window
-- change under the health buffer failed the whole check).
vim.cmd("Devwatch status")
vim.cmd("checkhealth devwatch")
local lines = H.buf_lines(0)
local text = table.concat(lines, "\n")
H.ok(not text:find("ERROR"), "no ERROR in:\n" .. text)
H.contains(lines, "devwatch 0%.%d", "health: version")
H.contains(lines, "inotify", "health: backend")
H.contains(lines, "max_user_watches=%d+", "health: inotify budget")
H.contains(lines, "trusted", "health: trust")
H.contains(lines, "config .*devwatch%.json valid %(servers: web%)", "health: config")
H.contains(lines, "inotify budget: %d+ used here", "health: budget in use")

H.wait("the status window after the health check", function()
  return vim.fn.bufnr("devwatch://status") ~= -1
end)
vim.cmd("Devwatch check")
H.wait("the check window", function()
  return vim.fn.bufnr("devwatch://check") ~= -1
end)
local check = H.buf_lines(vim.fn.bufnr("devwatch://check"))
H.contains(check, "^devwatch %S+ check:", "check")
H.contains(check, "%[ok%] inotify backend", "check")
