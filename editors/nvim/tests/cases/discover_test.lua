-- Which binary runs: the option, $DEVWATCH_BIN, the root's .venv / venv (trusted roots only),
-- $VIRTUAL_ENV, $PATH — on real temp dirs with fake-named but real executable scripts. Then a real
-- session that finds devwatch in the workspace's .venv, and :checkhealth saying so.
local discover = require("devwatch.discover")
local tmp = H.env.sandbox .. "/discover"

local function exe(rel, body)
  local path = tmp .. "/" .. rel
  vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
  local f = assert(io.open(path, "w"))
  f:write(body or ("#!/bin/sh\necho fake devwatch " .. path .. "\n"))
  f:close()
  vim.loop.fs_chmod(path, 493) -- 0755
  return path
end

local root = tmp .. "/proj"
local on_path = exe("pathdir/devwatch")
local env = { PATH = tmp .. "/pathdir" }
local function find(over)
  return discover.find(vim.tbl_extend("force", { root = root, trusted = true, env = env }, over or {}))
end

H.eq(on_path, find().path, "PATH when nothing else")
H.eq("$PATH", find().source, "source")
local venv = exe("proj/venv/bin/devwatch")
H.eq(venv, find().path, "venv before PATH")
local dot = exe("proj/.venv/bin/devwatch")
H.eq(dot, find().path, ".venv before venv")
H.eq("workspace virtualenv (.venv)", find().source, "source")
H.eq("fake devwatch " .. dot, vim.trim(vim.fn.system({ dot })), "the script really runs")

-- $VIRTUAL_ENV after the root's own virtualenvs.
local active = exe("active/bin/devwatch")
local with_active = { PATH = env.PATH, VIRTUAL_ENV = tmp .. "/active" }
H.eq(dot, find({ env = with_active }).path, "the root's .venv before $VIRTUAL_ENV")
vim.fn.delete(tmp .. "/proj/.venv", "rf")
vim.fn.delete(tmp .. "/proj/venv", "rf")
H.eq(active, find({ env = with_active }).path, "$VIRTUAL_ENV before PATH")

-- The option and $DEVWATCH_BIN win; a broken one is reported, not replaced.
local custom = exe("custom/dw")
H.eq(custom, find({ bin = custom }).path, "bin option")
H.eq(custom, find({ env = { PATH = env.PATH, DEVWATCH_BIN = custom } }).path, "$DEVWATCH_BIN")
H.eq(on_path, find({ bin = "devwatch" }).path, "a name is looked up in $PATH")
local broken = find({ bin = tmp .. "/nope" })
H.eq(nil, broken.path, "broken option")
H.ok(broken.broken and broken.tried[1]:find("nope %(from the bin option%): not an executable"), vim.inspect(broken))

-- An untrusted root's virtualenv never runs, nor a $VIRTUAL_ENV inside it.
exe("proj/.venv/bin/devwatch")
local untrusted = find({ trusted = false, env = { PATH = env.PATH, VIRTUAL_ENV = root .. "/.venv" } })
H.eq(on_path, untrusted.path, "untrusted: PATH")
H.contains(untrusted.tried, "workspace virtualenvs: skipped, the root is not trusted", "tried")
H.contains(untrusted.tried, "%$VIRTUAL_ENV%): skipped, inside the untrusted root", "tried")

-- A real session: devwatch pip-installed in the workspace's .venv (a wrapper around the binary under test).
local ws_bin = H.env.ws .. "/.venv/bin/devwatch"
vim.fn.mkdir(H.env.ws .. "/.venv/bin", "p")
local f = assert(io.open(ws_bin, "w"))
f:write(string.format('#!/bin/sh\nexec "%s" "$@"\n', H.env.bin))
f:close()
vim.loop.fs_chmod(ws_bin, 493)
vim.env.DEVWATCH_BIN = nil
require("devwatch").setup({ trust = "always" })
vim.cmd("edit " .. H.path("blog/views.py"))
local s = H.attached()
H.eq(ws_bin, s.discovery.path, "the session runs the workspace's .venv binary")
H.eq("workspace virtualenv (.venv)", s.discovery.source, "and says why")
H.wait_state("ready")
vim.cmd("checkhealth devwatch")
H.contains(H.buf_lines(0), "using " .. vim.pesc(ws_bin) .. " %(devwatch [^)]+%), from workspace virtualenv %(%.venv%)",
  "health says which binary and why")
