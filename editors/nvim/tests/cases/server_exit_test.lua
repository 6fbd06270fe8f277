-- devwatch dying without being asked is reported, and the next :Devwatch command starts it again.
H.setup()
vim.cmd("edit " .. H.path("blog/views.py"))
local s = H.attached()
H.wait_state("ready")
local _, st = H.request("devwatch/status")
vim.loop.kill(st.pid, 9)
H.wait("the exit to be noticed", function()
  return s.exited
end)
H.contains(vim.tbl_map(function(n)
  return n.msg
end, H.notes), "exited unexpectedly %(signal 9%)", "notification")
H.eq("✖ devwatch exited", require("devwatch").status(), "statusline after devwatch died")
-- SIGKILL leaves its dev server to devwatch's process-group cleanup, which did not run: stop it here so the
-- leftover check stays about quitting. (The pid is recorded for run.sh.)
if s.servers.web.pid then
  pcall(vim.loop.kill, -s.servers.web.pid, 15)
end
vim.cmd("Devwatch start")
H.wait("a new session", function()
  local n = require("devwatch").sessions[H.env.ws]
  return n ~= s and n.listed
end)
H.attached()
H.wait_state("ready")
