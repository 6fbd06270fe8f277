-- The :Devwatch command and nothing else: the plugin does no work until setup() or a command runs.
if vim.g.loaded_devwatch then
  return
end
vim.g.loaded_devwatch = 1

vim.api.nvim_create_user_command("Devwatch", function(args)
  require("devwatch.commands").run(args.fargs)
end, {
  nargs = "*",
  desc = "devwatch: start|stop|restart [name], status, log [name], check",
  complete = function(arglead, cmdline, pos)
    return require("devwatch.commands").complete(arglead, cmdline, pos)
  end,
})
