"""vp.py: runs a private voicepactd + nginx for one integration test file.

Shaped like nginx-tests' Test::Nginx: a temporary prefix holds the
configuration, the database, a self-signed certificate, the FastCGI
socket and nginx's files; nginx.conf is written from nginx/nginx.conf.in
and includes the shipped nginx/voicepact-*.conf files, so the tests
exercise what operators install.

    import vp
    from tap import ok, is_, done
    v = vp.Instance()              # starts everything (or skips the file)
    r = v.post("/api/v1/voice/webhook", body, sign=True)
    is_(r.status, 200, "signed seed body accepted")
    done()                         # stops both and checks the logs

Environment: VOICEPACTD, VOICEPACTCTL (the binaries; the Makefile sets
them), NGINX_BIN or NGINX (default: nginx from PATH, else /usr/sbin/nginx;
NGINX is removed from nginx's own environment, where it means inherited
sockets), OPENSSL,
VP_SRCDIR (the source tree), VP_FIXTURES (the request fixtures), T_LEAVE=1
(keep the directory), T_CATLOG=1 (print the logs at teardown),
T_REQUIRE_NGINX=1 (fail instead of skipping when nginx is missing).

Only processes started here are ever signalled, by pid.
"""

import hashlib
import hmac
import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time

import tap

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("VP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))

# Bounds on waiting for a process to come up or go away. They only stop a
# hung test; no result depends on them.
START_LIMIT = 30.0
STOP_LIMIT = 10.0
IO_TIMEOUT = 30.0

WEBHOOK = "/api/v1/voice/webhook"
RECORDINGS = "/api/v1/voice/recordings/"
FORM = "application/x-www-form-urlencoded"


def _which(name, fallbacks=()):
    p = shutil.which(name)
    if p:
        return p
    for f in fallbacks:
        if os.access(f, os.X_OK):
            return f
    return None


def _nginx_env():
    """The environment for nginx: without NGINX, which nginx itself reads
    as a list of inherited listening sockets (binary upgrade)."""
    env = dict(os.environ)
    env.pop("NGINX", None)
    return env


def _free_port():
    """A TCP port free on both 127.0.0.1 and ::1 right now."""
    for _ in range(50):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s4.bind(("127.0.0.1", 0))
        port = s4.getsockname()[1]
        try:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s6.bind(("::1", port))
            s6.close()
        except OSError:
            s4.close()
            continue
        s4.close()
        return port
    raise RuntimeError("no free port")


def fixtures_dir():
    """The request fixtures: t/fixtures, else ../shared/fixtures."""
    cands = [os.environ.get("VP_FIXTURES"),
             os.path.join(SRCDIR, "t", "fixtures"),
             os.path.join(os.path.dirname(SRCDIR), "shared", "fixtures")]
    for c in cands:
        if c and os.path.isfile(os.path.join(c, "seed", "expected.md")):
            return c
    return None


def fixture(rel):
    """The bytes of fixtures/REL (e.g. "seed/completed.form")."""
    d = fixtures_dir()
    if d is None:
        raise RuntimeError("request fixtures not found (t/fixtures or "
                           "../shared/fixtures; set VP_FIXTURES)")
    with open(os.path.join(d, rel), "rb") as f:
        return f.read()


class Response:
    """status (int), headers (http.client.HTTPMessage), body (bytes)."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name):
        """The value of header name, or None."""
        return self.headers.get(name)

    def header_all(self, name):
        return self.headers.get_all(name) or []

    def content_type(self):
        """The media type, lowercased, without parameters."""
        v = self.header("Content-Type") or ""
        return v.split(";")[0].strip().lower()

    def json(self):
        """The body parsed as JSON, or None if it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:200])


class _FakeSock:
    def __init__(self, data):
        self._f = io.BytesIO(data)

    def makefile(self, *args, **kwargs):
        return self._f


