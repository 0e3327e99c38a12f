#!/usr/bin/env python3
# 53-ops-ctl: every voicepactctl command, against the database of a
# running voicepactd: output (text and --json), --help, and exit codes
# (0 done, 1 failed, 2 usage, 3 not found, 4 busy, 5 check problems).

import hashlib
import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import vp  # noqa: E402
from tap import done, is_, like, ok  # noqa: E402

v = vp.Instance()


def ctl(*args):
    return v.ctl(*args, check=False)


def jctl(*args):
    rc, out, err = ctl("--json", *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err


def body(sid):
    return ("sessionId=%s&phoneNumber=%%2B254712345678&duration=11"
            "&status=completed&recordingUrl=https%%3A%%2F%%2Fexample.com"
            "%%2F%s.mp3" % (sid, sid)).encode()


for sid in ("c-1", "c-2"):
    is_(v.webhook(body(sid)).status, 200, "webhook %s stored" % sid)
is_(v.at(b"isActive=1&sessionId=c-3&direction=Inbound"
         b"&callerNumber=%2B254700000001&destinationNumber=%2B254700000100")
    .status, 200, "AT live request c-3 stored (in-progress)")
is_(v.post(vp.WEBHOOK, body("c-4")).status, 401, "an unsigned delivery")

# --- help and usage ----------------------------------------------------
rc, out, _ = ctl("--help")
is_(rc, 0, "--help: 0")
for c in ("recordings show", "recordings list", "events list", "events show",
          "events replay", "prune", "check", "backup", "key create"):
    like(out, c, "--help lists %s" % c)
for c in (("recordings", "list"), ("events", "replay"), ("prune",),
          ("check",), ("backup",), ("migrate",), ("key", "list")):
    rc, out, _ = ctl(*(c + ("--help",)))
    is_(rc, 0, "%s --help: 0" % " ".join(c))
    like(out, "^usage: .*" + " ".join(c), "%s --help: its usage" % " ".join(c))
is_(ctl("frobnicate")[0], 2, "unknown command: 2")
is_(ctl("recordings", "list", "--status", "bogus")[0], 2, "bad --status: 2")
is_(ctl("recordings", "list", "--since", "yesterday")[0], 2,
    "bad --since: 2")
is_(ctl("recordings", "list", "--limit", "0")[0], 2, "bad --limit: 2")
is_(ctl("events", "show", "x")[0], 2, "bad event id: 2")
is_(ctl("prune", "--older-than", "90")[0], 2, "duration without unit: 2")
is_(ctl("prune", "--older-than", "1s")[0], 2,
    "prune younger than 7 days (re-delivery detection): 2")
is_(ctl("backup")[0], 2, "backup without FILE: 2")

# --- migrate, keys -----------------------------------------------------
rc, out, _ = ctl("migrate")
is_((rc, "schema version 1" in out), (0, True), "migrate again: idempotent")
rc, keys, _ = jctl("key", "list")
is_((rc, [k["name"] for k in keys]), (0, ["test"]), "key list --json")
ok("vpk_" not in json.dumps(keys) or all(len(k["prefix"]) == 12
                                         for k in keys),
   "key list shows prefixes only")
key = v.create_key("ops")
is_(v.get_recording("c-1", key=key).status, 200, "a new key works")
is_(ctl("key", "revoke", "ops")[0], 0, "key revoke: 0")
is_(v.get_recording("c-1", key=key).status, 401, "the revoked key fails")
is_(ctl("key", "revoke", "no-such-key")[0], 3, "key revoke unknown: 3")
rc, created, _ = jctl("key", "create", "ops-json")
ok(rc == 0 and created is not None and
   created.get("key", "").startswith("vpk_") and
   created.get("name") == "ops-json" and
   created["key"].startswith(created.get("prefix", "-")),
   "key create --json: id, name, prefix and the key")
if created:
    is_(v.get_recording("c-1", key=created["key"]).status, 200,
        "the key printed as JSON works")
rc, revoked, _ = jctl("key", "revoke", "ops-json")
is_((rc, revoked), (0, {"revoked": "ops-json"}), "key revoke --json")

# --- recordings -------------------------------------------------------
rc, out, _ = ctl("recordings", "show", "c-1")
is_(rc, 0, "recordings show: 0")
like(out, r"(?m)^status +completed$", "recordings show: the status")
like(out, r"(?m)^phone_number +\+254712345678$", "recordings show: fields")
rc, rec, _ = jctl("recordings", "show", "c-1")
is_((rc, rec["recording_id"], rec["status"], rec["duration"]),
    (0, "c-1", "completed", 11), "recordings show --json")
is_(ctl("recordings", "show", "nope")[0], 3, "recordings show unknown: 3")
rc, lst, _ = jctl("recordings", "list")
is_((rc, sorted(r["recording_id"] for r in lst)), (0, ["c-1", "c-2", "c-3"]),
    "recordings list --json: all three")
rc, lst, _ = jctl("recordings", "list", "--status", "in-progress")
is_([r["recording_id"] for r in lst], ["c-3"], "recordings list --status")
rc, lst, _ = jctl("recordings", "list", "--limit", "1")
is_(len(lst), 1, "recordings list --limit")
rc, lst, _ = jctl("recordings", "list", "--until", "1d")
is_(lst, [], "recordings list --until 1d: none that old")
rc, lst, _ = jctl("recordings", "list", "--since", "1h")
is_(len(lst), 3, "recordings list --since 1h: all")
rc, out, _ = ctl("recordings", "list")
is_((rc, len(out.strip().splitlines())), (0, 4),
    "recordings list: a header and three rows")

# --- events -----------------------------------------------------------
rc, evs, _ = jctl("events", "list")
is_((rc, len(evs)), (0, 4), "events list --json: four deliveries")
rc, evs, _ = jctl("events", "list", "--outcome", "rejected")
is_([e["http_status"] for e in evs], [401], "events list --outcome")
rc, evs, _ = jctl("events", "list", "--session", "c-2")
is_(len(evs), 1, "events list --session")
eid = evs[0]["id"]
rc, out, _ = ctl("events", "show", str(eid))
is_((rc, out.encode()), (0, body("c-2")), "events show: the raw body")
rc, ev, _ = jctl("events", "show", str(eid))
is_((ev["body"].encode(), ev["outcome"], ev["auth"]),
    (body("c-2"), "stored", "signature"), "events show --json")
is_(ctl("events", "show", "999999")[0], 3, "events show unknown: 3")

# replay: a delivery that was rejected by a since-fixed bug (simulated:
# an authenticated, rejected event written straight into the log).
b = body("c-5")
c = sqlite3.connect(v.db, timeout=10)
now = int(time.time() * 1e6)
cur = c.execute(
    "INSERT INTO webhook_events (received_at, request_id, content_type, "
    "body, body_sha256, session_id, auth, outcome, http_status, reason) "
    "VALUES (?, 'old', ?, ?, ?, 'c-5', 'signature', 'rejected', 400, "
    "'a bug')", (now, vp.FORM, b, hashlib.sha256(b).hexdigest()))
bug = cur.lastrowid
old = c.execute(
    "INSERT INTO webhook_events (received_at, body, body_sha256, auth, "
    "outcome, http_status) VALUES (?, x'00', ?, 'signature', 'rejected', "
    "400)", (now - 100 * 86400 * 10**6, "0" * 64)).lastrowid
c.commit()
c.close()
rc, out, _ = ctl("events", "replay", str(bug), "--dry-run")
is_(rc, 0, "events replay --dry-run: 0")
is_(v.row("c-5"), None, "--dry-run writes nothing")
rc, res, _ = jctl("events", "replay", str(bug))
is_((rc, res.get("outcome"), res.get("changed")), (0, "stored", True),
    "events replay: stored")
is_((v.row("c-5") or {}).get("processing_status"), "completed",
    "events replay: the recording now exists")
rc, res, _ = jctl("events", "replay", str(bug))
is_((rc, res.get("outcome")), (0, "duplicate"), "a second replay: duplicate")
unsigned = [e for e in jctl("events", "list", "--outcome", "rejected")[1]
            if e["auth"] == "failed"][0]["id"]
is_(ctl("events", "replay", str(unsigned))[0], 1,
    "events replay of an unauthenticated delivery: refused (1)")

# --- prune, check, backup ----------------------------------------------
rc, res, _ = jctl("prune")
is_((rc, res.get("deleted")), (0, 1), "prune (90d): the 100-day-old event")
ok(not v.query("SELECT 1 FROM webhook_events WHERE id = ?", (old,)),
   "prune: it is gone")
is_(len(v.events()), 7, "prune: the recent events stay")
rc, res, _ = jctl("prune", "--older-than", "30d")
is_((rc, res.get("deleted")), (0, 0), "prune --older-than 30d: nothing")
rc, out, _ = ctl("check")
is_(rc, 0, "check: 0")
like(out, "integrity ok", "check: integrity ok")
rc, res, _ = jctl("check")
is_((res["integrity"], res["schema_version"], res["problems"]),
    ("ok", 1, []), "check --json")
bk = v.path("backup.db")
rc, res, _ = jctl("backup", bk)
is_((rc, os.path.isfile(bk)), (0, True), "backup: the file is written")
is_(os.stat(bk).st_mode & 0o777, 0o600, "backup: mode 0600")
c = sqlite3.connect("file:%s?mode=ro" % bk, uri=True)
is_(c.execute("SELECT count(*) FROM recordings").fetchone()[0], 4,
    "backup: holds every recording")
c.close()
p = vp.subprocess.run([v.voicepactctl, "-d", bk, "check"],
                      stdout=vp.subprocess.PIPE, stderr=vp.subprocess.PIPE,
                      timeout=60)
is_(p.returncode, 0, "check -d BACKUP: the copy is sound")
is_(ctl("backup", bk)[0], 1, "backup onto an existing file: refused (1)")

# --- busy: another process holds the write lock -------------------------
hold = sqlite3.connect(v.db, isolation_level=None, timeout=0)
hold.execute("BEGIN IMMEDIATE")
is_(ctl("key", "create", "busy")[0], 1,
    "key create while the database is locked: fails (1)")
is_(ctl("events", "replay", str(bug))[0], 4,
    "events replay while the database is locked: busy (4)")
is_(ctl("recordings", "show", "c-1")[0], 0, "reads work while locked")
hold.execute("ROLLBACK")
hold.close()

done()
