-- Each wrk thread redeems its own slice of the minted codes, each once (a code is single
-- use); codes.txt's first line is the client's Basic credential.
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  local lines = {}
  for line in io.lines(os.getenv("CODES_FILE")) do table.insert(lines, line) end
  auth = lines[1]
  nthreads = tonumber(os.getenv("THREADS") or "2")
  codes = {}
  for i = 2, #lines do
    if (i % nthreads) + 1 == tid then table.insert(codes, lines[i]) end
  end
  next_code = 1
end

function request()
  local code = codes[next_code] or "exhausted"
  next_code = next_code + 1
  return wrk.format("POST", "/oauth2/token", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = auth,
  }, "grant_type=authorization_code&code=" .. code ..
     "&redirect_uri=https%3A%2F%2Fapp.bench.test%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
end

-- The first few refusals are printed, so a non-2xx count comes with its reason.
local shown = 0
function response(status, headers, body)
  if status ~= 200 and shown < 3 then
    shown = shown + 1
    io.stderr:write("refused " .. status .. ": " .. body .. "\n")
  end
end
