#!/usr/bin/env python3
# 20-auth: webhook authenticity (signature, path token) and the lookup's
# Bearer API keys (spec/API.md; HARDENING 6.B).

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import vp  # noqa: E402
from tap import done, is_, like, ok  # noqa: E402

v = vp.Instance()

BODY = ("sessionId=auth_%s&phoneNumber=%%2B254712345678&duration=5"
        "&status=completed")
n = [0]


def body():
    """A fresh valid seed body (a new session each time)."""
    n[0] += 1
    return (BODY % n[0]).encode()


def sid_of(b):
    return vp.form_decode(b)["sessionId"]


def webhook_error(r, status, name):
    """r is status with a {"status":"webhook_error","error":...} body."""
    is_(r.status, status, "%s: %d" % (name, status))
    j = r.json() or {}
    is_((r.content_type(), j.get("status"), isinstance(j.get("error"), str)),
        ("application/json", "webhook_error", True),
        "%s: JSON webhook_error with a reason" % name)
    return j


def rejected(b, status, name):
    """b was not stored and its rejection was logged."""
    ok(v.row(sid_of(b)) is None, "%s: nothing stored" % name)
    last = v.events()[-1]
    is_((last.get("outcome"), last.get("http_status")), ("rejected", status),
        "%s: event log says rejected, %d" % (name, status))


# --- signature ------------------------------------------------------

b = body()
r = v.post(vp.WEBHOOK, b)
webhook_error(r, 401, "missing signature")
rejected(b, 401, "missing signature")
is_(v.events()[-1].get("auth"), "failed", "missing signature: auth failed")

b = body()
r = v.post(vp.WEBHOOK, b, headers=[("X-Webhook-Signature",
                                    v.sign(b, "not-the-secret"))])
webhook_error(r, 401, "signature under another secret")
rejected(b, 401, "signature under another secret")

b = body()
r = v.post(vp.WEBHOOK, b, headers=[("X-Webhook-Signature",
                                    v.sign(b + b"&x=1"))])
webhook_error(r, 401, "signature of a different body")
rejected(b, 401, "signature of a different body")

b = body()
r = v.post(v.token_path(), b, headers=[("X-Webhook-Signature",
                                        v.sign(b, "wrong"))])
webhook_error(r, 401, "wrong signature with a valid token")
rejected(b, 401, "wrong signature with a valid token")

MALFORMED = [
    ("63 hex chars", lambda g: g[:63]),
    ("65 hex chars", lambda g: g + "0"),
    ("odd length", lambda g: g[:61]),
    ("non-hex", lambda g: "z" * 64),
    ("hex with one non-hex char", lambda g: g[:63] + "g"),
    ("empty", lambda g: ""),
    ("sha1= prefix", lambda g: "sha1=" + g),
    ("double prefix", lambda g: "sha256=sha256=" + g),
    ("space inside", lambda g: g[:32] + " " + g[32:]),
    ("control byte inside", lambda g: g[:32] + "\x01" + g[32:]),
]
for label, make in MALFORMED:
    b = body()
    r = v.post(vp.WEBHOOK, b, headers=[("X-Webhook-Signature",
                                        make(v.sign(b)))])
    webhook_error(r, 401, "malformed signature (%s)" % label)
    ok(v.row(sid_of(b)) is None, "malformed signature (%s): nothing stored"
       % label)

b = body()
r = v.post(vp.WEBHOOK, b, headers=[("X-Webhook-Signature",
                                    v.sign(b).upper())])
is_(r.status, 200, "uppercase hex signature: 200")

b = body()
r = v.post(vp.WEBHOOK, b, headers=[("X-Webhook-Signature",
                                    "sha256=" + v.sign(b))])
is_(r.status, 200, "sha256= prefix: 200")
is_(v.events()[-1].get("auth"), "signature", "sha256= prefix: auth signature")

b = body()
r = v.post(vp.WEBHOOK, b, headers=[("X-Webhook-Signature", v.sign(b)),
                                    ("X-Webhook-Signature", v.sign(b))])
webhook_error(r, 400, "two signature headers (both valid)")
ok(v.row(sid_of(b)) is None, "two signature headers: nothing stored")

b = body()
r = v.post(vp.WEBHOOK, b, headers=[("X_Webhook_Signature", v.sign(b))])
webhook_error(r, 401, "signature header with underscores (dropped)")

b = b""
r = v.post(vp.WEBHOOK, b, sign=True)
webhook_error(r, 400, "empty body with a valid signature")

