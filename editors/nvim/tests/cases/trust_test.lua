-- An untrusted root gets devwatch but no server starts on its own; :Devwatch start still works, once:
-- the real trust flag is sent, the start carries consent, and nothing restarts the server it started.
-- 0.9+: vim.secure's deny list; 0.7/0.8: the plugin asks once and remembers the answer.
local trust = require("devwatch.trust")
local file = H.path("devwatch.json")
local asked = 0
if vim.secure then
  vim.secure.trust({ action = "deny", path = file })
else
  vim.ui.select = function(items, _, on_choice)
    asked = asked + 1
    on_choice(items[2], 2) -- "Do not trust"
  end
end
H.setup({ trust = "ask" })
vim.cmd("edit " .. H.path("blog/views.py"))
local s = H.attached()
H.eq(false, s.trusted, "root is not trusted")
H.eq("stopped", H.state(), "no auto-start in an untrusted root")
for _, e in ipairs(H.events) do
  H.ok(e.state ~= "starting", "no start event")
end
if not vim.secure then
  H.eq(1, asked, "asked once")
  H.eq(false, trust.remembered(H.env.ws), "answer remembered")
  vim.cmd("edit " .. H.path("blog/urls.py"))
  H.eq(1, asked, "not asked again for the same root")
  local f = io.open(require("devwatch.compat").state_dir() .. "/trust.json")
  H.ok(f and f:read("*a"):find("false"), "stored in the state directory")
end

vim.cmd("Devwatch status")
H.wait("the status window", function()
  return vim.fn.bufnr("devwatch://status") ~= -1
end)
H.contains(H.buf_lines(vim.fn.bufnr("devwatch://status")), "^trust: not trusted", "status")

vim.cmd("Devwatch start")
H.wait_state("ready")
H.eq(200, (H.http("/marker/")), "explicit start works")
H.eq(false, s:client().config.init_options.trusted, "the real trust flag is sent")
H.eq(1, H.count(function(e)
  return e.state == "starting"
end), "one start: the one asked for")

-- The consent covered that one start: a restart request is refused, a change does not restart it.
local err
s:request("devwatch/devServer/restart", vim.empty_dict(), function(_, _, raw)
  err = raw or false
end)
H.wait("the restart answer", function()
  return err ~= nil
end)
H.eq(1104, err and err.code, "restart is refused in an untrusted root")
local pid = s.servers.web.pid
local views = vim.fn.bufnr(H.path("blog/views.py"))
H.set_marker(views, "marker: v2")
vim.api.nvim_buf_call(views, function()
  vim.cmd("write")
end)
H.wait("the not-restarted notice", function()
  for _, n in ipairs(H.notes) do
    if n.msg:find("did not restart 'web'", 1, true) then
      return true
    end
  end
  return false
end)
H.eq("ready", H.state(), "still running")
H.eq(pid, s.servers.web.pid, "the same process")
local _, body = H.http("/marker/")
H.eq("marker: v1\n", body, "not restarted")
vim.cmd("Devwatch stop")
H.wait_state("stopped")
