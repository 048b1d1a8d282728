-- wrk: POST /Users with a unique userName per request.
local counter = 0
local thread_id = tostring(math.random(1, 1e9))
request = function()
  counter = counter + 1
  local name = "p" .. thread_id .. "-" .. counter .. "@bench.test"
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name .. '","active":true}'
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/scim+json", ["Authorization"] = wrk.headers["Authorization"]}, body)
end
