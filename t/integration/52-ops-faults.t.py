#!/usr/bin/env python3
# 52-ops-faults: the pool under faults (HARDENING 6.D 37-40, 53).
# - SIGKILL of workers under load: the pool recovers, and every webhook
#   that got a 200 is in the database; the ones that did not succeed on a
#   retry, each exactly once.
# - SIGHUP (reload) under load: no request is refused.
# - SIGTERM while a worker reads a body: never a 200 on a truncated body.
# Loopback only; bounded in requests and time; nothing asserts on timing.

import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import fcgi  # noqa: E402
import vp  # noqa: E402
from tap import diag, done, is_, like, ok  # noqa: E402

LIMIT = 30.0            # seconds: bound on any wait (not a timing check)
THREADS = 8

v = vp.Instance(workers=3)


def body(sid):
    return ("sessionId=%s&phoneNumber=%%2B254712345678&duration=7"
            "&status=completed" % sid).encode()


def load(prefix, n, at=(), action=None):
    """Sends n signed webhooks (sessions PREFIX-i) from THREADS threads.
    When the number of answers reaches a value in at, action(k) runs
    once. Returns {sid: status} (0 for a transport error)."""
    results = {}
    lock = threading.Lock()
    nxt = [0]
    fired = set()

    def worker():
        while True:
            with lock:
                i = nxt[0]
                if i >= n:
                    return
                nxt[0] += 1
            sid = "%s-%04d" % (prefix, i)
            try:
                st = v.webhook(body(sid)).status
            except (OSError, vp.http.client.HTTPException):
                st = 0
            todo = []
            with lock:
                results[sid] = st
                for k, a in enumerate(at):
                    if len(results) >= a and k not in fired:
                        fired.add(k)
                        todo.append(k)
            for k in todo:
                action(k)

    ts = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(LIMIT * 4)
    return results


def wait_for(cond, what):
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    diag("gave up waiting for %s" % what)
    return False


def stored(sids):
    """The subset of sids that have a recordings row."""
    have = set(r[0] for r in v.query("SELECT recording_id FROM recordings"))
    return [s for s in sids if s in have]


# --- SIGKILL of workers under load ------------------------------------
wait_for(lambda: len(v.children()) >= 3, "the pool")
v.webhook(body("warm-1"))
v.webhook(body("warm-2"))
killed = []


def kill_one(k):
    pids = v.worker_pids()
    pids = [p for p in pids if p not in killed] or pids
    if pids:
        p = pids[k % len(pids)]
        try:
            os.kill(p, signal.SIGKILL)
            killed.append(p)
        except ProcessLookupError:
            pass


N = 600
res = load("kill", N, at=(120, 300), action=kill_one)
acked = [s for s, st in res.items() if st == 200]
other = sorted(set(st for st in res.values() if st != 200))
found = stored(acked)
diag("SIGKILL under load: sent %d, 200 %d, 502 %d, 503 %d, other %r; "
     "workers killed %d; acknowledged found in the database %d"
     % (len(res), len(acked), sum(1 for s in res.values() if s == 502),
        sum(1 for s in res.values() if s == 503), other, len(killed),
        len(found)))
is_(len(res), N, "every request was answered")
is_(len(killed), 2, "two workers were SIGKILLed mid-load")
ok(len(acked) >= N - 20, "all but the requests in flight got 200")
ok(set(other) <= {502, 503}, "the others got 502 or 503, never 500")
is_(len(found), len(acked), "every acknowledged webhook is in the database")

# The pool comes back, says so, and the senders' retries succeed once.
ok(wait_for(lambda: len(v.worker_pids()) + 0 >= 0 and
            v.admin("/healthz").status == 200, "healthz"),
   "the pool recovered: /healthz is 200 again")
log = v.read(v.daemon_log)
for p in killed:
    like(log, r"worker %d killed by signal 9 .*restarting in \d+ ms" % p,
         "the master logged the death of worker %d and its restart" % p)
m = v.metrics()
ok(m.get("voicepact_worker_restarts_total", 0) >= 2,
   "metrics: voicepact_worker_restarts_total counts the restarts")
