#!/usr/bin/env python3
# 45-fcgi-peer: peers that speak FastCGI to the workers' socket directly
# (only root and nginx's group can): stalled or malformed requests must not
# hold a worker for ever or crash the pool, and a request without
# CONTENT_LENGTH is an empty body (HARDENING 2.2, 2.3e, 41, 43).

import os
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import fcgi  # noqa: E402
import vp  # noqa: E402
from tap import done, is_, like, ok  # noqa: E402

v = vp.Instance(workers=2)


def wait_for(cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end and not cond():
        time.sleep(0.05)


def connect():
    return fcgi.connect(v.socket)


def fcgi_request(pairs, body=b"", stdin_end=True):
    """One whole request on the workers' socket; the stdout bytes."""
    return fcgi.request(v.socket, pairs, body, stdin_end)


PARAMS = [("REQUEST_METHOD", "POST"),
          ("DOCUMENT_URI", "/api/v1/voice/webhook/" + v.token),
          ("CONTENT_TYPE", "application/x-www-form-urlencoded"),
          ("REMOTE_ADDR", "127.0.0.1")]

# 1. Stalled peers, one per worker: each sends only part of a request and
#    waits. A normal request through nginx must still be answered.
stalls = []
for part in (fcgi.begin(), fcgi.begin()[:3]):
    s = connect()
    s.sendall(part)
    stalls.append(s)
r = v.at("isActive=0&sessionId=ATVId_peer1&callSessionState=Completed"
         "&durationInSeconds=7")
is_(r.status, 200, "two stalled FastCGI peers do not keep a callback out")
for s in stalls:
    s.close()

# 2. A worker never waits for ever on a stalled peer: the peer's
#    connection is closed by the worker (bounded by the read timeout).
s = connect()
s.sendall(fcgi.begin() + fcgi.params(PARAMS + [("CONTENT_LENGTH", "50")]) +
          fcgi.record(fcgi.STDIN, b"sessionId="))
got = {}


def reader():
    try:
        got["data"] = s.recv(65536)
    except OSError as e:
        got["error"] = e


t = threading.Thread(target=reader)
t.start()
t.join(30)
ok(not t.is_alive(), "a stalled body read is given up by the worker")
like(got.get("data", b"").decode("latin-1"), r"Status: 503",
     "and the stalled request is answered 503, not 200")
s.close()
is_(v.row("ATVId_peer1")["duration"], 7, "the earlier row is intact")

# 3. No CONTENT_LENGTH: an empty body (400), even if bytes follow.
out = fcgi_request(PARAMS, b"isActive=0&sessionId=ATVId_nocl&"
                   b"callSessionState=Completed").decode("latin-1")
like(out, r"^Status: 400", "no CONTENT_LENGTH: 400 (empty body)")
ok(v.row("ATVId_nocl") is None, "no CONTENT_LENGTH: nothing stored")

# 4. CONTENT_LENGTH larger than what was sent before stdin ends: 503.
body = b"isActive=0&sessionId=ATVId_short&callSessionState=Completed"
out = fcgi_request(PARAMS + [("CONTENT_LENGTH", str(len(body) + 10))],
                   body).decode("latin-1")
like(out, r"^Status: 503", "short body: 503")
ok(v.row("ATVId_short") is None, "short body: nothing stored")

# 5. The CVE-2025-23016 pattern kills at most one worker, which the
#    master replaces; the service goes on answering.
before = len(v.children())
v.expect_libfcgi_abort = True
s = connect()
bad = struct.pack(">II", 0x7ffffffe | 0x80000000, 0x7ffffffe | 0x80000000)
s.sendall(fcgi.begin() +
          struct.pack(">BBHHBB", 1, fcgi.PARAMS, 1, 8, 0, 0) + bad)
try:
    s.recv(100)
except OSError:
    pass
s.close()
r = v.at("isActive=0&sessionId=ATVId_peer2&callSessionState=Completed"
         "&durationInSeconds=9")
is_(r.status, 200, "after a malformed FastCGI record: callbacks answered")
wait_for(lambda: len(v.children()) >= before, 10)
is_(len(v.children()), before, "the pool is back to its size")

v.stop()
done()
