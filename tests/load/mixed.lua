-- Mixed traffic for the soak (tests/load/soak.sh): 70 % task lists, 15 % the
-- dashboard page, 15 % writes (a draft result's narrative saved again, each time
-- different, in the open plan). Ids and credentials come from the environment.
local plan = os.getenv("SOAK_PLAN")
local task = os.getenv("SOAK_TASK")
local result = os.getenv("SOAK_RESULT")
local token = os.getenv("SOAK_TOKEN")
local cookie = os.getenv("SOAK_COOKIE")
local n = 0

request = function()
  n = n + 1
  local r = math.random(100)
  if r <= 15 then
    local body = string.format('{"task_id":"%s","narrative":"Kết quả cập nhật lần %d"}', task, n)
    return wrk.format("PUT", "/api/v1/results/" .. result,
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
  elseif r <= 30 then
    return wrk.format("GET", "/", { ["Cookie"] = cookie })
  else
    return wrk.format("GET", "/api/v1/tasks?plan_id=" .. plan .. "&per_page=100",
      { ["Authorization"] = "Bearer " .. token })
  end
end

local errors = 0
response = function(status, headers, body)
  if status >= 400 then
    errors = errors + 1
    if errors <= 5 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 200) .. "\n") end
  end
end
