-- setup() with defaults and with options; idempotent; the command and its completion.
local config = require("devwatch.config")
local dw = require("devwatch")

H.eq(2, vim.fn.exists(":Devwatch"), ":Devwatch exists before setup()")
H.eq(nil, dw.sessions[H.env.ws], "nothing starts before setup()")

dw.setup()
H.eq("ask", config.options.trust, "default trust")
H.eq({ "devwatch.json", "manage.py", ".git" }, config.options.markers, "default markers")
H.eq(true, config.options.notify.crashed, "default notify.crashed")
H.eq(false, config.options.notify.started, "default notify.started")

dw.setup({ bin = H.env.bin, trust = "never", notify = { started = true }, icons = { ready = "R" } })
H.eq("never", config.options.trust, "trust option")
H.eq(true, config.options.notify.started, "nested option set")
H.eq(true, config.options.notify.crashed, "sibling of a nested option keeps its default")
H.eq("R", config.options.icons.ready, "icon option")
H.eq("✖", config.options.icons.crashed, "other icons keep their default")

-- Calling setup() again starts from the defaults and does not duplicate autocmds.
dw.setup({ bin = H.env.bin })
H.eq(false, config.options.notify.started, "options do not accumulate")
H.eq("●", config.options.icons.ready, "icon back to default")
local autocmds = vim.api.nvim_get_autocmds({ group = "devwatch" })
local events = {}
for _, a in ipairs(autocmds) do
  events[a.event] = (events[a.event] or 0) + 1
end
H.eq({ BufNewFile = 1, BufReadPost = 1, VimLeavePre = 1 }, events, "one autocmd per event after two setup() calls")

local ok = pcall(dw.setup, { trust = "sometimes" })
H.eq(false, ok, "invalid trust value is refused")
dw.setup({ bin = H.env.bin, trust = "always" })

-- Completion: subcommands, then server names (known once devwatch runs).
H.eq({ "check", "log", "restart", "start", "status", "stop" }, vim.fn.getcompletion("Devwatch ", "cmdline"),
  "subcommands")
H.eq({ "start", "status", "stop" }, vim.fn.getcompletion("Devwatch st", "cmdline"), "subcommands by prefix")
vim.cmd("edit " .. H.path("blog/views.py"))
H.attached()
H.eq({ "web" }, vim.fn.getcompletion("Devwatch log ", "cmdline"), "server names")
H.eq({ "web" }, vim.fn.getcompletion("Devwatch restart w", "cmdline"), "server names by prefix")
H.eq({}, vim.fn.getcompletion("Devwatch status ", "cmdline"), "status takes no name")

-- Root detection: the nearest marker wins; .git counts; outside any root there is none.
local root = require("devwatch.root")
H.eq(H.env.ws, root.find(H.path("blog/templates/blog/post_list.html"), config.options.markers), "root from manage.py")
vim.fn.mkdir(H.env.sandbox .. "/other/.git", "p")
vim.fn.mkdir(H.env.sandbox .. "/other/src", "p")
H.eq(H.env.sandbox .. "/other", root.find(H.env.sandbox .. "/other/src/x.py", config.options.markers), "root from .git")
H.eq(nil, root.find("/", config.options.markers), "no root")
