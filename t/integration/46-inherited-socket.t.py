#!/usr/bin/env python3
# 46-inherited-socket: voicepactd serving a listening socket it inherits
# instead of creating one: spawn-fcgi's way (the socket on fd 0) and
# systemd socket activation's (fd 3 with LISTEN_FDS and LISTEN_PID), the
# configuration then having no "socket" line. A FastCGI request on the
# inherited socket is answered and stored; SIGTERM stops the daemon.

import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import fcgi  # noqa: E402
import vp  # noqa: E402
from tap import diag, done, is_, like, ok  # noqa: E402

v = vp.Instance(workers=2)

# The same configuration without the socket lines.
with open(v.conf) as f:
    lines = [l for l in f.read().splitlines()
             if not l.startswith(("socket =", "socket_mode", "socket_group"))]
conf = v.path("inherit.conf")
with open(conf, "w") as f:
    f.write("\n".join(lines) + "\n")


def fcgi_post(path, body):
    """One delivery on the token route over the socket at path; the
    stdout it got, as text."""
    pairs = [("REQUEST_METHOD", "POST"),
             ("DOCUMENT_URI", "/api/v1/voice/webhook/" + v.token),
             ("CONTENT_TYPE", "application/x-www-form-urlencoded"),
             ("CONTENT_LENGTH", str(len(body))),
             ("REMOTE_ADDR", "127.0.0.1")]
    return fcgi.request(path, pairs, body).decode("latin-1")


def listener(name):
    path = v.path("run", name)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(64)
    return s, path


def serve_and_check(mode):
    """Starts voicepactd on an inherited socket (mode "fd0" or "fd3"),
    sends one delivery through it, stops it."""
    s, path = listener("%s.sock" % mode)
    fd = s.fileno()
    if mode == "fd0":
        kw = {"stdin": fd}
    else:
        def pre():
            os.dup2(fd, 3)
            os.environ["LISTEN_FDS"] = "1"
            os.environ["LISTEN_PID"] = str(os.getpid())
        kw = {"stdin": subprocess.DEVNULL, "preexec_fn": pre,
              "close_fds": False}
    log = open(v.path("%s.log" % mode), "ab")
    p = subprocess.Popen([v.voicepactd, "-c", conf], stdout=log, stderr=log,
                         cwd=v.dir, **kw)
    log.close()
    sid = "ATVId_inherit_%s" % mode
    out = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and p.poll() is None and not out:
        try:
            out = fcgi_post(path, ("isActive=0&sessionId=%s&callSessionState="
                                   "Completed&durationInSeconds=3" % sid)
                            .encode())
        except OSError:
            time.sleep(0.1)
    like(out, r"^Status: 200", "%s: a request on the inherited socket is "
         "answered 200" % mode)
    row = v.row(sid)
    ok(row is not None and row["duration"] == 3, "%s: and stored" % mode)
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    is_(rc, 0, "%s: SIGTERM stops it cleanly" % mode)
    ok(os.path.exists(path), "%s: the inherited socket's path is left "
       "alone (it is not the daemon's to remove)" % mode)
    s.close()
    with open(v.path("%s.log" % mode), "rb") as f:
        text = f.read().decode("utf-8", "replace")
    ok(v.token not in text and v.secret not in text,
       "%s: no token or secret in its log" % mode)
    if rc != 0 or not out:
        diag(text[-2000:])


serve_and_check("fd0")   # spawn-fcgi: the socket is standard input
serve_and_check("fd3")   # systemd socket activation: LISTEN_FDS=1, fd 3
v.stop()
done()
