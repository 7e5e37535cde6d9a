-- wrk script for the benchmarks: the request comes from the environment (WRK_METHOD,
-- WRK_BODY, WRK_CONTENT_TYPE), and the summary leaves as one JSON line on stdout, after
-- wrk's own text, so bench/wrk.py can read it without parsing wrk's human output.
-- Latencies are wrk's, in microseconds, from the request sent to the response read.
-- No response() callback: calling Lua for every response would slow the load generator,
-- and wrk already counts answers that are not 2xx/3xx (errors.status).

wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