retry = [s for s, st in res.items() if st != 200]
rs = [v.webhook(body(s)).status for s in retry]
is_(rs, [200] * len(retry), "the %d unacknowledged webhooks succeed on retry"
    % len(retry))
is_(len(stored(list(res))), N, "after the retries every session is stored")
dups = v.query("SELECT count(*) FROM webhook_events WHERE session_id "
               "LIKE 'kill-%' AND outcome = 'stored'")[0][0]
is_(dups, N, "each session was stored once (retries of a committed "
    "delivery are duplicates)")

# --- SIGKILL of the writer under load ---------------------------------
# The writer owns every database write (group commit). Killed mid-load,
# the requests it held get 502/503, never a 200 for data not stored; the
# master restarts it and the retries succeed once.


def writer_pid():
    for p in v.children():
        try:
            with open("/proc/%d/comm" % p) as f:
                if f.read().strip() == "vpd-writer":
                    return p
        except OSError:
            pass
    return None


wpid = writer_pid()
ok(wpid is not None, "the writer process is there (comm vpd-writer)")
wkilled = []


def kill_writer(k):
    p = writer_pid()
    if p:
        os.kill(p, signal.SIGKILL)
        wkilled.append(p)


res = load("wkill", 300, at=(100,), action=kill_writer)
acked = [s for s, st in res.items() if st == 200]
other = sorted(set(st for st in res.values() if st != 200))
found = stored(acked)
diag("writer SIGKILL under load: sent %d, 200 %d, other %r, found %d"
     % (len(res), len(acked), other, len(found)))
is_(len(wkilled), 1, "the writer was SIGKILLed mid-load")
ok(set(other) <= {502, 503}, "requests it held got 502 or 503, never 500")
is_(len(found), len(acked), "every acknowledged webhook is in the database")
ok(wait_for(lambda: writer_pid() not in (None, wkilled[0]) if wkilled
            else False, "a new writer"), "the master started a new writer")
ok(v.metrics().get("voicepact_writer_restarts_total", 0) >= 1,
   "metrics: voicepact_writer_restarts_total counts it")
like(v.read(v.daemon_log), r"writer %d killed by signal 9 .*restarting in "
     r"\d+ ms" % (wkilled[0] if wkilled else 0),
     "the master logged the writer's death and its restart")
retry = [s for s, st in res.items() if st != 200]
rs = [v.webhook(body(s)).status for s in retry]
is_(rs, [200] * len(retry), "the %d unacknowledged webhooks succeed on retry"
    % len(retry))
is_(len(stored(list(res))), 300, "after the retries every session is stored")

# A stopped (frozen) writer: /healthz says so; SIGCONT and all is well.
wp = writer_pid()
if wp:
    os.kill(wp, signal.SIGSTOP)
    try:
        r = v.admin("/healthz")
        is_(r.status, 503, "writer stopped: /healthz 503")
        like(r.text(), r"writer", "and the reason names the writer")
    finally:
        os.kill(wp, signal.SIGCONT)
    ok(wait_for(lambda: v.admin("/healthz").status == 200, "healthz"),
       "writer continued: /healthz 200 again")
else:
    ok(False, "no writer to stop")

# A delivery that reaches a stopped writer: its worker gives up (503)
# and the writer, continued later, must not store it (it would log a
# 200 the sender never saw); the sender's retry is stored once.
wp = writer_pid()
if wp:
    os.kill(wp, signal.SIGSTOP)
    try:
        r = v.webhook(body("late-1"))
        is_(r.status, 503, "writer stopped: the webhook gets 503")
    finally:
        os.kill(wp, signal.SIGCONT)
    ok(wait_for(lambda: v.admin("/healthz").status == 200, "healthz"),
       "writer continued")
    is_(v.row("late-1"), None, "the late delivery was not stored")
    is_([e["outcome"] for e in v.events("late-1")], [],
        "and not logged as stored")
    is_(v.webhook(body("late-1")).status, 200, "the retry is accepted")
    is_([e["outcome"] for e in v.events("late-1")], ["stored"],
        "and stored once")
else:
    ok(False, "no writer to stop")

# --- SIGHUP under load: no request refused ----------------------------


def hup(k):
    os.kill(v.daemon.pid, signal.SIGHUP)


