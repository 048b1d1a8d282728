-- wrk: POST each pre-signed SAML response of a file (one form body per line, from
-- `saml_bench gen-acs`) to the ACS once. Script arguments: FILE TOTAL [OFFSET]: wrk thread
-- k of this run takes the lines i with i % TOTAL == OFFSET + k, so several wrk runs (one
-- per replica) split one file without sending an assertion twice. Past its last body a
-- thread sends its last one again: a replay, refused with 403 and counted by wrk as a
-- non-2xx/3xx answer, so an undersized file shows in the figures instead of inflating them.
local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  local file, total, offset = args[1], tonumber(args[2]), tonumber(args[3] or "0")
  bodies = {}
  local i = 0
  for line in io.lines(file) do
    if i % total == offset + index then bodies[#bodies + 1] = line end
    i = i + 1
  end
  sent = 0
end

request = function()
  sent = sent + 1
  local body = bodies[sent] or bodies[#bodies]
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
