-- Loaded with `nvim --headless -u tests/minimal_init.lua`: only this plugin and the test harness.
local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
local plugin = vim.fn.fnamemodify(here, ":h")
vim.opt.runtimepath:prepend(plugin)
package.path = here .. "/?.lua;" .. package.path
vim.opt.swapfile = true
vim.opt.shortmess:append("I")
vim.cmd("runtime plugin/devwatch.lua")
-- Filetype plugins are not under test, and recent python ftplugins spawn python (seconds per file).
vim.cmd("filetype plugin indent off")
