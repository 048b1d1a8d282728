-- wrk: POST /Users with a unique userName per request. Each wrk thread runs its own Lua
-- state with the same unseeded math.random, so the thread's prefix comes from setup(): with
-- a random prefix alone, two threads sent the same names and half the answers were 409.
local counter = 0
local threads = 0
local run = tostring(os.time())

function setup(thread)
  threads = threads + 1
  thread:set("prefix", run .. "t" .. threads)
end

-- An optional script argument (`wrk ... -- tag`) is added to the prefix, so two wrk runs
-- started in the same second (one per replica, bench/writes) send different names.
function init(args)
  if args[1] then prefix = args[1] .. prefix end
end

request = function()
  counter = counter + 1
  local name = "p" .. prefix .. "-" .. counter .. "@bench.test"
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name .. '","active":true}'
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/scim+json", ["Authorization"] = wrk.headers["Authorization"]}, body)
end
