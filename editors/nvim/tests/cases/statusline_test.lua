-- status() through the states, redrawn on each change; the lualine component uses it.
H.setup()
local seen = {}
vim.api.nvim_create_autocmd("User", {
  pattern = "DevwatchStateChanged",
  callback = function()
    local text = require("devwatch").status()
    if seen[#seen] ~= text then
      table.insert(seen, text)
    end
  end,
})
H.eq("", require("devwatch").status(), "empty without devwatch")
vim.cmd("edit " .. H.path("blog/views.py"))
local buf = vim.api.nvim_get_current_buf()
H.attached()
H.wait_state("ready")
H.eq("● web ready", require("devwatch").status(), "ready")
vim.cmd("Devwatch stop")
H.wait_state("stopped")
H.eq("○ web stopped", require("devwatch").status(), "stopped")
vim.cmd("Devwatch start")
H.wait_state("ready")

-- Crash it with a syntax error written from the buffer.
local row = H.set_marker(buf, "marker: v2")
vim.api.nvim_buf_set_lines(buf, row - 1, row, false, { "MARKER = (" })
vim.cmd("write")
H.wait_state("crashed")
H.eq("✖ web crashed", require("devwatch").status(), "crashed")

local function index(text, from)
  for i = from or 1, #seen do
    if seen[i] == text then
      return i
    end
  end
  H.fail(string.format("%q not seen in order: %s", text, vim.inspect(seen)), 2)
end
local i = index("◌ web starting")
i = index("● web ready", i)
i = index("◌ web stopping", i)
i = index("○ web stopped", i)
i = index("◌ web starting", i)
i = index("● web ready", i)
index("✖ web crashed", i)

-- The lualine component, with a stand-in for lualine's base class (lualine is not installed here).
package.loaded["lualine.component"] = {
  extend = function()
    return {}
  end,
}
local component = require("lualine.components.devwatch")
H.eq("✖ web crashed", component:update_status(), "lualine component")
