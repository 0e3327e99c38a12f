#!/usr/bin/env python3
# 40-nginx: what the shipped nginx files do in front of the workers (HARDENING
# 3 and 6.A): size cap, JSON errors, routing, allowlist, framing, rate
# limits, TLS, headers and the access log.

import os
import re
import socket
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import vp  # noqa: E402
from tap import diag, done, is_, isnt, like, ok, skip, todo, unlike  # noqa: E402

# A low rate (1 per minute): the bursts (webhook 100, lookup 40) are what
# the rate-limit test exhausts, so no result depends on timing.
v = vp.Instance(rate="1r/m")

GOOD = ("sessionId=nginx_%d&phoneNumber=%%2B254712345678&duration=5"
        "&status=completed")
n = [0]


def body():
    n[0] += 1
    return (GOOD % n[0]).encode()


def nginx_error(r, status, name, code_name=None):
    """r is nginx's JSON error page for status."""
    is_(r.status if r else None, status, "%s: %d" % (name, status))
    if r is None:
        return
    j = r.json() or {}
    is_(r.content_type(), "application/json", "%s: JSON" % name)
    is_((j.get("status"), j.get("code")), ("error", status),
        "%s: {\"status\":\"error\",...,\"code\":%d}" % (name, status))
    if code_name:
        is_(j.get("error"), code_name, "%s: error %s" % (name, code_name))
    like(r.header("X-Request-Id") or "", r"^[0-9a-f]{32}$",
         "%s: X-Request-Id" % name)


nev0 = v.event_count()

# --- size cap -------------------------------------------------------
big = b"sessionId=big&status=completed&pad=" + b"a" * 66000
r = v.post(vp.WEBHOOK, big, sign=True)
nginx_error(r, 413, "body over 64 KiB", "payload_too_large")
is_(v.event_count(), nev0, "body over 64 KiB: no worker saw it")

b = body()
exact = b + b"&pad=" + b"a" * (65536 - len(b) - 5)
is_(len(exact), 65536, "a body of exactly 64 KiB")
r = v.post(vp.WEBHOOK, exact, sign=True)
is_(r.status, 200, "body of exactly 64 KiB: accepted")

# --- routing --------------------------------------------------------
for path in ("/", "/foo", "/api/v1/voice", "/api/v1/voice/recordings",
             "/api/v1/voice/webhookx", "/API/v1/voice/webhook",
             "/index.html", "/.git/config"):
    r = v.request("GET", path)
    nginx_error(r, 404, "GET %s" % path, "not_found")
r = v.post("/foo", body(), sign=True)
nginx_error(r, 404, "POST /foo", "not_found")

r = v.request("GET", vp.WEBHOOK)
is_(r.status, 405, "GET on the webhook: 405")
is_(r.header("Allow"), "POST", "GET on the webhook: Allow: POST")
is_(r.content_type(), "application/json", "GET on the webhook: JSON")
r = v.request("PUT", vp.WEBHOOK, body(), [("Content-Type", vp.FORM)])
is_(r.status, 405, "PUT on the webhook: 405")
r = v.request("GET", v.token_path())
is_(r.status, 405, "GET on the token path: 405")
is_(r.header("Allow"), "POST", "GET on the token path: Allow: POST")

# --- allowlist ------------------------------------------------------
fake = "f" * 32
for path in (vp.WEBHOOK, vp.WEBHOOK + "/" + fake):
    b = body()
    r = v.post(path, b, sign=True, source="127.0.0.2")
    nginx_error(r, 403, "from 127.0.0.2 to %s" % path.replace(fake, "TOKEN"),
                "forbidden")
    ok(v.row(vp.form_decode(b)["sessionId"]) is None,
       "from 127.0.0.2: nothing stored")
b = body()
r = v.post(vp.WEBHOOK, b, sign=True, source="127.0.0.2",
           headers=[("X-Forwarded-For", "127.0.0.1"),
                    ("X-Real-IP", "127.0.0.1")])
