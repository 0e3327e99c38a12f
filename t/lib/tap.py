"""tap.py: a tiny TAP emitter for the integration tests.

    from tap import ok, is_, like, diag, done
    ok(cond, "name"); is_(got, want, "name"); done()

The plan is printed at the end ("1..N"). done() first runs the cleanup
hooks (vp.Instance registers its teardown there, which adds its own
checks), then exits non-zero if any test failed. An uncaught exception
prints "Bail out!" and exits non-zero, after the same cleanup.
"""

import os
import re
import sys
import traceback

_n = 0
_failed = 0
_cleanups = []
_done = False


def _out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def diag(msg):
    """Prints msg as TAP comment lines."""
    for line in str(msg).splitlines() or [""]:
        _out("# " + line)


def ok(cond, name=""):
    """One test: passes if cond is true. Returns bool(cond)."""
    global _n, _failed
    _n += 1
    name = str(name).replace("\n", " ").replace("#", "\\#")
    if cond:
        _out("ok %d - %s" % (_n, name))
    else:
        _failed += 1
        _out("not ok %d - %s" % (_n, name))
    return bool(cond)


def todo(cond, name, reason):
    """A test expected to fail for a known reason (TAP TODO): the driver
    reports XFAIL, or XPASS once it passes."""
    global _n
    _n += 1
    name = str(name).replace("\n", " ").replace("#", "\\#")
    _out("%s %d - %s # TODO %s" % ("ok" if cond else "not ok", _n, name,
                                   reason))
    return bool(cond)


def is_(got, want, name=""):
    """Passes if got == want; shows both otherwise."""
    if ok(got == want, name):
        return True
    diag("     got: %r" % (got,))
    diag("expected: %r" % (want,))
    return False


def isnt(got, unwanted, name=""):
    """Passes if got != unwanted."""
    if ok(got != unwanted, name):
        return True
    diag("     got: %r (unwanted)" % (got,))
    return False


def like(got, regex, name=""):
    """Passes if the string got matches regex (re.search)."""
    if ok(got is not None and re.search(regex, got) is not None, name):
        return True
    diag("     got: %r" % (got,))
    diag("expected to match: %r" % (regex,))
    return False


def unlike(got, regex, name=""):
    """Passes if the string got does not match regex."""
    if ok(got is None or re.search(regex, got) is None, name):
        return True
    diag("     got: %r" % (got,))
    diag("expected not to match: %r" % (regex,))
    return False


def skip(reason, count=1):
    """Records count skipped tests."""
    global _n
    for _ in range(count):
        _n += 1
        _out("ok %d # SKIP %s" % (_n, reason))


def skip_all(reason):
    """Skips the whole file (automake's tap-driver counts it as SKIP)."""
    _run_cleanups()
    _out("1..0 # SKIP %s" % reason)
    sys.exit(0)


def bail_out(reason):
    """Aborts the file: the driver reports an ERROR."""
    _run_cleanups()
    _out("Bail out! %s" % str(reason).replace("\n", " "))
    sys.exit(1)


def add_cleanup(fn):
    """Registers fn to run (last registered first) before the plan."""
    _cleanups.append(fn)


def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception:
            diag("cleanup failed:\n" + traceback.format_exc())
            ok(False, "cleanup")


def failed():
    """Number of failed tests so far."""
    return _failed


def done():
    """Runs the cleanups, prints the plan, exits (1 if anything failed)."""
    global _done
    _run_cleanups()
    _done = True
    _out("1..%d" % _n)
    sys.exit(1 if _failed or _n == 0 else 0)


def _excepthook(etype, value, tb):
    diag("".join(traceback.format_exception(etype, value, tb)))
    _run_cleanups()
    _out("Bail out! %s: %s" % (etype.__name__,
        str(value).replace("\n", " ")))
    sys.stdout.flush()
    os._exit(1)


sys.excepthook = _excepthook
