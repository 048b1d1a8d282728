-- wrk: PATCH adding one member (cycling through MEMBER_IDS, a comma-separated env list).
local ids = {}
for id in string.gmatch(os.getenv("MEMBER_IDS") or "", "([^,]+)") do ids[#ids + 1] = id end
local i = math.random(1, math.max(#ids, 1))
request = function()
  i = (i % #ids) + 1
  local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"' .. ids[i] .. '"}]}]}'
  return wrk.format("PATCH", wrk.path, {["Content-Type"] = "application/scim+json", ["Authorization"] = wrk.headers["Authorization"]}, body)
end
