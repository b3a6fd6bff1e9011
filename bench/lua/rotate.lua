-- wrk script: GET URLPATH (default /v1/auth) with "Authorization: Bearer <secret>", rotating over the first
-- LIMIT lines (default 1000; 0 = all) of each file in SECRETS (colon-separated). Each thread starts at its
-- own offset (plus START) and steps by the thread count, so together they present every secret once per round.
-- A line is "<secret>" or "<secret> <workload id>"; with a workload the request names it, as a gateway guarding
-- that workload does (URLPATH?workload=wl_…, API.md §4). Paths are built once here, not per request.
local files, limit, path = os.getenv("SECRETS"), tonumber(os.getenv("LIMIT") or "1000"), os.getenv("URLPATH") or "/v1/auth"
local threads, counter = {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  secrets, paths = {}, {}
  local separator = string.find(path, "?", 1, true) and "&" or "?"
  for file in string.gmatch(files, "[^:]+") do
    for line in io.lines(file) do
      if limit > 0 and #secrets >= limit then break end
      local secret, workload = string.match(line, "^(%S+)%s*(%S*)")
      secrets[#secrets + 1] = "Bearer " .. secret
      paths[#paths + 1] = workload ~= "" and (path .. separator .. "workload=" .. workload) or path
    end
  end
  step = tonumber(os.getenv("THREADS") or "2")
  i = id + tonumber(os.getenv("START") or "0")
end

function request()
  local k = (i % #secrets) + 1
  i = i + step
  return wrk.format("GET", paths[k], { ["Authorization"] = secrets[k] })
end

-- With PROGRESS set, writes the position from which no secret may have been skipped: the lowest position any
-- thread reached, less the requests it may still have had in flight when wrk stopped (a request cut off
-- mid-way is cancelled by the server, so its token may not be remembered). The next round starts there.
function done(summary, latency, requests)
  local out = os.getenv("PROGRESS")
  if not out then return end
  local connections = tonumber(os.getenv("CONNECTIONS") or "64") / #threads
  local lowest
  for _, thread in ipairs(threads) do
    local reached = thread:get("i") - thread:get("step") * (connections + 1)
    if not lowest or reached < lowest then lowest = reached end
  end
  local file = io.open(out, "w")
  file:write(string.format("%d\n", math.max(lowest, 0)))
  file:close()
end
