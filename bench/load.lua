-- Mixed load for bench/load.py: anonymous reads of the questions dashboards ask, and writes of new figures
-- (POST, with a read-write API key), each write a (region, date) no other write uses.
-- Arguments after --: key, file of region codes, share of writes (0–1), number of wrk threads, source id, status of
-- the written figures (draft or published), and a province code: reads about it only ("" for the mixed reads).
-- SYNTHETIC: the written values are invented; the database is for load tests only.

local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

local reads = {
  "/api/v1/measurements/?indicator=kia-ownership&parent=64",
  "/api/v1/measurements/?indicator=kia-ownership&level=2&latest=true&ordering=-value&page_size=100",
  "/api/v1/measurements/?region=64.71",
  "/api/v1/measurements/?indicator=kia-ownership&year=1990&page_size=100",
  "/api/v1/indicators/kia-ownership/ranking/?parent=64",
  "/api/v1/indicators/kia-ownership/attainment/?region=64&year=2024&children=true",
  "/api/v1/regions/64/summary/",
  "/api/v1/regions/?parent=64",
  "/api/v1/availability/?parent=64",
  "/api/v1/targets/?year=2024",
}

-- Reads about one province (%s: its code): its own answers, which other provinces' writes leave in place.
local province_reads = {
  "/api/v1/measurements/?indicator=kia-ownership&parent=%s",
  "/api/v1/measurements/?region=%s.71",
  "/api/v1/measurements/?parent=%s&latest=true",
  "/api/v1/indicators/kia-ownership/ranking/?parent=%s",
  "/api/v1/indicators/kia-ownership/attainment/?region=%s&year=2024&children=true",
  "/api/v1/regions/%s.72/summary/",
  "/api/v1/regions/?parent=%s",
  "/api/v1/availability/?parent=%s",
  "/api/v1/targets/?year=2024",
}

function init(args)
  key = args[1]
  codes = {}
  for line in io.lines(args[2]) do table.insert(codes, line) end
  write_share = tonumber(args[3])
  nthreads = tonumber(args[4])
  source = tonumber(args[5])
  status = args[6]
  if args[7] ~= nil and args[7] ~= "" then
    reads = {}
    for _, path in ipairs(province_reads) do table.insert(reads, (string.gsub(path, "%%s", args[7]))) end
  end
  math.randomseed(1000 + id)
  n = 0
  ok_read, created, client_errors, server_errors, others = 0, 0, 0, 0, 0
  write_headers = { ["Authorization"] = "Api-Key " .. key, ["Content-Type"] = "application/json" }
end

function request()
  if math.random() < write_share then
    local unique = n * nthreads + id
    n = n + 1
    local code = codes[(unique % #codes) + 1]
    local day = math.floor(unique / #codes)
    local as_of = os.date("!%Y-%m-%d", 631152000 + day * 86400) -- from 1990-01-01
    local body = string.format(
      '{"region":"%s","indicator":"kia-ownership","as_of":"%s","value":%d.%02d,"source":%d,"status":"%s"}',
      code, as_of, math.random(0, 99), math.random(0, 99), source, status)
    return wrk.format("POST", "/api/v1/measurements/", write_headers, body)
  end
  return wrk.format("GET", reads[math.random(#reads)])
end

function response(status, headers, body)
  if status == 200 then ok_read = ok_read + 1
  elseif status == 201 then created = created + 1
  elseif status >= 500 then server_errors = server_errors + 1
  elseif status >= 400 then client_errors = client_errors + 1
  else others = others + 1 end
end

function done(summary, latency, requests)
  local totals = { reads_ok = 0, created = 0, client_errors = 0, server_errors = 0, others = 0 }
  for _, thread in ipairs(threads) do
    totals.reads_ok = totals.reads_ok + thread:get("ok_read")
    totals.created = totals.created + thread:get("created")
    totals.client_errors = totals.client_errors + thread:get("client_errors")
    totals.server_errors = totals.server_errors + thread:get("server_errors")
    totals.others = totals.others + thread:get("others")
  end
  io.write(string.format(
    'LOADRESULT {"requests": %d, "seconds": %.3f, "socket_errors": %d, "reads_ok": %d, "created": %d, ' ..
    '"client_errors": %d, "server_errors": %d, "others": %d, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    totals.reads_ok, totals.created, totals.client_errors, totals.server_errors, totals.others,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