# A reload reads the secret files again, as the service user: give them
# to its group, as on a server (root:voicepact 0640).
if v.user:
    os.chown(v.path("secrets"), 0, v.user.pw_gid)
    os.chmod(v.path("secrets"), 0o750)
    for f in ("webhook-secret", "path-token"):
        os.chown(v.path("secrets", f), 0, v.user.pw_gid)
        os.chmod(v.path("secrets", f), 0o640)


before = v.read(v.daemon_log).count("reload complete")
res = load("hup", 400, at=(60, 200), action=hup)
bad = dict((s, st) for s, st in res.items() if st != 200)
diag("reload under load: sent %d, 200 %d, other %r"
     % (len(res), len(res) - len(bad), sorted(set(bad.values()))))
is_(len(res), 400, "every request was answered during the reloads")
is_(bad, {}, "no request was refused or failed during two reloads")
ok(wait_for(lambda: v.read(v.daemon_log).count("reload complete") >=
            before + 1, "reload complete"), "the master logged the reload")
is_(len(stored([s for s in res])), 400, "every one of them is stored")

# --- nginx reloaded under load (HARDENING 53) ------------------------


def nginx_hup(k):
    os.kill(v.nginx_pid, signal.SIGHUP)


res = load("ngx", 300, at=(50, 150), action=nginx_hup)
bad = dict((s, st) for s, st in res.items() if st != 200)
diag("nginx reload under load: sent %d, 200 %d, other %r"
     % (len(res), len(res) - len(bad), sorted(set(bad.values()))))
is_(bad, {}, "no request lost or refused during two nginx reloads")
is_(len(stored(list(res))), 300, "every one of them is stored")

# --- SIGTERM while a worker reads a body ------------------------------
# Straight to the FastCGI socket (nginx sends bodies whole): params and
# half of the body, SIGTERM to the worker that accepted it, then the rest.


b = body("sigterm-1")
sig = v.sign(b)
pairs = (("REQUEST_METHOD", "POST"), ("DOCUMENT_URI", vp.WEBHOOK),
         ("CONTENT_TYPE", vp.FORM), ("CONTENT_LENGTH", str(len(b))),
         ("REMOTE_ADDR", "127.0.0.1"), ("REQUEST_ID", "sigterm-test"),
         ("HTTP_X_WEBHOOK_SIGNATURE", sig))
before_pids = set(v.children())
s = fcgi.connect(v.socket, LIMIT)
s.sendall(fcgi.begin() + fcgi.params(pairs) +
          fcgi.record(fcgi.STDIN, b[:20]))
# The worker that took the connection is the one blocked reading: find it
# by its open socket (its fd count grows); simpler and exact: signal every
# worker, the idle ones just stop (and are restarted).
time.sleep(0.3)
targets = v.worker_pids() or list(before_pids)
for p in targets:
    try:
        os.kill(p, signal.SIGTERM)
    except ProcessLookupError:
        pass
time.sleep(0.3)
try:
    s.sendall(fcgi.record(fcgi.STDIN, b[20:]) + fcgi.record(fcgi.STDIN, b""))
except OSError:
    pass
try:
    out = fcgi.read_stdout(s)
except OSError:
    out = b""
s.close()
head = out.split(b"\r\n\r\n", 1)[0].decode("latin-1")
status = int(head.split()[1]) if head.startswith("Status:") else 0
diag("SIGTERM during the body read: the worker answered %r" % head[:40])
ok(status in (200, 503) or out == b"",
   "SIGTERM mid-body: 503 (or the whole body was read, or no answer)")
row = v.row("sigterm-1")
if status == 200:
    ok(row is not None, "a 200 means the whole body was stored")
else:
    is_(row, None, "no 200: nothing was stored from the truncated body")
if status == 503:
    like(head, r"Retry-After: 1", "the 503 carries Retry-After")
ok(wait_for(lambda: v.admin("/healthz").status == 200, "healthz"),
   "the pool is whole again after the SIGTERMs")
r = v.webhook(b)
is_(r.status, 200, "the sender's retry is accepted")
ok(v.row("sigterm-1") is not None, "and stored")

done()
