-- wrk script: stop after DEVWATCH_REQUESTS responses (default 10,000) and
-- print the latency percentiles (microseconds) as one JSON line. One thread (-t1).
local limit = tonumber(os.getenv("DEVWATCH_REQUESTS") or "10000")
local count = 0

function response(status, headers, body)
  count = count + 1
  if status ~= 200 then errors_seen = (errors_seen or 0) + 1 end
  if count == limit then
    -- wrk would still sleep out its -d duration: run.py interrupts it (SIGINT
    -- makes wrk print its summary at once) when it reads this line.
    wrk.thread:stop()
    io.write("limit reached\n")
    io.stdout:flush()
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
    summary.errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
