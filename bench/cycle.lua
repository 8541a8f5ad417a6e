-- wrk script: each thread cycles through its share of the URLs in the file given after `--`,
-- so that in the "distinct" workload no URL is requested twice (the report says if a list wrapped).
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  urls = {}
  for line in io.lines(args[1]) do
    urls[#urls + 1] = line
  end
  step = tonumber(args[2])
  pos = id % #urls + 1
  wrapped = 0
end

function request()
  local url = urls[pos]
  pos = pos + step
  if pos > #urls then
    pos = (pos - 1) % #urls + 1
    wrapped = 1
  end
  return wrk.format("GET", url)
end

function done(summary, latency, requests)
  local wraps = 0
  for _, t in ipairs(threads) do
    wraps = wraps + (t:get("wrapped") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, wraps))
end
