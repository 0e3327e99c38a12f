#!/usr/bin/env python3
"""bench.py: the VoicePact benchmark (make bench).

Starts, in temporary directories and on loopback only, three stacks
from the same nginx template (nginx/nginx.conf.in with the shipped
include files, through t/lib/vp.py, the integration harness), alike in
TLS, routes and worker counts:
- vp:    nginx + voicepactd on an empty database;
- vp 1M: nginx + voicepactd on a database already holding 1,000,000
         recordings and 1,000,000 events (AT final notifications),
         stored with one SQL statement each before the daemon starts;
- null:  nginx + null-fcgi (t/bench/null-fcgi.c), a do-nothing libfcgi
         handler: the ceiling every rate is divided by.
The nginx rate limits are set out of reach (%%RATE%% = 1000000r/s).

Load: wrk (keep-alive HTTPS, 2 threads, 16 connections) with
t/bench/load.lua, which builds every request (unique AT sessionIds):

  phase          stack  what
  single_commit  -      t/bench/single-commit.c: SQLite WAL,
                        synchronous=FULL, one upsert per transaction
  ceiling        null   POST /webhook/{token}, an AT final notification
  webhook        vp     the same, a new call each time
  webhook_1m     vp 1M  the same
  mix            vp     per call a live request, then its final
  ceiling_get    null   GET /recordings/{id} with a Bearer key
  lookup         vp     the same, ids that exist
  lookup_1m      vp 1M  the same, ids among the 1M
  ceiling_2k     null   finals scheduled at a steady 2,000 req/s
  latency_2k     vp     the same

The phases of each group of three take turns (--rounds), so that
whatever else the machine does weighs on the three alike. Then the
worker memory (VmRSS, VmHWM of voicepactd's children). Prints a table,
then one name=value line per figure and targets_met=N/M. Exits 0
whenever it could measure (figures never fail it), 1 if it could not.

Options: see --help. Environment (as make check): VOICEPACTD,
VOICEPACTCTL, VP_SRCDIR, NGINX_BIN, OPENSSL; BENCH_KEEP=1 keeps the
temporary directories.
"""

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("VP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRCDIR, "t", "lib"))

import vp  # noqa: E402  (the integration harness)

LUA = os.path.join(HERE, "load.lua")
WEBHOOK = "/api/v1/voice/webhook/"
RECORDINGS = "/api/v1/voice/recordings/"
NAN = float("nan")

# The targets of issue 4: (figure, operator, bound, text).
TARGETS = [
    ("webhook_vs_ceiling", ">=", 0.6, "durable webhooks >= 0.6x ceiling"),
    ("webhook_vs_single_commit", ">=", 2.0,
     "webhooks >= 2x one-commit-per-request"),
    ("lookup_vs_ceiling", ">=", 0.8, "lookups >= 0.8x ceiling"),
    ("p99_ms_at_2k", "<=", 5.0, "p99 <= 5 ms at 2,000 req/s"),
    ("max_ms_at_2k", "<=", 50.0, "max <= 50 ms at 2,000 req/s"),
    ("errors", "<=", 0, "no errors"),
    ("worker_rss_kib_max", "<=", 8192, "<= 8 MiB RSS per worker"),
    ("webhook_1m_vs_empty", ">=", 0.9, "webhooks with 1M rows >= 0.9x"),
    ("lookup_1m_vs_empty", ">=", 0.9, "lookups with 1M rows >= 0.9x"),
]

FIGURES = ["ceiling_rps", "webhook_rps", "webhook_vs_ceiling",
           "single_commit_rps", "webhook_vs_single_commit",
           "lookup_vs_ceiling", "p99_ms_at_2k", "max_ms_at_2k", "errors",
           "worker_rss_kib_max", "webhook_1m_vs_empty", "lookup_1m_vs_empty"]

T0 = time.monotonic()


def say(msg):
    sys.stdout.write("bench: [%5.1fs] %s\n" % (time.monotonic() - T0, msg))
    sys.stdout.flush()


class Quiet:
    """What the bench instances share: a teardown without TAP output."""

    def stop(self):
        if not self.halt() or self.dir is None:
            return
        if os.environ.get("BENCH_KEEP") == "1":
            say("BENCH_KEEP=1: kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def nginx_alerts(self):
        err = self.read(getattr(self, "error_log", ""))
        return [l for l in err.splitlines()
                if re.search(r"\[(alert|crit|emerg)\]", l)]


class VpInstance(Quiet, vp.Instance):
    """nginx + voicepactd, exactly as the integration tests run them."""


class FilledInstance(VpInstance):
    """nginx + voicepactd on a database that already holds rows
    recordings and as many events, stored before the daemon starts."""

    rows = 0
    fill = (0, 0)
    fill_s = NAN

    def _start_daemon(self):
        if self.rows and self.fill == (0, 0):
            t = time.monotonic()
            self.fill = populate(self.db, self.rows)
            self.fill_s = time.monotonic() - t
            self._chown_data()
        super()._start_daemon()


class NullInstance(Quiet, vp.Instance):
    """The same nginx (same template, TLS and routes) in front of
    null-fcgi instead of voicepactd."""

    null_bin = None

    def _start_daemon(self):
        self.daemon_log = self.path("null-fcgi.log")
        argv = [self.null_bin, "-s", self.socket, "-w", str(self.workers)]
        if self.www_group:
            argv += ["-g", self.www_group]
        logf = open(self.daemon_log, "ab")
        self.daemon = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                       stdout=logf, stderr=logf,
                                       cwd=self.dir)
        logf.close()
        deadline = time.monotonic() + vp.START_LIMIT
        while True:
            if os.path.exists(self.socket):
                s = vp.socket.socket(vp.socket.AF_UNIX,
                                     vp.socket.SOCK_STREAM)
                try:
                    s.connect(self.socket)
                    break
                except OSError:
                    pass
                finally:
                    s.close()
            if self.daemon.poll() is not None or \
                    time.monotonic() > deadline:
                raise RuntimeError("null-fcgi did not start: %s"
                                   % self._tail(self.daemon_log))
            time.sleep(0.05)


# ------------------------------------------------------------------
# Measuring


class Phase:
    """One load phase: what wrk saw, and what nginx logged meanwhile."""

    def __init__(self, name, stack):
        self.name = name
        self.stack = stack
        self.requests = 0
        self.seconds = NAN
        self.rps = NAN
        self.socket_errors = 0
        self.status_errors = 0	# wrk: HTTP status >= 400
        self.server_non2xx = 0	# nginx access log, 499 excluded
        self.p50_ms = self.p99_ms = self.max_ms = NAN
        self.note = ""
        self.ok = False

    @property
    def errors(self):
        return self.socket_errors + max(self.status_errors,
                                        self.server_non2xx)


def wrk(inst, name, stack, mode, path, seconds, args=(), conns=16,
        threads=2, env=None, tag=""):
    """Runs one wrk phase against inst; returns a Phase. The sessionIds
    it sends start with a prefix unique to this run, name and tag."""
    ph = Phase(name, stack)
    url = "https://127.0.0.1:%d" % inst.port
    argv = ["wrk", "-t", str(threads), "-c", str(conns),
            "-d", "%ds" % seconds, "--timeout", "2s", "-s", LUA, url,
            "--", mode, "ATVId_b%s%s%s" % (RUN, name.replace("_", ""), tag),
            path]
    argv += [str(a) for a in args]
    e = dict(os.environ)
    e.update(env or {})
    off = _size(inst.access_log)
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e,
                           timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        ph.note = "wrk did not finish"
        return ph
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"^BENCH (.*)$", out, re.M)
    if p.returncode != 0 or not m:
        ph.note = "wrk failed (%d): %s" % (
            p.returncode, (p.stderr.decode("utf-8", "replace") or
                           out).strip()[:300])
        return ph
    f = dict(kv.split("=") for kv in m.group(1).split())
    f = {k: int(v) for k, v in f.items()}
    ph.requests = f["requests"]
    ph.seconds = f["duration_us"] / 1e6
    ph.rps = ph.requests / ph.seconds if ph.seconds > 0 else NAN
    ph.socket_errors = f["connect"] + f["read"] + f["write"] + f["timeout"]
    ph.status_errors = f["status"]
    ph.p50_ms = f["p50_us"] / 1000.0
    ph.p99_ms = f["p99_us"] / 1000.0
    ph.max_ms = f["max_us"] / 1000.0
    ph.server_non2xx = _non2xx(inst.access_log, off)
    ph.ok = ph.requests > 0
    return ph


