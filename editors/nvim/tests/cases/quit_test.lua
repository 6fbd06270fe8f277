-- Quitting Neovim stops devwatch and its dev server: run.sh checks that none of their pids outlive nvim.
H.setup()
vim.cmd("edit " .. H.path("blog/views.py"))
H.attached()
H.wait_marker("marker: v1")
local _, st = H.request("devwatch/status")
H.ok(st.devServers[1].pid, "dev server pid known")
-- A second root: both devwatch processes must go.
vim.fn.mkdir(H.env.sandbox .. "/other", "p")
local f = io.open(H.env.sandbox .. "/other/devwatch.json", "w")
f:write('{"servers": {"sleeper": {"command": ["sleep", "600"]}}}')
f:close()
vim.cmd("edit " .. H.env.sandbox .. "/other/notes.txt")
H.wait("the second root's server", function()
  local s = require("devwatch").sessions[H.env.sandbox .. "/other"]
  if s and s.servers.sleeper and s.servers.sleeper.pid then
    H.track(s)
    local p = io.open(H.env.sandbox .. "/pids", "a")
    p:write(s.servers.sleeper.pid .. "\n")
    p:close()
    return true
  end
end)
local done
require("devwatch").sessions[H.env.sandbox .. "/other"]:request("devwatch/status", nil, function(_, r)
  local p = io.open(H.env.sandbox .. "/pids", "a")
  p:write(r.pid .. "\n")
  p:close()
  done = true
end)
H.wait("status of the second root", function()
  return done
end)