nginx_error(r, 403, "from 127.0.0.2 with a spoofed X-Forwarded-For")
r = v.request("GET", vp.WEBHOOK, source="127.0.0.2")
nginx_error(r, 403, "GET from 127.0.0.2 (allowlist before the method)")
r = v.get_recording("nginx_1", headers=[])
is_(r.status, 200, "lookup from 127.0.0.1: 200")
r = v.request("GET", vp.RECORDINGS + "nginx_1", None,
              [("Authorization", "Bearer " + v.api_key)], source="127.0.0.2")
is_(r.status, 200, "lookup from 127.0.0.2: no allowlist there")

# Over IPv6 loopback (allowlisted as ::1).
c = vp.http.client.HTTPSConnection("::1", v.port, context=v.ctx,
                                   timeout=vp.IO_TIMEOUT)
b = body()
c.request("POST", vp.WEBHOOK, b, {"Content-Type": vp.FORM,
                                  "X-Webhook-Signature": v.sign(b)})
resp = c.getresponse()
resp.read()
c.close()
is_(resp.status, 200, "signed POST over [::1]: 200")

# --- framing --------------------------------------------------------
b = body()
chunked = b"".join(b"%x\r\n%s\r\n" % (len(b[i:i + 7]), b[i:i + 7])
                   for i in range(0, len(b), 7)) + b"0\r\n\r\n"
head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: %s\r\nTransfer-Encoding: chunked\r\n"
        % (vp.WEBHOOK, vp.FORM))
r = v.raw(head + "X-Webhook-Signature: %s\r\n\r\n" % v.sign(b) +
          chunked.decode())
is_(r.status if r else None, 200,
    "chunked body, signature over the de-chunked bytes: 200")
row = v.row(vp.form_decode(b)["sessionId"])
is_((row or {}).get("duration"), 5, "chunked body: stored")
ev = v.events(vp.form_decode(b)["sessionId"])
is_(bytes(ev[-1]["body"]) if ev else None, b,
    "chunked body: the event log has the de-chunked bytes")

b = body()
r = v.raw(head + "X-Webhook-Signature: %s\r\n\r\n" % v.sign(chunked) +
          chunked.decode())
is_(r.status if r else None, 401,
    "chunked body, signature over the chunked wire bytes: 401")

b = body()
r = v.raw("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          "Content-Type: %s\r\nX-Webhook-Signature: %s\r\n"
          "Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
          "%x\r\n%s\r\n0\r\n\r\n"
          % (vp.WEBHOOK, vp.FORM, v.sign(b), len(b), len(b), b.decode()))
nginx_error(r, 400, "Content-Length and Transfer-Encoding", "bad_request")
ok(v.row(vp.form_decode(b)["sessionId"]) is None, "CL+TE: nothing stored")

b = body()
r = v.raw("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          "Content-Type: %s\r\nX-Webhook-Signature: %s\r\n"
          "Content-Length: %d\r\nContent-Length: %d\r\n\r\n%s"
          % (vp.WEBHOOK, vp.FORM, v.sign(b), len(b), len(b) - 1,
             b.decode()))
nginx_error(r, 400, "two Content-Length headers", "bad_request")

r = v.raw("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          "Content-Type: %s\r\nContent-Length: -5\r\n\r\n"
          % (vp.WEBHOOK, vp.FORM))
nginx_error(r, 400, "negative Content-Length", "bad_request")

r = v.raw("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          "Content-Type: %s\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
          "0\r\n\r\n" % (vp.WEBHOOK, vp.FORM))
nginx_error(r, 501, "Transfer-Encoding: gzip, chunked", "not_implemented")

