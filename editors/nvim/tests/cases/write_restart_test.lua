-- Editing a view and :w restarts exactly once, with every backupcopy setting (the 4913 probe included).
H.setup()
vim.cmd("edit " .. H.path("blog/views.py"))
local buf = vim.api.nvim_get_current_buf()
H.attached()
H.wait_marker("marker: v1")
local views_uri = vim.uri_from_fname(H.path("blog/views.py"))

local function restarts()
  return H.count(function(e)
    return e.state == "starting"
  end)
end
local base = restarts()

for i, bc in ipairs({ "yes", "no", "auto" }) do
  vim.o.backupcopy = bc
  vim.bo[buf].backupcopy = bc
  local text = "marker: v" .. (i + 1)
  H.set_marker(buf, text)
  vim.cmd("write")
  H.wait_marker(text)
  H.eq(base + i, restarts(), "restarts after :w with backupcopy=" .. bc)
end

-- A last write of another file: any late restart caused by the writes above would have come before this
-- one or would list views.py among this restart's changed files.
local before = restarts()
vim.cmd("edit " .. H.path("blog/apps.py"))
vim.api.nvim_buf_set_lines(0, -1, -1, false, { "# touched" })
vim.cmd("write")
H.wait("the restart for apps.py", function()
  return restarts() == before + 1 and H.state() == "ready"
end)
local last
for _, e in ipairs(H.events) do
  if e.changedFiles then
    last = e
  end
end
H.eq({ vim.uri_from_fname(H.path("blog/apps.py")) }, last.changedFiles, "the last restart lists only apps.py")
H.eq(base + 4, restarts(), "exactly one restart per write")
for _, e in ipairs(H.events) do
  for _, f in ipairs(e.changedFiles or {}) do
    H.ok(f == views_uri or f:match("apps%.py$"), "only written files caused restarts: " .. f)
  end
end