def merge(parts):
    """One Phase from the rounds of a phase: sums, the request-weighted
    p50, the worst p99 and max."""
    ph = Phase(parts[0].name, parts[0].stack)
    ph.ok = all(p.ok for p in parts)
    ph.note = " ".join(p.note for p in parts if p.note)
    ph.requests = sum(p.requests for p in parts)
    ph.seconds = sum(p.seconds for p in parts)
    ph.rps = ph.requests / ph.seconds if ph.ok and ph.seconds > 0 else NAN
    ph.socket_errors = sum(p.socket_errors for p in parts)
    ph.status_errors = sum(p.status_errors for p in parts)
    ph.server_non2xx = sum(p.server_non2xx for p in parts)
    if ph.ok and ph.requests:
        ph.p50_ms = sum(p.p50_ms * p.requests for p in parts) / ph.requests
        ph.p99_ms = max(p.p99_ms for p in parts)
        ph.max_ms = max(p.max_ms for p in parts)
    return ph


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _non2xx(path, off):
    """Non-2xx statuses nginx logged past offset off. 499 (the client
    went away) is left out: wrk closes its connections at the end of a
    phase with requests in flight."""
    n = 0
    try:
        with open(path, "rb") as f:
            f.seek(off)
            for line in f:
                m = re.search(rb'" (\d{3}) ', line)
                if m and not m.group(1).startswith(b"2") and \
                        m.group(1) != b"499":
                    n += 1
    except OSError:
        pass
    return n


