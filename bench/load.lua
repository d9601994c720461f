-- wrk script for the benchmark's request profiles; see bench/load.py.
-- Usage: wrk -s bench/load.lua URL -- PROFILE BASE_PATH TOKEN DETAIL_ID LIST_PAGE
-- PROFILE: list | detail | create | mixed (per 10 requests: 4 detail, 4 list, 2 create).

local requests = {}
local n = 0

local create_body = '{"name":"Nightly check","description":"bench","enabled":true,'
  .. '"trigger":{"type":"schedule","schedule":"0 2 * * *"},'
  .. '"actions":[{"type":"run_codebundle","parameters":{"codebundle":"k8s-health"}}]}'

function init(args)
  local profile, base, token, id, page = args[1], args[2], args[3], args[4], args[5]
  local auth = { ["Authorization"] = "Bearer " .. token }
  local json = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  local list = wrk.format("GET", base .. "/workflows/?page=" .. page .. "&page_size=20", auth)
  local detail = wrk.format("GET", base .. "/workflows/" .. id, auth)
  local create = wrk.format("POST", base .. "/workflows/", json, create_body)
  if profile == "list" then
    requests = { list }
  elseif profile == "detail" then
    requests = { detail }
  elseif profile == "create" then
    requests = { create }
  elseif profile == "mixed" then
    requests = { detail, list, detail, create, list, detail, list, detail, create, list }
  else
    error("unknown profile " .. tostring(profile))
  end
end

function request()
  n = n % #requests + 1
  return requests[n]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
