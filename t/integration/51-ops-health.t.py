#!/usr/bin/env python3
# 51-ops-health: /healthz and /metrics on nginx's admin listener only; a
# database held locked by another process (HARDENING 6.D 44): 503 with
# Retry-After, /healthz 503, reads still served, then recovery; the
# request log's format and redaction.

import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import vp  # noqa: E402
from tap import done, is_, isnt, like, ok, unlike  # noqa: E402

v = vp.Instance(workers=2)
PHONE = "+254712345678"


def body(sid):
    return ("sessionId=%s&phoneNumber=%%2B254712345678&duration=9"
            "&status=completed" % sid).encode()


# --- /healthz ----------------------------------------------------------
r = v.admin("/healthz")
is_((r.status, r.content_type()), (200, "application/json"),
    "healthz: 200 JSON")
j = r.json() or {}
is_((j.get("status"), j.get("database")), ("ok", "ok"),
    "healthz: status ok, database ok")
is_(j.get("workers"), {"configured": 2, "running": 2},
    "healthz: 2 workers configured, 2 running")
is_(v.admin("/healthz", "POST").status, 405, "healthz: POST is 405")
is_(v.admin("/healthz", "HEAD").status, 200, "healthz: HEAD is 200")
is_(v.admin("/nothing").status, 404, "admin listener: other paths 404")

# The public server never reaches the admin routes.
for p in ("/healthz", "/metrics", "/api/v1/voice/webhook/../../healthz"):
    r = v.request("GET", p)
    is_(r.status, 404, "public server: GET %s is 404" % p)

# --- /metrics ----------------------------------------------------------
is_(v.webhook(body("m-1")).status, 200, "a stored webhook")
is_(v.webhook(body("m-1")).status, 200, "the same again (duplicate)")
is_(v.post(vp.WEBHOOK, b"sessionId=m-2").status, 401, "an unsigned one")
is_(v.get_recording("m-1").status, 200, "a lookup")
r = v.admin("/metrics")
is_((r.status, r.header("Content-Type")),
    (200, "text/plain; version=0.0.4; charset=utf-8"),
    "metrics: 200, Prometheus text format 0.0.4")
text = r.text()
ok(all(re.match(r"^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [0-9.e+-]+)$", l)
       for l in text.splitlines()), "metrics: every line is well formed")
m = v.metrics()
ok(m.get("voicepact_wal_bytes", -1) > 0,
   "metrics: voicepact_wal_bytes, the -wal file's size after writes")
ok(m.get("voicepact_commits_total", 0) >= 1 and
   m.get("voicepact_commit_items_total", 0) >=
   m.get("voicepact_commits_total", 0),
   "metrics: group commits counted (items >= commits)")
is_(m.get('voicepact_requests_total{route="webhook",outcome="stored"}'),
    1.0, "metrics: webhook stored 1")
is_(m.get('voicepact_requests_total{route="webhook",outcome="duplicate"}'),
    1.0, "metrics: webhook duplicate 1")
is_(m.get('voicepact_requests_total{route="webhook",'
          'outcome="unauthenticated"}'), 1.0,
    "metrics: webhook unauthenticated 1")
is_(m.get('voicepact_requests_total{route="recording",outcome="found"}'),
    1.0, "metrics: recording found 1")
is_(m.get('voicepact_events_total{outcome="stored"}'), 1.0,
    "metrics: events stored 1")
is_(m.get('voicepact_events_total{outcome="duplicate"}'), 1.0,
    "metrics: events duplicate 1")
is_(m.get('voicepact_events_total{outcome="rejected"}'), 1.0,
    "metrics: events rejected 1")
is_(m.get('voicepact_recordings{status="completed"}'), 1.0,
    "metrics: recordings by status")
is_(m.get('voicepact_request_duration_seconds_count{route="webhook"}'),
    3.0, "metrics: latency histogram count")
is_(m.get('voicepact_request_duration_seconds_bucket{route="webhook",'
          'le="+Inf"}'), 3.0, "metrics: the +Inf bucket holds them all")
