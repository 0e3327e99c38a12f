#!/usr/bin/env python3
# 11-fixtures-at: Africa's Talking callbacks, unsigned, on the token path
# (t/fixtures/at/expected.md): XML answer for live requests, JSON for
# final notifications, the folded row after each one.

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import vp  # noqa: E402
from tap import done, is_, ok  # noqa: E402

PARTIAL = "https://recordings.example-at.test/voice/3f9a1c0d.mp3"
FULL = "https://recordings.example-at.test/voice/3f9a1c0d-full.mp3"

# fixture, live (XML answer), expected (status, duration, recording_url)
CASES = [
    ("01-inbound-start", True, ("in-progress", None, None)),
    ("02-outbound-answered", True, ("in-progress", None, None)),
    ("04-dtmf-single", True, ("in-progress", None, None)),
    ("06-partial-record", True, ("in-progress", None, PARTIAL)),
    ("07-final-completed-recorded", False, ("completed", 187, FULL)),
    ("09-final-no-answer", False, ("no-answer", 0, None)),
    ("10-final-busy", False, ("busy", 0, None)),
    ("11-final-rejected", False, ("rejected", 0, None)),
    ("12-final-absent-ugx", False, ("failed", 0, None)),
    ("13-final-unallocated", False, ("failed", 0, None)),
    ("16-final-minimal", False, ("completed", 42, None)),
    ("20-final-busy-redelivery", False, ("busy", 0, None)),
]

v = vp.Instance()
with open(os.path.join(vp.SRCDIR, "app", "etc", "answer.xml"), "rb") as f:
    ANSWER = f.read()


def state(row):
    row = row or {}
    return (row.get("processing_status"), row.get("duration"),
            row.get("recording_url"))


def post(name, live, repeat=False):
    body = vp.fixture("at/%s.form" % name)
    sid = vp.form_decode(body)["sessionId"]
    r = v.at(body)
    is_(r.status, 200, "%s: 200" % name)
    if live:
        is_(r.content_type(), "application/xml",
            "%s: Content-Type application/xml" % name)
        is_(r.body, ANSWER, "%s: the configured answer document" % name)
    elif repeat:
        # A re-delivery may say so ("duplicate": true) besides these.
        j = r.json() or {}
        is_((r.content_type(), j.get("status"), j.get("session_id")),
            ("application/json", "webhook_processed", sid),
            "%s: JSON webhook_processed" % name)
    else:
        is_(r.content_type(), "application/json", "%s: JSON" % name)
        is_(r.json(), {"status": "webhook_processed", "session_id": sid},
            "%s: webhook_processed" % name)
    return sid


rows = {}
for name, live, want in CASES:
    sid = vp.form_decode(vp.fixture("at/%s.form" % name))["sessionId"]
    before = v.row(sid)
    nev = len(v.events(sid))
    post(name, live, repeat=name.startswith("20-"))
    row = v.row(sid)
    is_(state(row), want, "%s: row %r" % (name, want))
    ev = v.events(sid)
    is_(len(ev), nev + 1, "%s: one more event" % name)
    e = ev[-1] if ev else {}
    is_(e.get("auth"), "token", "%s: event auth token" % name)
    if name == "04-dtmf-single":
        is_(state(row), state(before),
            "04-dtmf-single: status, duration, URL unchanged")
        digits = vp.form_decode(vp.fixture("at/04-dtmf-single.form"))[
            "dtmfDigits"]
        ok(all(x != digits for x in (row or {}).values()),
           "04-dtmf-single: the digits are not stored in the row")
    if name == "01-inbound-start":
        is_((row or {}).get("direction"), "Inbound",
            "01-inbound-start: direction kept")
        is_((row or {}).get("caller_number"), "+254700000001",
            "01-inbound-start: callerNumber kept")
    if name == "07-final-completed-recorded":
        r = row or {}
        is_((r.get("hangup_cause"), r.get("call_session_state"),
             r.get("amount"), r.get("currency_code")),
            ("NORMAL_CLEARING", "Completed", "7.4800", "KES"),
            "07: raw hangupCause, callSessionState, amount, currencyCode")
    if name == "20-final-busy-redelivery":
        is_(row, rows.get("10-final-busy"),
            "20: row identical to after 10 (processed_at too)")
        is_(e.get("outcome"), "duplicate", "20: event outcome duplicate")
    rows[name] = row

# The lookup agrees with the row.
sid = "ATVId_3f9a1c0d5e7b4a2c8d6e0f1a2b3c4d5e"
r = v.get_recording(sid)
j = r.json() or {}
is_((r.status, j.get("status"), j.get("duration"), j.get("recording_url")),
    (200, "completed", 187, FULL), "01,04,06,07 sequence: lookup")

# 07 then 01 again (a late live request): still completed.
before = v.row(sid)
post("01-inbound-start", True)
is_(state(v.row(sid)), ("completed", 187, FULL),
    "07 then 01: still completed, 187, the -full URL")
is_(v.row(sid), before, "07 then 01: row unchanged")

# 07 then 01 on an empty database, for the order alone.
w = vp.Instance()
for name in ("07-final-completed-recorded", "01-inbound-start"):
    r = w.at(vp.fixture("at/%s.form" % name))
    is_(r.status, 200, "fresh: %s 200" % name)
is_(state(w.row(sid)), ("completed", 187, FULL),
    "fresh: 07 then 01 ends completed")
w.stop()

# The busy redelivery once more: the row stays, the event log grows.
sid = "ATVId_6e5d4c3b2a1908f7e6d5c4b3a2918070"
before = v.row(sid)
nev = len(v.events(sid))
post("20-final-busy-redelivery", False, repeat=True)
is_(v.row(sid), before, "busy redelivery again: row unchanged")
is_(len(v.events(sid)), nev + 1, "busy redelivery again: event count +1")

# Every AT fixture is also accepted when signed on the plain path.
r = v.webhook(vp.fixture("at/16-final-minimal.form"))
is_(r.status, 200, "AT body, signed, on /api/v1/voice/webhook: 200")
ok(r.json() is not None and r.json().get("status") == "webhook_processed",
   "AT body, signed: webhook_processed")

done()
