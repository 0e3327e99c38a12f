-- load.lua: the request generator for wrk, used by t/bench/bench.py.
--
--   wrk -t T -c C -d S -s load.lua https://127.0.0.1:PORT -- \
--       MODE PREFIX PATH [ARG [RATE]]
--
-- MODE final: POST PATH, an AT final notification (isActive=0) with a
--             new sessionId each time (PREFIX .. "t" .. thread .. "n" .. n).
-- MODE mix:   POST PATH, for each call a live request (isActive=1) and
--             then its final notification (same sessionId).
-- MODE lookup: GET PATH .. id, ids read from the file ARG (one a line),
--             with "Authorization: Bearer" and the key in $BENCH_API_KEY.
-- MODE paced: like final, but at RATE requests/s in all (T threads share
--             it): each request has a slot on a fixed schedule and is
--             sent when its slot comes (or at once if late), so the rate
--             does not drop when responses are slow.
-- PATH carries the secret path token: it is never printed.
-- At the end one line is printed for bench.py:
--   BENCH requests=N duration_us=N connect=N read=N write=N status=N
--         timeout=N p50_us=N p99_us=N max_us=N mean_us=N

local threads = {}

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

local mode, prefix, path
local ids = {}
local counter = 0
local form_headers = {
	["Content-Type"] = "application/x-www-form-urlencoded"
}
local auth_headers = {}

local function sid(n)
	return prefix .. "t" .. tid .. "n" .. n
end

local function final_body(s)
	return "isActive=0&sessionId=" .. s ..
	    "&direction=Inbound&callerNumber=%2B254700000001" ..
	    "&destinationNumber=%2B254700000100&callerCarrierName=Safaricom" ..
	    "&callerCountryCode=254&callStartTime=2024-05-14+09%3A12%3A03" ..
	    "&durationInSeconds=187&currencyCode=KES&amount=7.4800" ..
	    "&callSessionState=Completed&hangupCause=NORMAL_CLEARING" ..
	    "&recordingUrl=https%3A%2F%2Frecordings.example-at.test" ..
	    "%2Fvoice%2F" .. s .. "-full.mp3" ..
	    "&dialDestinationNumber=%2B254700000200" ..
	    "&dialDurationInSeconds=171" ..
	    "&dialStartTime=2024-05-14+09%3A12%3A19"
end

local function live_body(s)
	return "isActive=1&sessionId=" .. s ..
	    "&direction=Inbound&callerNumber=%2B254700000001" ..
	    "&destinationNumber=%2B254700000100&callerCarrierName=Safaricom" ..
	    "&callerCountryCode=254&callStartTime=2024-05-14+09%3A12%3A03" ..
	    "&callSessionState=Ringing"
end

-- Pacing (mode paced): a monotonic clock in ms through LuaJIT's FFI.
local ffi, ts, t0, slot, interval

local function now_ms()
	ffi.C.clock_gettime(1, ts)	-- CLOCK_MONOTONIC
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- Installed as wrk's delay() by init() in mode paced only: wrk adds a
-- timer per request whenever delay() exists.
local function paced_delay()
	local now = now_ms()
	if t0 == nil then
		t0 = now
		slot = 0
	end
	local due = t0 + slot * interval
	slot = slot + 1
	if due <= now then
		return 0
	end
	return math.floor(due - now)
end

function init(args)
	mode = args[1]
	prefix = args[2]
	path = args[3]
	if mode == "lookup" then
		for line in io.lines(args[4]) do
			if line ~= "" then
				table.insert(ids, line)
			end
		end
		-- Threads start at different places in the list.
		counter = math.floor(#ids * tid / 8)
		auth_headers["Authorization"] = "Bearer " ..
		    os.getenv("BENCH_API_KEY")
	elseif mode == "paced" then
		ffi = require("ffi")
		ffi.cdef[[
			struct bench_timespec { long tv_sec; long tv_nsec; };
			int clock_gettime(int, struct bench_timespec *);
		]]
		ts = ffi.new("struct bench_timespec")
		-- args[4]: number of threads; args[5]: total rate.
		interval = 1000.0 * tonumber(args[4]) / tonumber(args[5])
		delay = paced_delay
	end
end

function request()
	counter = counter + 1
	if mode == "final" or mode == "paced" then
		return wrk.format("POST", path, form_headers,
		    final_body(sid(counter)))
	elseif mode == "mix" then
		local call = math.floor((counter + 1) / 2)
		if counter % 2 == 1 then
			return wrk.format("POST", path, form_headers,
			    live_body(sid(call)))
		end
		return wrk.format("POST", path, form_headers,
		    final_body(sid(call)))
	end
	local id = ids[(counter % #ids) + 1]
	return wrk.format("GET", path .. id, auth_headers)
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH requests=%d duration_us=%d connect=%d " ..
	    "read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d " ..
	    "max_us=%d mean_us=%d\n", summary.requests, summary.duration,
	    e.connect, e.read, e.write, e.status, e.timeout,
	    latency:percentile(50), latency:percentile(99), latency.max,
	    latency.mean))
end