ok(m.get('voicepact_request_duration_seconds_sum{route="webhook"}', -1)
   >= 0, "metrics: latency sum")
is_((m.get('voicepact_workers{state="configured"}'),
     m.get('voicepact_workers{state="running"}')), (2.0, 2.0),
    "metrics: workers configured and running")
for k in ("voicepact_db_busy_total", "voicepact_db_errors_total",
          "voicepact_worker_restarts_total", "voicepact_crash_loop"):
    is_(m.get(k), 0.0, "metrics: %s is 0" % k)
is_(m.get('voicepact_responses_total{status="401"}'), 1.0,
    "metrics: responses by status")
unlike(text, r"m-1|254712345678", "metrics: no request data")

# --- a database held locked by another process ------------------------
hold = sqlite3.connect(v.db, isolation_level=None, timeout=0)
hold.execute("BEGIN IMMEDIATE")
r = v.webhook(body("lock-1"))
is_(r.status, 503, "database locked: the webhook gets 503")
ok(r.header("Retry-After") is not None, "database locked: with Retry-After")
is_((r.json() or {}).get("status"), "webhook_error",
    "database locked: a JSON webhook_error")
r = v.admin("/healthz")
is_(r.status, 503, "database locked: /healthz is 503")
like((r.json() or {}).get("reason", ""), "database",
     "database locked: /healthz says the database is the reason")
is_(v.get_recording("m-1").status, 200,
    "database locked: lookups still work (WAL snapshot)")
ok(v.metrics().get("voicepact_db_busy_total", 0) >= 1,
   "metrics: the busy database was counted")
hold.execute("ROLLBACK")
hold.close()
r = v.webhook(body("lock-1"))
is_(r.status, 200, "lock released: the retry gets 200")
ok(v.row("lock-1") is not None, "lock released: the retry is stored")
is_(v.admin("/healthz").status, 200, "lock released: /healthz is 200")

# --- the request log ----------------------------------------------------
# A phone number echoed in a rejection reason (a repeated form key) is
# masked; secrets, tokens, keys and Authorization never appear.
b = ("sessionId=red-1&254712345678=1&254712345678=2").encode()
is_(v.webhook(b).status, 400, "a repeated form key is rejected")
is_(v.get_recording("m-1", key="vpk_" + "A" * 43).status, 401,
    "a wrong API key is rejected")
is_(v.at(b"isActive=0&sessionId=red-2&callSessionState=Completed"
         b"&hangupCause=NORMAL_CLEARING&callerNumber=%2B254712345678")
    .status, 200, "an AT callback on the token path")
is_(v.at(b"isActive=0&sessionId=red-3", token="x" * 32).status, 401,
    "a wrong path token is rejected")
log = v.read(v.daemon_log)
lines = [l for l in log.splitlines() if "request_id=" in l]
ok(len(lines) >= 12, "one log line per request")
fmt = re.compile(r"^voicepactd\[\d+\]: request_id=\S+ method=\S+ "
                 r"route=\S+ status=\d{3} outcome=\S+ latency_ms=[0-9.]+ "
                 r"session=\S+ remote=\S+ reason=(-|\S+|\"[^\"]*\")$")
bad = [l for l in lines if not fmt.match(l)]
is_(bad, [], "every request line has the stable key=value format")
rej = [l for l in lines if re.search(r" status=4\d\d ", l)]
ok(rej and all(" reason=-" not in l for l in rej),
   "every rejection carries its reason")
like(log, r"reason=\"duplicate key \\x22\*+678\\x22 in form body\"",
     "the phone number in the reason is masked to its last 3 digits")
unlike(log, r"254712345678|712345678", "no phone number in full")
unlike(log, r"vpk_A{10}", "no API key, not even a wrong one")
unlike(log, "x" * 32, "no path token, not even a wrong one")
unlike(log, r"(?i)authorization|bearer", "no Authorization header")

done()