def parse_response(raw):
    """Parses raw HTTP/1.x response bytes (chunked or not)."""
    if not raw:
        return None
    r = http.client.HTTPResponse(_FakeSock(raw))
    r.begin()
    body = r.read()
    return Response(r.status, r.reason, r.msg, body)


class Instance:
    """One voicepactd + nginx in a temporary prefix.

    Keyword arguments: rate (nginx limit_req rate, default "1000r/s"),
    auth_signature, auth_token (bools, default True), workers (2),
    allow ("127.0.0.1", "::1" by default), conf_extra (lines appended to
    voicepact.conf), start (default True).
    """

    def __init__(self, rate="1000r/s", auth_signature=True, auth_token=True,
                 workers=2, allow=("127.0.0.1", "::1"), conf_extra="",
                 start=True):
        self.rate = rate
        self.auth_signature = auth_signature
        self.auth_token = auth_token
        self.workers = workers
        self.allow = allow
        self.conf_extra = conf_extra
        self.daemon = None
        self.nginx_pid = None
        self.stopped = False
        self.dir = None
        self.voicepactd = os.environ.get("VOICEPACTD") or \
            os.path.join(SRCDIR, "build", "voicepactd")
        self.voicepactctl = os.environ.get("VOICEPACTCTL") or \
            os.path.join(SRCDIR, "build", "voicepactctl")
        self.nginx = os.environ.get("NGINX_BIN") or \
            os.environ.get("NGINX") or _which("nginx", ["/usr/sbin/nginx"])
        self.openssl = os.environ.get("OPENSSL") or _which("openssl")
        if start:
            self.start()

    # -- setup ------------------------------------------------------

    def _need(self):
        for b in (self.voicepactd, self.voicepactctl):
            if not os.access(b, os.X_OK):
                tap.bail_out("not built: %s (set VOICEPACTD/VOICEPACTCTL)"
                             % b)
        if not self.nginx or not os.access(self.nginx, os.X_OK):
            if os.environ.get("T_REQUIRE_NGINX") == "1":
                tap.bail_out("nginx not found and T_REQUIRE_NGINX=1")
            tap.skip_all("nginx not found (set NGINX)")
        if not self.openssl:
            tap.bail_out("openssl not found")

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def _write(self, rel, text, mode=0o644):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def _run(self, argv, what):
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d): %s %s" % (
                what, p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode("utf-8", "replace")

    def ctl(self, *args, check=True):
        """Runs voicepactctl -c CONF ARGS; returns (rc, stdout, stderr)."""
        p = subprocess.run([self.voicepactctl, "-c", self.conf] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise RuntimeError("voicepactctl %s failed (%d): %s %s" % (
                " ".join(args), p.returncode, out, err))
        return p.returncode, out, err

    def create_key(self, name):
        """Creates an API key named name; returns the key."""
        _, out, err = self.ctl("key", "create", name)
        m = re.search(r"vpk_[A-Za-z0-9_-]{43}", out) or \
            re.search(r"vpk_[A-Za-z0-9_-]{43}", err)
        if not m:
            raise RuntimeError("voicepactctl key create printed no key: %r"
                               % out)
        return m.group(0)

    def start(self):
        self._need()
        self.root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="vp-test-")
        tap.add_cleanup(self.stop)
        # nginx's workers (www-data when root) must reach run/fcgi.sock.
        os.chmod(self.dir, 0o711)
        os.makedirs(self.path("run"), 0o755)
        os.chmod(self.path("run"), 0o755)
        os.makedirs(self.path("secrets"), 0o700)

        self.secret = secrets.token_hex(32)
        self.token = secrets.token_urlsafe(32).replace("=", "")
        self._write("secrets/webhook-secret", self.secret + "\n", 0o600)
        self._write("secrets/path-token", self.token + "\n", 0o600)

        # As root, the daemon must drop to an unprivileged user (it refuses
        # to run as root), which then owns data/ and the database; nginx's
        # workers run as www-data, the socket's group, as on a server.
        self.www_group = None
        self.user = None
        if self.root:
            import grp
            import pwd
            try:
                grp.getgrnam("www-data")
                pwd.getpwnam("www-data")
                self.www_group = "www-data"
            except KeyError:
                pass
            for u in (os.environ.get("VP_USER"), "voicepact", "nobody"):
                if not u:
                    continue
                try:
                    pw = pwd.getpwnam(u)
                except KeyError:
                    continue
                if pw.pw_uid != 0:
                    self.user = pw
                    break
            if self.user is None:
                tap.bail_out("running as root: no unprivileged user for "
                             "voicepactd (set VP_USER)")
        os.makedirs(self.path("data"), 0o755)

        yn = {True: "yes", False: "no"}
        lines = [
            "# written by t/lib/vp.py",
            "socket = run/fcgi.sock",
            "socket_mode = 0660",
            "database = data/voicepact.db",
            "workers = %d" % self.workers,
            "busy_timeout_ms = 2000",
            "answer_file = %s" % os.path.join(SRCDIR, "app", "etc",
                                              "answer.xml"),
            "auth_signature = %s" % yn[self.auth_signature],
            "auth_token = %s" % yn[self.auth_token],
            "allow_unauthenticated = %s" % yn[not (self.auth_signature or
                                                    self.auth_token)],
            "webhook_secret_file = secrets/webhook-secret",
            "path_token_file = secrets/path-token",
        ]
        if self.www_group:
            lines.append("socket_group = %s" % self.www_group)
        if self.user:
            lines.append("user = %s" % self.user.pw_name)
        if self.conf_extra:
            lines.append(self.conf_extra)
        self.conf = self._write("voicepact.conf", "\n".join(lines) + "\n")
        self.db = self.path("data", "voicepact.db")
        self.socket = self.path("run", "fcgi.sock")

        self.ctl("migrate")
        self.api_key = self.create_key("test")
        self._chown_data()

        self.cert = self.path("tls", "cert.pem")
        self.key = self.path("tls", "key.pem")
        os.makedirs(self.path("tls"), 0o700)
        self._run([self.openssl, "req", "-x509", "-newkey", "ec",
                   "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-days", "30", "-subj", "/CN=localhost",
                   "-addext",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
                   "-keyout", self.key, "-out", self.cert],
                  "openssl req")

        self._start_daemon()
        self._start_nginx()

        self.ctx = ssl.create_default_context(cafile=self.cert)
        self.ctx.check_hostname = True

    def _chown_data(self):
        """As root: gives data/ and the database to the daemon's user."""
        if not self.user:
            return
        d = self.path("data")
        for p in [d] + [os.path.join(d, f) for f in os.listdir(d)]:
            os.chown(p, self.user.pw_uid, self.user.pw_gid)
        # Like systemd's RuntimeDirectory: the daemon owns run/, so it
        # can remove its socket when it stops.
        os.chown(self.path("run"), self.user.pw_uid, self.user.pw_gid)

    def _start_daemon(self):
        self.daemon_log = self.path("voicepactd.log")
        logf = open(self.daemon_log, "ab")
        self.daemon = subprocess.Popen(
            [self.voicepactd, "-c", self.conf, "-f"],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
            cwd=self.dir)
        logf.close()
        deadline = time.monotonic() + START_LIMIT
        while True:
            if os.path.exists(self.socket):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(self.socket)
                    break
                except OSError:
                    pass
                finally:
                    s.close()
            rc = self.daemon.poll()
            if rc is not None:
                raise RuntimeError("voicepactd exited (%d) at start: %s"
                                   % (rc, self._tail(self.daemon_log)))
            if time.monotonic() > deadline:
                raise RuntimeError("voicepactd made no socket in %ds: %s"
                                   % (START_LIMIT,
                                      self._tail(self.daemon_log)))
            time.sleep(0.05)

    def _nginx_conf(self):
        n = self.path("nginx")
        os.makedirs(os.path.join(n, "voicepact"), exist_ok=True)
        os.makedirs(os.path.join(n, "tmp"), exist_ok=True)
        src = os.path.join(SRCDIR, "nginx")
        for f in sorted(os.listdir(src)):
            if f.startswith("voicepact-") and f.endswith(".conf"):
                shutil.copy(os.path.join(src, f),
                            os.path.join(n, "voicepact", f))
        allow = "".join("allow %s;\n" % a for a in self.allow) + "deny all;\n"
        with open(os.path.join(n, "voicepact", "voicepact-allowlist.conf"),
                  "w") as f:
            f.write(allow)
        user = ""
        if self.root:
            user = "user www-data;" if self.www_group else "user root;"
        with open(os.path.join(src, "nginx.conf.in")) as f:
            t = f.read()
        subst = {
            "PREFIX": n, "PORT": str(self.port),
            "ADMIN_PORT": str(self.admin_port), "SOCKET": self.socket,
            "CERT": self.cert, "KEY": self.key, "RATE": self.rate,
            "USER": user,
        }
        for k, v in subst.items():
            t = t.replace("%%" + k + "%%", v)
        if "%%" in t:
            raise RuntimeError("nginx.conf.in: unknown %%VAR%% left")
        self.nginx_prefix = n
        self.nginx_conf = os.path.join(n, "nginx.conf")
        with open(self.nginx_conf, "w") as f:
            f.write(t)

    def _start_nginx(self):
        for attempt in range(5):
            self.port = _free_port()
            self.admin_port = _free_port()
            self._nginx_conf()
            n = self.nginx_prefix
            self.error_log = os.path.join(n, "error.log")
            self.access_log = os.path.join(n, "access.log")
            pidfile = os.path.join(n, "nginx.pid")
            out = os.path.join(n, "nginx-start.out")
            with open(out, "wb") as outf:
                p = subprocess.Popen([self.nginx, "-p", n, "-c",
                                      self.nginx_conf, "-e", self.error_log],
                                     stdin=subprocess.DEVNULL, stdout=outf,
                                     stderr=subprocess.STDOUT,
                                     env=_nginx_env())
            try:
                p.wait(START_LIMIT)
            except subprocess.TimeoutExpired:
                # It did not daemonize: stop it (TERM lets it stop its
                # workers too) and give up.
                self._stop_pid(p.pid)
                p.wait()
                raise RuntimeError("nginx did not daemonize: %s"
                                   % self._tail(out))
            if p.returncode == 0:
                break
            msg = self._tail(out) + "\n" + self._tail(self.error_log)
            if "Address already in use" in msg and attempt < 4:
                # Lost a race for the port with another test: try others.
                os.rename(self.error_log, self.error_log + ".%d" % attempt)
                continue
            raise RuntimeError("nginx failed to start: %s" % msg)
        deadline = time.monotonic() + START_LIMIT
        while True:
            try:
                with open(pidfile) as f:
                    self.nginx_pid = int(f.read().strip())
                break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("nginx wrote no pid file")
            time.sleep(0.05)
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx is not listening on %d"
                                       % self.port)
                time.sleep(0.05)

    # -- teardown ---------------------------------------------------

    @staticmethod
    def _tail(path, n=30):
        try:
            with open(path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    def _ours(self, pid):
        """True if pid is the nginx master this instance started."""
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmd = f.read().decode("utf-8", "replace")
            return self.nginx_prefix in cmd
        except OSError:
            return not os.path.isdir("/proc")

    def _stop_pid(self, pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_LIMIT
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def halt(self):
        """Stops nginx and voicepactd (TERM, then KILL), once. Returns
        False if it had already run."""
        if self.stopped:
            return False
        self.stopped = True
        if self.nginx_pid and self._ours(self.nginx_pid):
            self._stop_pid(self.nginx_pid)
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(STOP_LIMIT)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        return True

    def stop(self):
        """Stops nginx and voicepactd (halt) and checks the logs.
        Idempotent; registered with tap.add_cleanup."""
        if not self.halt() or self.dir is None:
            return
        if self.daemon is not None:
            tap.is_(self.daemon.returncode, 0,
                    "voicepactd exited cleanly on SIGTERM")
        self.check_logs()
        if os.environ.get("T_CATLOG") == "1":
            for p in (self.daemon_log, getattr(self, "error_log", ""),
                      getattr(self, "access_log", "")):
                tap.diag("==== %s\n%s" % (p, self._tail(p, 10000)))
        if os.environ.get("T_LEAVE") == "1":
            tap.diag("T_LEAVE=1: kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def read(self, path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def check_logs(self):
        """The end-of-file assertions on the logs."""
        err = self.read(getattr(self, "error_log", ""))
        bad = [l for l in err.splitlines()
               if re.search(r"\[(alert|crit|emerg)\]", l)]
        if not tap.ok(not bad, "nginx error log: no alert/crit/emerg"):
            tap.diag("\n".join(bad[:10]))
        dlog = self.read(self.daemon_log)
        san = [l for l in dlog.splitlines()
               if re.search(r"AddressSanitizer|LeakSanitizer|"
                            r"runtime error:", l)]
        # A test that sends libfcgi the CVE-2025-23016 lengths on purpose
        # expects its worker to die in libfcgi's malloc (under ASan, with
        # this report): that one is not a finding.
        if getattr(self, "expect_libfcgi_abort", False):
            san = [l for l in san if "allocation-size-too-big" not in l and
                   "requested allocation size 0xfffffffffffffffe" not in l]
        if not tap.ok(not san, "voicepactd log: no sanitizer reports"):
            tap.diag("\n".join(san[:20]))
        acc = self.read(getattr(self, "access_log", ""))
        for name, text in (("access log", acc), ("voicepactd log", dlog)):
            tap.ok(self.token not in text,
                   "%s: the path token never appears" % name)
            tap.ok(self.secret not in text,
                   "%s: the webhook secret never appears" % name)
            tap.ok(self.api_key not in text,
                   "%s: the API key never appears" % name)

    # -- requests ---------------------------------------------------

    def sign(self, body, secret=None):
        """Lowercase hex HMAC-SHA256 of body under the secret."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        key = (secret or self.secret).encode("utf-8")
        return hmac.new(key, body, hashlib.sha256).hexdigest()

    def _conn(self, source=None, host="127.0.0.1"):
        src = (source, 0) if source else None
        return http.client.HTTPSConnection(host, self.port,
                                           context=self.ctx,
                                           timeout=IO_TIMEOUT,
                                           source_address=src)

    def request(self, method, path, body=None, headers=(), source=None,
                host="127.0.0.1"):
        """One HTTPS request on a new connection. headers is a list of
        (name, value) pairs (repeats allowed) or a dict. Content-Length
        is added when body is not None. Returns a Response."""
        if isinstance(headers, dict):
            headers = list(headers.items())
        if isinstance(body, str):
            body = body.encode("utf-8")
        c = self._conn(source, host)
        try:
            c.putrequest(method, path, skip_host=False,
                         skip_accept_encoding=True)
            for k, v in headers:
                c.putheader(k, v)
            if body is not None:
                c.putheader("Content-Length", str(len(body)))
            c.putheader("Connection", "close")
            c.endheaders(body)
            r = c.getresponse()
            data = r.read()
            return Response(r.status, r.reason, r.msg, data)
        finally:
            c.close()

    def post(self, path, body, ctype=FORM, sign=False, headers=(),
             source=None):
        """POST body with Content-Type ctype (None: no Content-Type);
        sign=True adds a valid X-Webhook-Signature."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        h = []
        if ctype is not None:
            h.append(("Content-Type", ctype))
        if sign:
            h.append(("X-Webhook-Signature", self.sign(body)))
        if isinstance(headers, dict):
            headers = list(headers.items())
        h.extend(headers)
        return self.request("POST", path, body, h, source)

    def webhook(self, body, ctype=FORM, **kw):
        """A signed POST on /api/v1/voice/webhook."""
        return self.post(WEBHOOK, body, ctype, sign=True, **kw)

    def at(self, body, ctype=FORM, token=None, **kw):
        """An unsigned POST on the token path, as AT sends it."""
        return self.post(self.token_path(token), body, ctype, **kw)

    def token_path(self, token=None):
        return WEBHOOK + "/" + (token or self.token)

    def get_recording(self, rid, key=None, scheme="Bearer", headers=()):
        """GET /api/v1/voice/recordings/RID with the API key."""
        h = [("Authorization", "%s %s" % (scheme, key or self.api_key))]
        h.extend(headers)
        return self.request("GET", RECORDINGS + rid, None, h)

    def raw(self, data, source=None):
        """Sends raw bytes over TLS, reads to EOF, returns a Response
        (or None if nginx sent nothing). Include "Connection: close"."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        s = socket.create_connection(
            ("127.0.0.1", self.port), timeout=IO_TIMEOUT,
            source_address=(source, 0) if source else None)
        try:
            t = self.ctx.wrap_socket(s, server_hostname="127.0.0.1")
            t.sendall(data)
            chunks = []
            while True:
                try:
                    b = t.recv(65536)
                except (ssl.SSLError, ConnectionResetError):
                    break
                if not b:
                    break
                chunks.append(b)
            t.close()
        finally:
            s.close()
        return parse_response(b"".join(chunks))

    # -- operations -------------------------------------------------

    def admin(self, path, method="GET"):
        """A plain-HTTP request on nginx's admin listener (127.0.0.1)."""
        c = http.client.HTTPConnection("127.0.0.1", self.admin_port,
                                       timeout=IO_TIMEOUT)
        try:
            c.request(method, path, headers={"Connection": "close"})
            r = c.getresponse()
            return Response(r.status, r.reason, r.msg, r.read())
        finally:
            c.close()

    def metrics(self):
        """GET /metrics parsed: {"name{labels}": float}."""
        r = self.admin("/metrics")
        out = {}
        for line in r.text().splitlines():
            if line and not line.startswith("#"):
                k, _, val = line.rpartition(" ")
                out[k] = float(val)
        return out

    def children(self):
        """Pids of the live children of the voicepactd master."""
        return children(self.daemon.pid)

    def worker_pids(self):
        """Children of the master that logged a request: the workers."""
        log = self.read(self.daemon_log)
        seen = set(int(p) for p in
                   re.findall(r"^voicepactd\[(\d+)\]: request_id=", log,
                              re.M))
        return [p for p in self.children() if p in seen]

    # -- database ---------------------------------------------------

    def query(self, sql, args=()):
        """Rows (sqlite3.Row) of sql on the test database, read-only."""
        c = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True,
                            timeout=10)
        c.row_factory = sqlite3.Row
        try:
            return c.execute(sql, args).fetchall()
        finally:
            c.close()

    def row(self, rid):
        """The recordings row for rid as a dict, or None."""
        rows = self.query("SELECT * FROM recordings WHERE recording_id = ?",
                          (rid,))
        return dict(rows[0]) if rows else None

    def events(self, session_id=None):
        """webhook_events rows (dicts), oldest first."""
        if session_id is None:
            rows = self.query("SELECT * FROM webhook_events ORDER BY id")
        else:
            rows = self.query("SELECT * FROM webhook_events "
                              "WHERE session_id = ? ORDER BY id",
                              (session_id,))
        return [dict(r) for r in rows]

    def event_count(self):
        return self.query("SELECT count(*) FROM webhook_events")[0][0]


def children(pid):
    """Pids of the live (not zombie) children of pid, sorted."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(d))
    return sorted(out)


def form_decode(body):
    """A fixture's form body as a dict (first value of each key)."""
    import urllib.parse
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return dict(urllib.parse.parse_qsl(body.strip(), keep_blank_values=True))
