#!/usr/bin/env python3
# 30-body: request bodies over HTTPS, signed, on /api/v1/voice/webhook
# (HARDENING 6.C; spec/API.md "Request bodies accepted"). Every bad body
# is a 400/415 with a JSON reason, and leaves what is stored unchanged.

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import vp  # noqa: E402
from tap import diag, done, is_, like, ok  # noqa: E402

JSON = "application/json"
SID = "body_session_1"
GOOD_FORM = ("sessionId=%s&phoneNumber=%%2B254712345678&recordingUrl="
             "https%%3A%%2F%%2Fexample.com%%2Fa.mp3&duration=60"
             "&status=completed" % SID)
GOOD_JSON = {"sessionId": SID, "phoneNumber": "+254712345678",
             "recordingUrl": "https://example.com/a.mp3", "duration": 60,
             "status": "completed"}

v = vp.Instance()

# A good row first; every bad request below names the same session.
r = v.webhook(GOOD_FORM)
is_(r.status, 200, "the good row is stored first")
ROW = v.row(SID)
NREC = v.query("SELECT count(*) FROM recordings")[0][0]
rejections = 0


def form(**over):
    """The good form body with fields replaced (None: removed)."""
    d = vp.form_decode(GOOD_FORM)
    out = []
    for k, val in d.items():
        if k in over:
            val = over.pop(k)
            if val is None:
                continue
            out.append("%s=%s" % (k, val))
        else:
            import urllib.parse
            out.append("%s=%s" % (k, urllib.parse.quote(val, safe="")))
    out.extend("%s=%s" % kv for kv in over.items())
    return "&".join(out)


def js(**over):
    d = dict(GOOD_JSON)
    for k, val in over.items():
        if val is None:
            d.pop(k, None)
        else:
            d[k] = val
    return json.dumps(d)


def bad(name, body, ctype=vp.FORM, status=400, field=None):
    """body (signed) gets status and a webhook_error naming field."""
    global rejections
    r = v.webhook(body, ctype)
    is_(r.status, status, "%s: %d" % (name, status))
    j = r.json() or {}
    ok(r.content_type() == "application/json" and
       j.get("status") == "webhook_error" and
       isinstance(j.get("error"), str) and j.get("error"),
       "%s: JSON webhook_error with a reason" % name)
    if field is not None:
        like(j.get("error") or "", field, "%s: the error names %s"
             % (name, field))
    if r.status == status:
        rejections += 1
    return r


def good(name, body, ctype=vp.FORM):
    r = v.webhook(body, ctype)
    is_(r.status, 200, "%s: 200" % name)
    return r


# --- form encoding --------------------------------------------------
for esc in ("%zz", "%4", "%", "%%", "%G0", "%4g"):
    bad("form: malformed percent-escape %r in a value" % esc,
        form(phoneNumber="%2B2547" + esc))
bad("form: malformed percent-escape at the end of the body",
    GOOD_FORM + "&x=%")
bad("form: %00 in a value", form(recordingUrl="https%3A%2F%2Fe.com%2F%00a"))
bad("form: %00 in a key", GOOD_FORM + "&a%00b=1")
bad("form: control byte %01 in a value", form(status="completed%01"))
bad("form: raw control byte in a value", form(status="complet\x01ed"))
bad("form: '+' phone unencoded decodes to a space",
    form(phoneNumber="+254712345678"), field="phoneNumber")
bad("form: duplicate key", GOOD_FORM + "&status=failed")
bad("form: duplicate key, same value", GOOD_FORM + "&status=completed")
bad("form: invalid UTF-8 (%FF)", form(status="completed%FF"))
bad("form: invalid UTF-8 (overlong %C0%AF)", GOOD_FORM + "&note=%C0%AF")
bad("form: invalid UTF-8 (raw byte)", GOOD_FORM.encode() + b"&note=\xff")

# --- JSON ----------------------------------------------------------
bad("json: duplicate top-level key", js()[:-1] + ', "status": "failed"}',
    JSON)
bad("json: duplicate key in a nested object",
    js()[:-1] + ', "extra": {"a": 1, "a": 2}}', JSON)
bad("json: 40 levels of nesting",
    js()[:-1] + ', "deep": ' + "[" * 40 + "]" * 40 + "}", JSON)
bad("json: huge integer duration",
    js()[:-1].replace('"duration": 60', '"duration": 99999999999999999999999')
    + "}", JSON, field="duration")
bad("json: huge integer in an unknown field",
    js()[:-1] + ', "x": 99999999999999999999999}', JSON)
bad("json: 1e400", js()[:-1].replace('"duration": 60', '"duration": 1e400')
    + "}", JSON)
bad("json: NaN", js()[:-1].replace('"duration": 60', '"duration": NaN')
    + "}", JSON)
bad("json: Infinity", js()[:-1] + ', "x": -Infinity}', JSON)
bad("json: trailing garbage", js() + " xyz", JSON)
bad("json: two objects", js() + js(), JSON)
bad("json: trailing comma", js()[:-1] + ",}", JSON)
bad("json: comment", "/* c */" + js(), JSON)
bad("json: leading zero", js().replace('"duration": 60', '"duration": 060'),
    JSON)
bad("json: single quotes", js().replace('"status"', "'status'"), JSON)
bad("json: invalid UTF-8 in a string",
    js().encode().replace(b"completed", b"complet\xff\xfeed"), JSON)
bad("json: \\u0000 in a string",
    js().replace('"completed"', '"comp\\u0000leted"'), JSON)
bad("json: raw control byte in a string",
    js().replace('"completed"', '"comp\x01leted"'), JSON)
