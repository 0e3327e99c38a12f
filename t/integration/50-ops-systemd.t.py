#!/usr/bin/env python3
# 50-ops-systemd: the systemd units in systemd/ are valid
# (systemd-analyze verify, without warnings) and hardened (systemd-analyze
# security --offline: exposure 2.0 or less), and say what the README
# promises. The templates are filled in with the paths of this build so
# that verify finds the programs. Skipped when systemd-analyze is absent.

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import tap  # noqa: E402
import vp  # noqa: E402
from tap import diag, done, is_, like, ok, unlike  # noqa: E402

sa = os.environ.get("SYSTEMD_ANALYZE") or shutil.which("systemd-analyze")
if not sa or not os.access(sa, os.X_OK):
    tap.skip_all("systemd-analyze not found (Debian: apt-get install "
                 "systemd)")

src = os.path.join(vp.SRCDIR, "systemd")
bindir = os.path.dirname(os.environ.get("VOICEPACTD") or
                         os.path.join(vp.SRCDIR, "build", "voicepactd"))
tmp = tempfile.mkdtemp(prefix="vp-units-")
tap.add_cleanup(lambda: shutil.rmtree(tmp, ignore_errors=True))
subst = {"sbindir": bindir, "sysconfdir": os.path.join(tmp, "etc"),
         "runstatedir": "/run", "localstatedir": "/var",
         "NGINX_GROUP": "www-data"}
units = {}
for f in sorted(os.listdir(src)):
    if not (f.endswith(".in") or f.endswith(".timer")):
        continue
    with open(os.path.join(src, f)) as fh:
        t = fh.read()
    for k, val in subst.items():
        t = t.replace("@%s@" % k, val)
    unlike(t, r"@\w+@", "%s: every @VAR@ is substituted" % f)
    name = f[:-3] if f.endswith(".in") else f
    units[name] = t
    with open(os.path.join(tmp, name), "w") as fh:
        fh.write(t)

ok(set(units) >= {"voicepact.service", "voicepact.socket",
                  "voicepact-prune.service", "voicepact-prune.timer"},
   "the four units exist")

paths = [os.path.join(tmp, u) for u in sorted(units)]
p = subprocess.run([sa, "verify", "--man=no"] + paths, cwd=tmp,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=120)
out = (p.stdout + p.stderr).decode("utf-8", "replace")
# Messages about the host (no systemd running here) are not ours.
mine = [l for l in out.splitlines() if tmp in l or "voicepact" in l]
is_((p.returncode, mine), (0, []), "systemd-analyze verify: clean")
if mine:
    diag(out)

for svc in ("voicepact.service", "voicepact-prune.service"):
    p = subprocess.run([sa, "security", "--offline=true", "--threshold=20",
                        os.path.join(tmp, svc)], cwd=tmp,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"Overall exposure level for %s: ([0-9.]+)"
                  % re.escape(svc), out)
    score = float(m.group(1)) if m else 99.0
    diag("systemd-analyze security --offline=true %s: exposure %s"
         % (svc, m.group(1) if m else "?"))
    ok(p.returncode == 0 and score <= 2.0,
       "%s: exposure %.1f <= 2.0 (--threshold=20 passes)" % (svc, score))

s = units["voicepact.socket"]
like(s, r"(?m)^ListenStream=/run/voicepact/fcgi\.sock$",
     "socket: a unix socket")
like(s, r"(?m)^SocketMode=0660$", "socket: mode 0660")
like(s, r"(?m)^SocketGroup=www-data$", "socket: nginx's group")
like(s, r"(?m)^Accept=no$", "socket: one service gets the listener")

s = units["voicepact.service"]
for rx, what in (
        (r"^Type=notify$", "Type=notify"),
        (r"^NotifyAccess=main$", "NotifyAccess=main (the master notifies)"),
        (r"^WatchdogSec=\d+", "WatchdogSec="),
        (r"^User=voicepact$", "a dedicated user"),
        (r"^StateDirectory=voicepact$", "StateDirectory= for the database"),
        (r"^LoadCredential=webhook-secret:", "the secret by LoadCredential="),
        (r"^LoadCredential=path-token:", "the token by LoadCredential="),
        (r"^ExecReload=/bin/kill -HUP \$MAINPID$", "reload is SIGHUP"),
        (r"^Requires=voicepact\.socket$", "socket-activated"),
        (r"^ExecStart=%s/voicepactd -c \S+$" % re.escape(bindir),
         "ExecStart runs voicepactd -c"),
        (r"^RestrictAddressFamilies=AF_UNIX$", "AF_UNIX only"),
        (r"^Restart=on-failure$", "restarted on failure")):
    like(s, "(?m)" + rx, "service: " + what)
unlike(s, r"(?i)secret\s*=|token\s*=\s*\w{16}",
       "service: no secret on a command line or in the unit")
like(units["voicepact-prune.timer"], r"(?m)^OnCalendar=daily$",
     "prune timer: daily")
like(units["voicepact-prune.service"],
     r"(?m)^ExecStart=\S+/voicepactctl -c \S+ prune --older-than ",
     "prune service: voicepactctl prune --older-than")

# What this build generated (configure's paths) is complete too.
for rel in ("systemd/voicepact.service", "systemd/voicepact.socket",
            "systemd/voicepact-prune.service", "app/man/voicepactd.8",
            "app/man/voicepactctl.8", "app/man/voicepact.conf.5"):
    if os.path.isfile(rel):
        with open(rel) as fh:
            unlike(fh.read(), r"@\w+@", "built %s: substituted" % rel)
    else:
        tap.skip("%s not built here" % rel)

done()