r = v.raw("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          "X-Big: %s\r\n\r\n" % ("a" * 9000))
nginx_error(r, 400, "a 9000-byte header line", "bad_request")

r = v.raw("GET /%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          % ("a" * 9000))
nginx_error(r, 414, "a 9000-byte URI", "uri_too_long")

r = v.raw("GET / HTTP/1.1\r\nBad Header: x\r\nHost: x\r\n"
          "Connection: close\r\n\r\n")
nginx_error(r, 400, "a space in a header name", "bad_request")

# Plain HTTP on the TLS port.
s = socket.create_connection(("127.0.0.1", v.port), timeout=vp.IO_TIMEOUT)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
s.close()
r = vp.parse_response(data)
nginx_error(r, 400, "plain HTTP on the TLS port")

skip("Proxy: header: the worker exposes nothing to observe it "
     "(fastcgi_param HTTP_PROXY \"\" is in voicepact-fastcgi.conf)")

# --- TLS ------------------------------------------------------------
ctx = ssl.create_default_context(cafile=v.cert)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
with socket.create_connection(("127.0.0.1", v.port)) as s:
    with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
        is_(t.version(), "TLSv1.2", "TLS 1.2 is accepted")
        like(t.cipher()[0], r"^ECDHE-ECDSA-(AES(128|256)-GCM|CHACHA20)",
             "TLS 1.2 negotiates an ECDHE AEAD suite")
ctx = ssl.create_default_context(cafile=v.cert)
with socket.create_connection(("127.0.0.1", v.port)) as s:
    with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
        is_(t.version(), "TLSv1.3", "TLS 1.3 is accepted")
ctx = ssl.create_default_context(cafile=v.cert)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")
try:
    with socket.create_connection(("127.0.0.1", v.port)) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1"):
            refused = False
except (ssl.SSLError, OSError):
    refused = True
ok(refused, "a client offering only CBC suites is refused")

# --- headers --------------------------------------------------------
b = body()
r = v.webhook(b)
is_(r.status, 200, "a signed POST for the header checks")
like(r.header("X-Request-Id") or "", r"^[0-9a-f]{32}$",
     "200 from the worker: X-Request-Id")
like(r.header("Strict-Transport-Security") or "",
     r"^max-age=63072000; includeSubDomains$", "HSTS on a 200")
is_(r.header("Server"), "nginx", "Server: nginx, no version")
ev = v.events(vp.form_decode(b)["sessionId"])
is_(ev[-1]["request_id"] if ev else None, r.header("X-Request-Id"),
    "the worker logged nginx's request id")
r = v.post(vp.WEBHOOK, body())
is_(r.status, 401, "an unsigned POST for the header checks")
like(r.header("X-Request-Id") or "", r"^[0-9a-f]{32}$",
     "401 from the worker: X-Request-Id")
ok(r.header("Strict-Transport-Security") is not None, "HSTS on a 401")
isnt(r.header("Retry-After"), "1", "no nginx Retry-After on a worker 401")

# --- admin port -----------------------------------------------------
c = vp.http.client.HTTPConnection("127.0.0.1", v.admin_port,
                                  timeout=vp.IO_TIMEOUT)
c.request("GET", "/healthz")
resp = c.getresponse()
data = resp.read()
c.close()
is_(resp.status, 200, "admin port: /healthz answers 200")
like(resp.getheader("X-Request-Id") or "", r"^[0-9a-f]{32}$",
     "admin port: X-Request-Id")
is_(len(resp.headers.get_all("Cache-Control") or []), 1,
    "admin port: one Cache-Control header")
c = vp.http.client.HTTPConnection("127.0.0.1", v.admin_port,
                                  timeout=vp.IO_TIMEOUT)
c.request("GET", "/")
resp = c.getresponse()
data = resp.read()
c.close()
is_((resp.status, resp.getheader("Content-Type")), (404, "application/json"),
    "admin port: JSON 404 for any other path")
for p in ("/healthz", "/metrics"):
    r = v.request("GET", p)
    is_((r.status, r.content_type()), (404, "application/json"),
        "public server: %s is a JSON 404" % p)

# --- the access log -------------------------------------------------
# Non-canonical spellings of the token path still reach the worker; none
# may put the token in the access log (checked at teardown, with the key).
tok = v.token
for path in ("/api/v1/voice/webhook/%s?x=1" % tok,
             "/api/v1/voice//webhook/%s" % tok,
             "/api/v1/voice/./webhook/%s" % tok,
             "/api/v1/voice/webhook/%%%02X%s" % (ord(tok[0]), tok[1:])):
    r = v.post(path, body())
    ok(r.status in (200, 401, 404), "token path spelled %s: answered"
       % path.replace(tok, "TOKEN").replace(tok[1:], "OKEN"))
r = v.request("GET", vp.RECORDINGS + "x?api_key=" + v.api_key)
is_(r.status, 401, "key in the query string: 401")
acc = v.read(v.access_log)
like(acc, r"\"POST /api/v1/voice/webhook/\[token\] HTTP/1\.1\" 200 ",
     "access log: the token path is logged as [token]")
like(acc, r"\"POST /api/v1/voice/webhook HTTP/1\.1\" 403 ",
     "access log: the method of a 403 is the client's (POST)")
unlike(acc, re.escape(v.api_key[4:20]), "access log: no part of the API key")
unlike(acc, r"Bearer", "access log: no Authorization value")

# nginx writes the request line into error.log for the errors it detects
# itself; the token location keeps only crit messages, so a request on the
# real token path that nginx rejects must not leak the token there.
r = v.post(v.token_path(), big)
is_(r.status, 413, "413 on the real token path")
r = v.post(v.token_path(), body(), source="127.0.0.2")
is_(r.status, 403, "403 on the real token path from off the allowlist")
err = v.read(v.error_log)
ok(tok not in err, "nginx error log never shows the token")

# --- rate limit (last: it uses up the bursts) -----------------------
statuses = []
for i in range(200):
    r = v.request("GET", vp.RECORDINGS + "nginx_1", None,
                  [("Authorization", "Bearer " + v.api_key)])
    statuses.append(r.status)
    if r.status == 429:
        break
is_(statuses[-1], 429, "lookup: 429 once the burst is used up (after %d)"
    % (len(statuses) - 1))
nginx_error(r, 429, "rate limited lookup", "rate_limited")
is_(r.header("Retry-After"), "1", "429: Retry-After")
ok(set(statuses[:-1]) <= {200}, "lookup: only 200s before the 429")

statuses = []
for i in range(300):
    r = v.post(vp.WEBHOOK, body())
    statuses.append(r.status)
    if r.status == 429:
        break
is_(statuses[-1], 429, "webhook: 429 once the burst is used up")
nginx_error(r, 429, "rate limited webhook", "rate_limited")

# --- the shipped site file ------------------------------------------
# voicepact.conf as an operator installs it, with only the certificate and
# log paths and the port changed, passes nginx -t (which binds the port).
site_dir = v.path("site")
os.makedirs(os.path.join(site_dir, "voicepact"))
os.makedirs(os.path.join(site_dir, "logs"))
src = os.path.join(vp.SRCDIR, "nginx")
for f in os.listdir(src):
    if f.startswith("voicepact-"):
        with open(os.path.join(src, f)) as i, \
                open(os.path.join(site_dir, "voicepact", f), "w") as o:
            o.write(i.read())
with open(os.path.join(src, "voicepact.conf")) as f:
    site = f.read()
site = site.replace("/etc/ssl/certs/voicepact.pem", v.cert)
site = site.replace("/etc/ssl/private/voicepact.key", v.key)
site = site.replace("/var/log/nginx/", site_dir + "/logs/")
tport = vp._free_port()
site = site.replace("listen 443 ", "listen 127.0.0.1:%d " % tport)
site = site.replace("listen [::]:443 ", "listen [::1]:%d " % tport)
with open(os.path.join(site_dir, "site.conf"), "w") as f:
    f.write(site)
with open(os.path.join(site_dir, "nginx.conf"), "w") as f:
    f.write("pid %s/nginx.pid;\nevents {}\nhttp {\n" % site_dir +
            "".join("    %s_temp_path %s/tmp/%s;\n" % (t, site_dir, t)
                    for t in ("client_body", "fastcgi", "proxy", "scgi",
                              "uwsgi")) +
            "    include site.conf;\n}\n")
os.makedirs(os.path.join(site_dir, "tmp"))
p = subprocess.run([v.nginx, "-t", "-q", "-p", site_dir, "-c",
                    os.path.join(site_dir, "nginx.conf"), "-e",
                    os.path.join(site_dir, "error.log")],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                   env=vp._nginx_env(), timeout=60)
if not is_(p.returncode, 0, "nginx -t accepts the shipped voicepact.conf"):
    diag(p.stdout.decode("utf-8", "replace"))
with open(os.path.join(src, "voicepact-allowlist.conf")) as f:
    al = f.read()
like(al, r"(?m)^allow 52\.47\.190\.220;$", "allowlist: 52.47.190.220")
like(al, r"(?m)^allow 3\.127\.102\.70;$", "allowlist: 3.127.102.70")
like(al, r"(?m)^deny all;\s*\Z", "allowlist: ends with deny all")

done()