for label, text in (("array", "[" + js() + "]"), ("string", '"x"'),
                    ("number", "42"), ("null", "null"), ("true", "true")):
    bad("json: top level is %s" % label, text, JSON)
bad("json: not JSON at all", "sessionId=x", JSON)
bad("json: duration as a float", js(duration=60.5), JSON, field="duration")
bad("json: duration as a bool", js(duration=True), JSON, field="duration")
bad("json: sessionId as a number", js(sessionId=12345), JSON,
    field="sessionId")
bad("json: status as an object", js(status={"a": 1}), JSON, field="status")

# --- empty bodies and content types ---------------------------------
bad("empty form body", "", vp.FORM)
bad("empty JSON body", "", JSON)
bad("whitespace-only JSON body", "  \n", JSON)
r = v.request("POST", vp.WEBHOOK, None,
              [("Content-Type", vp.FORM),
               ("X-Webhook-Signature", v.sign(b""))])
is_(r.status, 400, "POST without a body: 400")

bad("no Content-Type", GOOD_FORM, None, 415)
bad("text/plain", GOOD_FORM, "text/plain", 415)
bad("multipart/form-data", GOOD_FORM,
    "multipart/form-data; boundary=x", 415)
bad("application/xml", GOOD_FORM, "application/xml", 415)
bad("application/json-seq", js(), "application/json-seq", 415)
bad("application/json; charset=latin1", js(),
    "application/json; charset=latin1", 415)
bad("form body labelled JSON", GOOD_FORM, JSON, 400)
bad("JSON body labelled form", js(), vp.FORM, 400)

# --- field rules ----------------------------------------------------
bad("duration -1", form(duration="-1"), field="duration")
bad("duration 86401", form(duration="86401"), field="duration")
bad("duration 12x", form(duration="12x"), field="duration")
bad("duration 1.5", form(duration="1.5"), field="duration")
bad("duration with a leading space", form(duration="%2060"),
    field="duration")
bad("json duration -1", js(duration=-1), JSON, field="duration")
bad("json duration 86401", js(duration=86401), JSON, field="duration")
bad("json duration \"12x\"", js(duration="12x"), JSON, field="duration")
bad("recordingUrl javascript:", form(recordingUrl="javascript%3Aalert(1)"),
    field="recordingUrl")
bad("recordingUrl relative", form(recordingUrl="%2Fa.mp3"),
    field="recordingUrl")
bad("recordingUrl ftp:", form(recordingUrl="ftp%3A%2F%2Fe.com%2Fa.mp3"),
    field="recordingUrl")
bad("recordingUrl over 2048 bytes",
    form(recordingUrl="https%3A%2F%2Fe.com%2F" + "a" * 2040),
    field="recordingUrl")
bad("sessionId 129 chars", form(sessionId="s" * 129), field="sessionId")
bad("sessionId with a slash", form(sessionId="a%2Fb"), field="sessionId")
bad("sessionId empty", form(sessionId=""), field="sessionId")
bad("sessionId missing", form(sessionId=None), field="sessionId")
bad("status unknown", form(status="done"), field="status")
bad("status missing", form(status=None), field="status")
bad("status in-progress (not a seed status)", form(status="in-progress"),
    field="status")
bad("phoneNumber without +", form(phoneNumber="254712345678"),
    field="phoneNumber")
bad("phoneNumber too short", form(phoneNumber="%2B12345"),
    field="phoneNumber")
bad("phoneNumber leading 0", form(phoneNumber="%2B0254712345678"),
    field="phoneNumber")

# --- nothing stored changed -----------------------------------------
is_(v.row(SID), ROW, "after %d bad bodies: the stored row is identical"
    % rejections)
is_(v.query("SELECT count(*) FROM recordings")[0][0], NREC,
    "after the bad bodies: no new rows")
nrej = v.query("SELECT count(*) FROM webhook_events "
               "WHERE outcome = 'rejected'")[0][0]
ok(nrej >= rejections, "every rejection is in the event log (%d >= %d)"
   % (nrej, rejections))
bad_reasons = v.query("SELECT count(*) FROM webhook_events WHERE "
                      "outcome = 'rejected' AND (reason IS NULL OR "
                      "reason = '')")[0][0]
is_(bad_reasons, 0, "every logged rejection has a reason")

# --- accepted variants ----------------------------------------------
good("form; charset=UTF-8", GOOD_FORM,
     "application/x-www-form-urlencoded; charset=UTF-8")
good("APPLICATION/JSON", js(), "APPLICATION/JSON")
good("application/json; charset=utf-8", js(),
     "application/json; charset=utf-8")
good("unknown fields are ignored", GOOD_FORM + "&foo=bar&dial%5B0%5D=x")
good("unknown JSON members of any type", js()[:-1] +
     ', "extra": {"a": [1, 2.5, null, true]}, "n": null}', JSON)
good("duration 0", form(duration="0").replace(SID, "body_session_0"))
good("duration 86400", form(duration="86400").replace(SID, "body_session_2"))
good("sessionId 128 chars", form(sessionId="s" * 128))
good("json duration as a digit string", js(duration="60"), JSON)
many = GOOD_FORM.replace(SID, "body_session_many") + "".join(
    "&k%d=1" % i for i in range(6000))
ok(len(many) < 65536, "6000 unknown form pairs fit in 64 KiB")
good("6000 unknown form pairs", many)
is_((v.row("body_session_0") or {}).get("duration"), 0,
    "duration 0 is stored as 0, not null")

is_(v.row(SID), ROW, "re-sent good variants: the row is still identical")

done()
