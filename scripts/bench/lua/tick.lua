-- The htmx tick: POSTs that alternately tick ("done=1") and untick ("") one task, as a logged-in learner.
-- wrk -s tick.lua URL -- <path> <Cookie header> <CSRF token>
local path, cookie, token
local n = 0

init = function(args)
  path, cookie, token = args[1], args[2], args[3]
end

request = function()
  n = n + 1
  local body = (n % 2 == 1) and "done=1" or ""
  return wrk.format("POST", path, {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = token,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
