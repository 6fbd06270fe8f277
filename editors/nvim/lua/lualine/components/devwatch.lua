-- lualine component: require("lualine").setup({ sections = { lualine_x = { "devwatch" } } }).
-- Draws require("devwatch").status(); devwatch redraws the statusline on every state change.
local component = require("lualine.component"):extend()

function component:update_status()
  return require("devwatch").status()
end

return component
