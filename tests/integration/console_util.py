# SPDX-License-Identifier: MIT
"""Helpers shared by the console integration tests (test_console_*.py):
exact-byte reads on raw sockets and a tiny test runner. Only 127.0.0.1
is contacted; every wait is bounded."""
import os
import socket
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convergd_test import Daemon  # noqa: E402

BANNER = (b"\r\n************\r\n* Converge *\r\n************\r\n"
          b"Version 4.4.0.2\r\n\r\n")
USER_PROMPT = b"\r\nuser: "
PASS_PROMPT = b"\r\npass: "
AUTH_ADMIN = (b"\r\n\r\nAuthenticated.\r\nText Mode Engaged\r\n\r\n"
              b"Level: Administrator\r\n")
INVALID = b"\r\nInvalid User/Pass.\r\n"


def connect(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout)
    s.settimeout(timeout)
    return s


def read_exact(sock, n, timeout=5):
    """Exactly n bytes, or what came before the time-out / close."""
    deadline = time.monotonic() + timeout
    buf = b""
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(n - len(buf))
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    return buf


def expect(sock, want, timeout=5):
    got = read_exact(sock, len(want), timeout)
    assert got == want, f"expected {want!r}, got {got!r}"


def read_until(sock, marker, timeout=5, limit=1 << 20):
    deadline = time.monotonic() + timeout
    buf = b""
    while marker not in buf:
        left = deadline - time.monotonic()
        assert left > 0 and len(buf) < limit, \
            f"no {marker!r} within {timeout}s in {buf[-300:]!r}"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        assert chunk, f"closed before {marker!r}; got {buf[-300:]!r}"
        buf += chunk
    return buf


def silent(sock, wait=0.2):
    """Nothing more arrives within `wait` seconds (b'' if so)."""
    sock.settimeout(wait)
    try:
        return sock.recv(65536)
    except socket.timeout:
        return b""


def closed_within(sock, timeout=5):
    """True if the peer closes (EOF or reset) within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not sock.recv(65536):
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False


def at_user_prompt(port):
    """A new connection that has read the banner and the user prompt."""
    s = connect(port)
    expect(s, BANNER + USER_PROMPT)
    return s


def login(port, user=b"clearone", password=b"converge", eol=b"\r"):
    s = at_user_prompt(port)
    s.sendall(user + eol)
    expect(s, PASS_PROMPT)
    s.sendall(password + eol)
    expect(s, AUTH_ADMIN)
    return s


def run(tests, extra="", prepare=None):
    """Start a daemon, run each test(daemon), report, exit non-zero on a
    failure. Cleans up the daemon and its folder whatever happens.
    prepare(daemon), if given, runs before the start (to edit its config)."""
    d = Daemon(extra=extra)
    failed = 0
    try:
        if prepare is not None:
            prepare(d)
        d.start()
        for t in tests:
            began = time.monotonic()
            try:
                t(d)
                print(f"ok   - {t.__name__} ({time.monotonic() - began:.2f}s)")
            except Exception:
                failed += 1
                print(f"FAIL - {t.__name__}")
                traceback.print_exc(file=sys.stdout)
        if d.proc.poll() is not None:
            failed += 1
            print("FAIL - daemon exited during the tests")
        else:
            # a clean stop: exit 0 (sanitizers report leaks at exit)
            rc = d.stop()
            if rc != 0:
                failed += 1
                print(f"FAIL - daemon exit {rc} after SIGTERM")
        if failed:
            print("---- daemon log (tail) ----")
            print(d.log()[-4000:])
    finally:
        d.cleanup()
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
