-- A server that keeps crashing: the first crash (with its exit code) and the back-off are notified,
-- the automatic retries in between are not; the statusline shows the back-off.
local root = H.env.sandbox .. "/loop"
vim.fn.mkdir(root, "p")
local f = assert(io.open(root .. "/devwatch.json", "w"))
f:write('{"servers": {"bad": {"command": ["sh", "-c", "echo boom >&2; exit 3"]}}}')
f:close()
H.setup()
vim.cmd("edit " .. root .. "/notes.txt")
H.wait("devwatch for the loop root", function()
  local s = require("devwatch").sessions[root]
  return s and s.listed
end)
local s = require("devwatch").sessions[root]
H.wait("bad to back off", function()
  return s.servers.bad.state == "backoff"
end, 60000)
local function crash_notes()
  return vim.tbl_filter(function(n)
    return n.msg:find("bad crashed", 1, true)
  end, H.notes)
end
-- The back-off message follows the backoff state: wait for it, then count.
H.wait("the back-off message", function()
  return #crash_notes() >= 2
end)
local crashes = crash_notes()
H.eq(2, #crashes, "crash notifications (first crash and back-off)")
H.ok(crashes[1].msg:find("exit 3", 1, true), "exit code in " .. crashes[1].msg)
H.ok(crashes[1].level == vim.log.levels.ERROR, "error level")
H.eq("↻ bad backoff", require("devwatch").status(), "statusline")
H.eq(0, #vim.tbl_filter(function(n)
  return n.msg:find("ready after restart", 1, true)
end, H.notes), "no 'ready after restart' for automatic retries")

-- An explicit restart is news again: its crash is reported.
local before = #H.notes
vim.cmd("Devwatch restart bad")
H.wait("the crash after :Devwatch restart", function()
  for i = before + 1, #H.notes do
    if H.notes[i].msg:find("bad crashed", 1, true) then
      return true
    end
  end
end)