def fsync_probe(binary, path, rate, seconds):
    """Runs fsync-probe next to the databases: the disk's own fdatasync
    latency at rate per second. Returns {name: ms} or {} and a note."""
    try:
        p = subprocess.run([binary, "-f", path, "-r", str(rate),
                            "-t", str(seconds)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        return {}, "fsync-probe did not finish"
    out = p.stdout.decode()
    got = dict(kv.split("=") for kv in out.split() if "=" in kv)
    if p.returncode != 0 or "fsync_p99_ms" not in got:
        return {}, "fsync-probe failed: %s" % p.stderr.decode(
            "utf-8", "replace").strip()[:300]
    return {k: float(v) for k, v in got.items() if k.startswith("fsync")}, ""


def single_commit(binary, dbpath, procs, seconds):
    """Runs single-commit; returns (commits/s, note)."""
    try:
        p = subprocess.run([binary, "-d", dbpath, "-p", str(procs),
                            "-t", str(seconds)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        return NAN, "single-commit did not finish"
    m = re.search(r"commits_per_s=([0-9.]+)", p.stdout.decode())
    if p.returncode != 0 or not m:
        return NAN, "single-commit failed: %s" % p.stderr.decode(
            "utf-8", "replace").strip()[:300]
    return float(m.group(1)), p.stdout.decode().strip()


children = vp.children


def memory(pids):
    """(VmRSS, VmHWM) in KiB of each of pids."""
    res = []
    for c in pids:
        rss = hwm = 0
        try:
            with open("/proc/%d/status" % c) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
        except OSError:
            continue
        res.append((rss, hwm))
    return res


# ------------------------------------------------------------------
# The database with 1,000,000 recordings and events


POP_RECORDINGS = """
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
INSERT INTO recordings (recording_id, processing_status, recording_url,
    duration, phone_number, caller_number, destination_number, direction,
    hangup_cause, call_session_state, amount, currency_code,
    call_start_time, created_at, processed_at)
SELECT printf('ATVId_pop%07d', i),
    CASE WHEN i % 10 = 9 THEN 'no-answer' ELSE 'completed' END,
    printf('https://recordings.example-at.test/voice/ATVId_pop%07d-full.mp3',
        i),
    187, NULL, '+254700000001', '+254700000100', 'Inbound',
    'NORMAL_CLEARING', 'Completed', 'KES 7.4800', 'KES',
    '2024-05-14 09:12:03', 1715677923 + i / 100, 1715677923 + i / 100
FROM s
"""

POP_EVENTS = """
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
INSERT INTO webhook_events (received_at, request_id, remote_addr,
    content_type, body, body_sha256, session_id, auth, outcome,
    http_status, reason)
SELECT 1715677923000000 + i * 10000, lower(hex(randomblob(16))),
    '127.0.0.1', 'application/x-www-form-urlencoded',
    CAST(printf('isActive=0&sessionId=ATVId_pop%07d&direction=Inbound'
        || '&callerNumber=%%2B254700000001'
        || '&destinationNumber=%%2B254700000100'
        || '&callerCarrierName=Safaricom&callerCountryCode=254'
        || '&callStartTime=2024-05-14+09%%3A12%%3A03'
        || '&durationInSeconds=187&currencyCode=KES&amount=7.4800'
        || '&callSessionState=Completed&hangupCause=NORMAL_CLEARING'
        || '&recordingUrl=https%%3A%%2F%%2Frecordings.example-at.test'
        || '%%2Fvoice%%2FATVId_pop%07d-full.mp3'
        || '&dialDestinationNumber=%%2B254700000200'
        || '&dialDurationInSeconds=171'
        || '&dialStartTime=2024-05-14+09%%3A12%%3A19', i, i) AS BLOB),
    lower(hex(randomblob(32))), printf('ATVId_pop%07d', i), 'token',
    'stored', 200, NULL
FROM s
"""


def populate(path, n):
    """Adds n recordings and n events (AT final notifications) to the
    database at path, in one transaction; syncs it to disk."""
    c = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        c.execute("PRAGMA journal_mode = DELETE")
        c.execute("PRAGMA synchronous = OFF")
        c.execute("PRAGMA cache_size = -262144")
        c.execute("BEGIN")
        c.execute(POP_RECORDINGS, (n - 1,))
        c.execute(POP_EVENTS, (n - 1,))
        c.execute("COMMIT")
        c.execute("PRAGMA journal_mode = WAL")
        got = c.execute("SELECT (SELECT count(*) FROM recordings), "
                        "(SELECT count(*) FROM webhook_events)").fetchone()
    finally:
        c.close()
    # Dirty pages written back during the next phases would slow them.
    os.sync()
    return got


def wait_ready(inst, rid, limit=120.0):
    """Waits until a lookup of rid answers 200 (the workers have opened
    the database); returns the seconds it took, or NAN."""
    t = time.monotonic()
    while time.monotonic() - t < limit:
        try:
            if inst.get_recording(rid).status == 200:
                return time.monotonic() - t
        except OSError:
            pass
        time.sleep(0.1)
    return NAN


# ------------------------------------------------------------------
# Output


def fmt(v, nd=1):
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, int):
        return str(v)
    return "%.*f" % (nd, v)


def ratio(a, b):
    if a != a or b != b or not b:
        return NAN
    return a / b


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%d CPU, %s" % (os.cpu_count() or 0, model)


def main():
    global RUN
    ap = argparse.ArgumentParser(description="VoicePact benchmark")
    ap.add_argument("--null-fcgi", required=True)
    ap.add_argument("--single-commit", required=True)
    ap.add_argument("--fsync-probe", default=None,
                    help="t/bench/fsync-probe: the disk's fdatasync tail")
    ap.add_argument("--seconds", type=int,
                    default=int(os.environ.get("BENCH_SECONDS", "8")),
                    help="seconds per throughput phase (default 8)")
    ap.add_argument("--rounds", type=int, default=4,
                    help="the ceiling, empty and 1M phases take turns, "
                    "in this many rounds each (default 4)")
    ap.add_argument("--latency-seconds", type=int, default=10)
    ap.add_argument("--rate", type=int, default=2000,
                    help="the steady rate of the latency phase")
    ap.add_argument("--workers", type=int, default=0,
                    help="voicepactd and null-fcgi workers (default: "
                    "8 per CPU: with group commit a worker mostly waits "
                    "for the COMMIT, so one per CPU leaves the writer "
                    "with batches of one or two)")
    ap.add_argument("--rows", type=int, default=1000000,
                    help="recordings and events stored for the _1m phases")
    a = ap.parse_args()

    RUN = "%x" % (int(time.time()) & 0xffffff)
    workers = a.workers or 8 * (os.cpu_count() or 1)
    secs = a.seconds
    phases = {}
    notes = []
    rss = []
    null_rss = []
    other_rss = []
    sc_rps = pop_s = ready_s = NAN
    fsync = {}

    if not shutil.which("wrk"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            say("wrk missing: apt-get install wrk")
            subprocess.run(["apt-get", "install", "-y",
                            "--no-install-recommends", "wrk"],
                           stdout=subprocess.DEVNULL)
        if not shutil.which("wrk"):
            print("bench: wrk not found: apt-get install wrk "
                  "(./quickstart installs it)", file=sys.stderr)
            return 1
    for b in (a.null_fcgi, a.single_commit):
        if not os.access(b, os.X_OK):
            print("bench: not built: %s" % b, file=sys.stderr)
            return 1

    load0 = os.getloadavg()[0]
    say("%s; %d workers; %ds per phase; wrk -t2 -c16 over HTTPS; load "
        "average %.2f" % (machine(), workers, secs, load0))
    if load0 > 0.5:
        notes.append("the machine was busy at the start (load average "
                     "%.2f): other work skews the figures" % load0)
    # Everything under one private directory (the harness's vp-test-*
    # directories included): searchable by nginx's workers (www-data
    # when root), and out of reach of anyone cleaning /tmp/vp-test-*.
    work = tempfile.mkdtemp(prefix="voicepact-bench.")
    os.chmod(work, 0o711)
    tempfile.tempdir = work
    v = v1m = n = None
    try:
        NullInstance.null_bin = os.path.abspath(a.null_fcgi)
        FilledInstance.rows = a.rows
        v = VpInstance(rate="1000000r/s", workers=workers)
        n = NullInstance(rate="1000000r/s", workers=workers)
        say("started nginx + voicepactd (empty database) and nginx + "
            "null-fcgi; filling a third database with %d recordings and "
            "events" % a.rows)
        v1m = FilledInstance(rate="1000000r/s", workers=workers)
        pop_s = v1m.fill_s
        say("stored %d recordings and %d events in %.1fs (synced); "
            "started nginx + voicepactd on it" % (v1m.fill[0], v1m.fill[1],
                                                 pop_s))
        ready_s = wait_ready(v1m, "ATVId_pop%07d" % (a.rows // 2))
        say("voicepactd answers on that database after another %ss"
            % fmt(ready_s))
        if ready_s != ready_s:
            notes.append("voicepactd did not answer on the filled "
                         "database")

        any_ids = os.path.join(work, "any-ids")
        with open(any_ids, "w") as f:
            f.write("".join("ATVId_x%07d\n" % i for i in range(1000)))
        ids1m = os.path.join(work, "ids-1m")
        with open(ids1m, "w") as f:
            f.write("".join("ATVId_pop%07d\n" % ((i * 7919) % a.rows)
                            for i in range(20000)))
        vkey = {"BENCH_API_KEY": v.api_key}
        v1key = {"BENCH_API_KEY": v1m.api_key}
        ntok = WEBHOOK + n.token
        vtok = WEBHOOK + v.token
        v1tok = WEBHOOK + v1m.token

        def report(ph):
            phases[ph.name] = ph
            say("%-13s %8s req/s  p99 %s ms  errors %d %s" % (
                ph.name, fmt(ph.rps), fmt(ph.p99_ms, 2), ph.errors,
                ph.note))

        def interleaved(specs):
            """Runs the phases of specs in turn, a.rounds times each, so
            that whatever else the machine does weighs on all alike."""
            parts = {s[1]: [] for s in specs}
            per = max(1, secs // a.rounds)
            for r in range(a.rounds):
                for inst, name, stack, mode, path, args, env in specs:
                    parts[name].append(wrk(inst, name, stack, mode, path,
                                           per, args, env=env,
                                           tag="r%d" % r))
            for inst, name, *_ in specs:
                report(merge(parts[name]))

        # Warm-ups (not counted): TLS caches, the workers' first pages.
        wrk(n, "warmup", "null", "final", ntok, 1)
        wrk(v, "warmup", "vp", "final", vtok, 1)
        wrk(v1m, "warmup", "vp", "lookup", RECORDINGS, 2, [ids1m],
            env=v1key)

        if a.fsync_probe:
            fsync, fs_note = fsync_probe(
                a.fsync_probe, os.path.join(work, "fsync-probe.dat"),
                a.rate, min(a.latency_seconds, 5))
            if fs_note:
                notes.append(fs_note)
        sc_rps, sc_note = single_commit(
            a.single_commit, os.path.join(work, "single-commit.db"),
            workers, min(secs, 5))
        say("single_commit %8s commits/s (%d processes) %s"
            % (fmt(sc_rps), workers, sc_note))
        if sc_rps != sc_rps:
            notes.append(sc_note)

        interleaved([
            (n, "ceiling", "null", "final", ntok, (), None),
            (v, "webhook", "vp", "final", vtok, (), None),
            (v1m, "webhook_1m", "vp", "final", v1tok, (), None),
        ])
        report(wrk(v, "mix", "vp", "mix", vtok, secs))

        ids = os.path.join(work, "ids")
        rows = v.query("SELECT recording_id FROM recordings "
                       "ORDER BY random() LIMIT 20000")
        with open(ids, "w") as f:
            f.write("".join(r[0] + "\n" for r in rows))
        interleaved([
            (n, "ceiling_get", "null", "lookup", RECORDINGS, [any_ids],
             vkey),
            (v, "lookup", "vp", "lookup", RECORDINGS, [ids], vkey),
            (v1m, "lookup_1m", "vp", "lookup", RECORDINGS, [ids1m], v1key),
        ])
        report(wrk(n, "ceiling_2k", "null", "paced", ntok,
                   a.latency_seconds, [2, a.rate]))
        lat = wrk(v, "latency_2k", "vp", "paced", vtok, a.latency_seconds,
                  [2, a.rate])
        report(lat)
        if lat.ok and lat.rps < 0.95 * a.rate:
            notes.append("latency_2k reached only %.0f req/s of %d: the "
                         "service is saturated below that rate"
                         % (lat.rps, a.rate))
        for inst in (v, v1m):
            kids = children(inst.daemon.pid)
            # The workers are the children that served requests (they
            # logged them); any other child (e.g. a writer) is listed
            # apart.
            served = set(inst.worker_pids()) if hasattr(
                inst, "worker_pids") else set()
            served = served or set(kids)
            rss += memory([k for k in kids if k in served])
            other_rss += memory([k for k in kids if k not in served])
        null_rss = memory(children(n.daemon.pid))

        for inst, what in ((v, "voicepactd"), (v1m, "voicepactd, 1M"),
                           (n, "null-fcgi")):
            al = inst.nginx_alerts()
            if al:
                notes.append("nginx (%s) logged %d alert/crit/emerg: %s"
                             % (what, len(al), al[0][:200]))
    except Exception as e:  # report what was measured so far
        notes.append("aborted: %s: %s" % (type(e).__name__, e))
    finally:
        for inst in (n, v, v1m):
            if inst is not None:
                inst.stop()
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            say("BENCH_KEEP=1: kept %s" % work)

    # -- figures ------------------------------------------------------
    def rps(name):
        ph = phases.get(name)
        return ph.rps if ph and ph.ok else NAN

    fig = {}
    fig["ceiling_rps"] = rps("ceiling")
    fig["webhook_rps"] = rps("webhook")
    fig["webhook_vs_ceiling"] = ratio(rps("webhook"), rps("ceiling"))
    fig["single_commit_rps"] = sc_rps
    fig["webhook_vs_single_commit"] = ratio(rps("webhook"),
                                            fig["single_commit_rps"])
    fig["lookup_vs_ceiling"] = ratio(rps("lookup"), rps("ceiling_get"))
    lat = phases.get("latency_2k")
    fig["p99_ms_at_2k"] = lat.p99_ms if lat and lat.ok else NAN
    fig["max_ms_at_2k"] = lat.max_ms if lat and lat.ok else NAN
    fig["errors"] = sum(ph.errors for ph in phases.values())
    fig["worker_rss_kib_max"] = max((h for _, h in rss), default=NAN)
    fig["webhook_1m_vs_empty"] = ratio(rps("webhook_1m"), rps("webhook"))
    fig["lookup_1m_vs_empty"] = ratio(rps("lookup_1m"), rps("lookup"))

    ceil_of = {"ceiling": "ceiling", "ceiling_get": "ceiling_get",
               "webhook": "ceiling", "mix": "ceiling",
               "lookup": "ceiling_get", "ceiling_2k": "ceiling_2k",
               "latency_2k": "ceiling_2k",
               "webhook_1m": "ceiling", "lookup_1m": "ceiling_get"}
    print()
    print("VoicePact benchmark, %s, %s, %d workers, wrk -t2 -c16, %ds "
          "phases" % (time.strftime("%Y-%m-%d", time.gmtime()), machine(),
                      workers, secs))
    print()
    print("%-12s %-5s %9s %9s %8s %8s %8s %8s %7s" % (
        "phase", "stack", "requests", "req/s", "x ceil", "p50 ms",
        "p99 ms", "max ms", "errors"))
    for name in ("ceiling", "ceiling_get", "ceiling_2k", "webhook", "mix",
                 "lookup", "latency_2k", "webhook_1m", "lookup_1m"):
        ph = phases.get(name)
        if ph is None:
            print("%-12s (not run)" % name)
            continue
        c = ceil_of[name]
        print("%-12s %-5s %9d %9s %8s %8s %8s %8s %7d%s" % (
            name, ph.stack, ph.requests, fmt(ph.rps),
            fmt(ratio(ph.rps, rps(c)), 3) if c else "-",
            fmt(ph.p50_ms, 2), fmt(ph.p99_ms, 2), fmt(ph.max_ms, 2),
            ph.errors, "  " + ph.note if ph.note else ""))
    print("%-12s %-5s %9s %9s   (SQLite WAL, synchronous=FULL, "
          "%d processes)" % ("single_commit", "-", "-",
                             fmt(fig["single_commit_rps"]), workers))
    print()
    print("ceiling: the same nginx in front of null-fcgi; lookups are "
          "compared with ceiling_get, webhooks with ceiling.")
    print("ceiling_2k, latency_2k: AT finals scheduled at %d req/s in "
          "all; latency is wrk's, from sending" % a.rate)
    print("  a request to its whole response; x ceil compares the rates "
          "reached.")
    print("voicepactd workers (KiB, VmRSS/VmHWM): %s"
          % (", ".join("%d/%d" % x for x in rss) or "-"))
    print("other voicepactd children (KiB, VmRSS/VmHWM): %s"
          % (", ".join("%d/%d" % x for x in other_rss) or "-"))
    print("null-fcgi workers (KiB, VmRSS/VmHWM): %s"
          % (", ".join("%d/%d" % x for x in null_rss) or "-"))
    if fsync:
        print("the disk alone (t/bench/fsync-probe, fdatasync of a reused "
              "4 MiB file at %d/s): p50 %s ms, p99 %s ms, max %s ms"
              % (a.rate, fmt(fsync.get("fsync_p50_ms", NAN), 3),
                 fmt(fsync.get("fsync_p99_ms", NAN), 3),
                 fmt(fsync.get("fsync_max_ms", NAN), 3)))
    print("1M database: filled and synced in %ss; voicepactd answered "
          "%ss after it started" % (fmt(pop_s), fmt(ready_s)))
    print("total time: %.0fs" % (time.monotonic() - T0))
    for note in notes:
        print("note: %s" % note)

    print()
    met = 0
    for name, op, bound, text in TARGETS:
        val = fig[name]
        good = val == val and (val >= bound if op == ">=" else val <= bound)
        met += good
        print("target %-36s %-6s (%s = %s)" % (
            text, "met" if good else "NOT met", name,
            fmt(val, 3 if isinstance(val, float) else 0)))
    print()
    nd = {"ceiling_rps": 1, "webhook_rps": 1, "single_commit_rps": 1,
          "p99_ms_at_2k": 3, "max_ms_at_2k": 3}
    for name in FIGURES:
        val = fig[name]
        if name == "worker_rss_kib_max" and val == val:
            val = int(val)
        print("%s=%s" % (name, fmt(val, nd.get(name, 3))))
    for name in ("fsync_p99_ms", "fsync_max_ms"):
        if name in fsync:
            print("%s=%s" % (name, fmt(fsync[name], 3)))
    print("targets_met=%d/%d" % (met, len(TARGETS)))
    measured = all(phases.get(p) is not None and phases[p].ok for p in
                   ("ceiling", "ceiling_get", "ceiling_2k", "webhook",
                    "mix", "lookup",
                    "latency_2k", "webhook_1m", "lookup_1m"))
    return 0 if measured and fig["single_commit_rps"] == \
        fig["single_commit_rps"] else 1


RUN = "0"

if __name__ == "__main__":
    sys.exit(main())