# --- path token -----------------------------------------------------

b = body()
r = v.at(b)
is_(r.status, 200, "valid token, unsigned: 200")
is_(v.events()[-1].get("auth"), "token", "valid token: auth token")

b = body()
r = v.at(b, token="x" * len(v.token))
webhook_error(r, 401, "wrong token")
rejected(b, 401, "wrong token")

b = body()
r = v.at(b, token=v.token[:-1])
webhook_error(r, 401, "token one char short")

b = body()
r = v.at(b, token=v.token + "x")
webhook_error(r, 401, "token one char longer")

b = body()
r = v.post(v.token_path("y" * 20), b, sign=True)
webhook_error(r, 401, "wrong token with a valid signature")
ok(v.row(sid_of(b)) is None, "wrong token with a valid signature: nothing "
   "stored")

b = body()
r = v.post(v.token_path(v.token.upper() if v.token.upper() != v.token
                        else v.token.lower()), b)
if v.token.upper() != v.token or v.token.lower() != v.token:
    webhook_error(r, 401, "token in another case")

b = body()
r = v.post(v.token_path() + "/extra", b)
ok(r.status in (401, 404), "token path with an extra segment: 401 or 404")
ok(v.row(sid_of(b)) is None, "token path with an extra segment: nothing "
   "stored")

# --- lookup (Bearer API keys) ---------------------------------------

b = body()
sid = sid_of(b)
is_(v.webhook(b).status, 200, "lookup: a recording to look up")


def detail_401(r, name):
    is_(r.status, 401, "%s: 401" % name)
    like(r.header("WWW-Authenticate") or "", r"^Bearer\b",
         "%s: WWW-Authenticate: Bearer" % name)
    j = r.json() or {}
    ok(isinstance(j.get("detail"), str), "%s: {\"detail\": ...}" % name)


r = v.request("GET", vp.RECORDINGS + sid)
detail_401(r, "no Authorization")

r = v.get_recording(sid)
is_(r.status, 200, "Bearer key: 200")
r = v.get_recording(sid, scheme="bearer")
is_(r.status, 200, "scheme written bearer: 200")
r = v.get_recording(sid, scheme="BEARER")
is_(r.status, 200, "scheme written BEARER: 200")

r = v.get_recording(sid, key="vpk_" + "A" * 43)
detail_401(r, "unknown key")
r = v.get_recording(sid, key=v.api_key[:-1])
detail_401(r, "key one char short")
r = v.get_recording(sid, key="not-a-key")
detail_401(r, "malformed key")
r = v.request("GET", vp.RECORDINGS + sid,
              headers=[("Authorization", "Basic dGVzdDp0ZXN0")])
detail_401(r, "Basic scheme")
r = v.request("GET", vp.RECORDINGS + sid,
              headers=[("Authorization", "Bearer")])
detail_401(r, "Bearer without a key")
r = v.request("GET", vp.RECORDINGS + sid,
              headers=[("Authorization", v.api_key)])
detail_401(r, "key without a scheme")

for q in ("api_key", "access_token", "key"):
    r = v.request("GET", "%s%s?%s=%s" % (vp.RECORDINGS, sid, q, v.api_key))
    detail_401(r, "key in the query string (%s=)" % q)

r = v.request("GET", vp.RECORDINGS + sid,
              headers=[("Authorization", "Bearer " + v.api_key),
                       ("Authorization", "Bearer " + v.api_key)])
is_(r.status, 400, "two Authorization headers: 400")

key2 = v.create_key("second")
r = v.get_recording(sid, key=key2)
is_(r.status, 200, "a second key works")
v.ctl("key", "revoke", "second")
r = v.get_recording(sid, key=key2)
detail_401(r, "revoked key")
r = v.get_recording(sid)
is_(r.status, 200, "the other key still works after a revoke")

r = v.get_recording("no_such_session")
is_((r.status, r.json()), (404, {"detail": "Recording not found"}),
    "unknown recording: 404 {\"detail\":\"Recording not found\"}")
r = v.get_recording("no_such_session", key="vpk_" + "B" * 43)
is_(r.status, 401, "unknown recording with a bad key: 401, not 404")

r = v.request("POST", vp.RECORDINGS + sid, b"",
              [("Authorization", "Bearer " + v.api_key)])
is_(r.status, 405, "POST on the lookup: 405")

# keys are stored as hashes only
rows = v.query("SELECT * FROM api_keys")
ok(all(v.api_key not in repr(dict(x)) for x in rows),
   "api_keys never holds the key itself")

done()
