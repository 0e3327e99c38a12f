#!/usr/bin/env python3
# 10-fixtures-seed: each seed fixture, signed, on /api/v1/voice/webhook:
# the response, the lookup through the API, the stored row and its
# event-log entry (t/fixtures/seed/expected.md).

import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import vp  # noqa: E402
from tap import diag, done, is_, like, ok  # noqa: E402

RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
KEYS = ["created_at", "duration", "processed_at", "recording_id",
        "recording_url", "status"]

# fixture, content type, session, status, duration, recording_url, phone
CASES = [
    ("seed/completed.form", vp.FORM, "ATVoice_a1b2c3d4e5f6", "completed",
     420, "https://voice.africastalking.com/recordings/a1b2c3d4e5f6.mp3",
     "+254712345678"),
    ("seed/no-answer.form", vp.FORM, "ATVoice_x9y8z7w6v5u4", "no-answer",
     None, None, "+254787654321"),
    ("seed/local-test.form", vp.FORM, "test_session_123", "completed",
     300, "https://example.com/test.mp3", "+254712345678"),
]

v = vp.Instance()


def check_lookup(name, sid, status, duration, url):
    r = v.get_recording(sid)
    is_(r.status, 200, "%s: lookup 200" % name)
    is_(r.content_type(), "application/json", "%s: lookup is JSON" % name)
    j = r.json() or {}
    is_(sorted(j.keys()), KEYS, "%s: lookup has exactly the seed's keys"
        % name)
    is_(j.get("recording_id"), sid, "%s: recording_id" % name)
    is_(j.get("status"), status, "%s: status %s" % (name, status))
    is_(j.get("duration"), duration, "%s: duration %r" % (name, duration))
    is_(j.get("recording_url"), url, "%s: recording_url" % name)
    like(j.get("created_at") or "", RFC3339, "%s: created_at RFC 3339 UTC"
         % name)
    like(j.get("processed_at") or "", RFC3339,
         "%s: processed_at RFC 3339 UTC" % name)
    return j


for fx, ctype, sid, status, duration, url, phone in CASES:
    name = fx.split("/")[1]
    body = vp.fixture(fx)
    r = v.webhook(body, ctype)
    is_(r.status, 200, "%s: 200" % name)
    is_(r.content_type(), "application/json", "%s: JSON response" % name)
    is_(r.json(), {"status": "webhook_processed", "session_id": sid},
        "%s: webhook_processed with the session id" % name)
    rid = r.header("X-Request-Id")
    like(rid or "", r"^[0-9a-f]{32}$", "%s: X-Request-Id" % name)

    check_lookup(name, sid, status, duration, url)

    row = v.row(sid)
    ok(row is not None, "%s: row stored" % name)
    row = row or {}
    is_(row.get("processing_status"), status, "%s: row status" % name)
    is_(row.get("duration"), duration, "%s: row duration" % name)
    is_(row.get("recording_url"), url, "%s: row recording_url" % name)
    is_(row.get("phone_number"), phone, "%s: row phone_number" % name)
    ok(isinstance(row.get("created_at"), int) and
       row.get("created_at") == row.get("processed_at"),
       "%s: row created_at = processed_at (unix seconds)" % name)

    ev = v.events(sid)
    is_(len(ev), 1, "%s: one event logged" % name)
    e = ev[-1] if ev else {}
    is_(e.get("outcome"), "stored", "%s: event outcome stored" % name)
    is_(e.get("auth"), "signature", "%s: event auth signature" % name)
    is_(e.get("http_status"), 200, "%s: event http_status" % name)
    is_(bytes(e.get("body") or b""), body, "%s: event keeps the raw body"
        % name)
    is_(e.get("body_sha256"), hashlib.sha256(body).hexdigest(),
        "%s: event body_sha256" % name)
    is_(e.get("request_id"), rid, "%s: event request_id = X-Request-Id"
        % name)
    is_(e.get("remote_addr"), "127.0.0.1", "%s: event remote_addr" % name)
    like(e.get("content_type") or "", r"^application/x-www-form-urlencoded",
         "%s: event content_type" % name)

# completed.json: the same call as completed.form, as JSON.
sid = "ATVoice_a1b2c3d4e5f6"
before = v.row(sid)
nev = len(v.events(sid))
r = v.webhook(vp.fixture("seed/completed.json"), "application/json")
is_(r.status, 200, "completed.json: 200")
is_(r.json(), {"status": "webhook_processed", "session_id": sid},
    "completed.json: the same response as completed.form")
check_lookup("completed.json", sid, "completed", 420,
             "https://voice.africastalking.com/recordings/a1b2c3d4e5f6.mp3")
is_(v.row(sid), before, "completed.json: row unchanged (same values)")
is_(len(v.events(sid)), nev + 1, "completed.json: event logged")

# completed.json alone on a fresh instance gives the same row.
w = vp.Instance()
r = w.webhook(vp.fixture("seed/completed.json"), "application/json")
is_(r.status, 200, "completed.json on an empty database: 200")
row = w.row(sid) or {}
is_((row.get("processing_status"), row.get("duration"),
     row.get("recording_url")),
    ("completed", 420,
     "https://voice.africastalking.com/recordings/a1b2c3d4e5f6.mp3"),
    "completed.json on an empty database: row as completed.form")
w.stop()

# Exact replay: 200 again, state changes once, event log +1 (duplicate).
body = vp.fixture("seed/no-answer.form")
sid = "ATVoice_x9y8z7w6v5u4"
before = v.row(sid)
nrec = v.query("SELECT count(*) FROM recordings")[0][0]
nev = len(v.events(sid))
r = v.webhook(body)
is_(r.status, 200, "replay of no-answer.form: 200")
is_((r.json() or {}).get("session_id"), sid, "replay: session_id")
is_(v.row(sid), before, "replay: row unchanged (processed_at too)")
is_(v.query("SELECT count(*) FROM recordings")[0][0], nrec,
    "replay: no new row")
ev = v.events(sid)
is_(len(ev), nev + 1, "replay: one more event")
is_(ev[-1].get("outcome") if ev else None, "duplicate",
    "replay: event outcome duplicate")

done()
