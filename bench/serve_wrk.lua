-- wrk script for bench/serve_bench.sh: GET /v1/ip/{ip} for the ips of a file (one a line), taken in turn,
-- each wrk thread starting at its own place in the list (as serve_load.cc's threads do). The requests are
-- formatted once, in init, so the client spends its time on the sockets rather than in Lua.
--   wrk -t T -c C -d Ds -s bench/serve_wrk.lua http://HOST:PORT -- IPS_FILE
local threads = 0

function setup(thread)
  thread:set("start", threads * 7919)
  threads = threads + 1
end

local requests = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then requests[#requests + 1] = wrk.format("GET", "/v1/ip/" .. line) end
  end
  if #requests == 0 then error("serve_wrk.lua: no ips in " .. args[1]) end
  i = (start or 0) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end
