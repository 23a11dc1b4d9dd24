# SPDX-License-Identifier: MIT
"""Regression tests from a hostile-client review: inputs that once
crashed or misled the daemon, over the web API, the WebSocket and the
raw-TCP console, on 127.0.0.1 only. Each check says what a user would
have hit. Prints one line per check; exits 1 on any failure."""
import json
import os
import signal
import socket
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convergd_test import Console  # noqa: E402
from web_harness import Client, Daemon, WebSocket  # noqa: E402

results = []


def check(cond, what):
    results.append((bool(cond), what))
    print(("ok   - " if cond else "FAIL - ") + what)


def alive(d, adm):
    """The daemon still runs and still answers an API call."""
    if d.proc.poll() is not None:
        return False
    st, _, _ = adm.call("GET", "/session")
    return st == 200


def t_deeply_nested_json_is_400_not_a_crash(d, adm):
    # jansson recurses per level; civetweb workers have 100 KiB stacks
    for path, method in (("/settings", "PUT"), ("/restore", "POST"),
                         ("/command", "POST")):
        body = b'{"a":' * 20000 + b"1" + b"}" * 20000
        st, err, _ = adm.call(method, path, body)
        check(st == 400, f"{method} {path} nested 20000 deep -> {st}")
        check(err and "nested deeper" in err.get("error", ""),
              f"{method} {path}: error says why ({err})")
    st, err, _ = adm.call("PUT", "/settings", b"[" * 100000)
    check(st == 400, f"100000 '[' -> {st}")
    check(alive(d, adm), "daemon alive after deep JSON")


def t_deeply_nested_websocket_message_is_ignored(d, adm):
    ws = WebSocket(d.web_port, cookie=adm.cookie,
                   origin=f"http://127.0.0.1:{d.web_port}")
    check(ws.status == 101, f"websocket handshake {ws.status}")
    first = ws.recv()
    check(first.get("type") == "snapshot", "snapshot on connect")
    ws._frame(0x81, b"[" * 250)  # the server reads messages up to 256
    ws.send({"resync": True})
    deadline = time.monotonic() + 5
    kinds = []
    while time.monotonic() < deadline and "snapshot" not in kinds:
        kinds.append(ws.recv().get("type"))
    check("snapshot" in kinds, f"still answers a resync ({kinds})")
    ws.close()
    check(alive(d, adm), "daemon alive after a deep WebSocket message")


def t_console_over_long_line_with_own_address_names_it(d, adm):
    con = Console(d.console_port)
    room = con.send(b"#H0 LOCROOM\r")
    # commands.md §3: a line over 512 bytes that starts with this unit's
    # address answers with the address, any other one without
    cases = [
        (b"#H0 LOCROOM " + b"x" * 600 + b"\r",
         b"OK> #H0 ERROR ARGUMENT ERROR.\r\n"),
        (b"  #** VER " + b"y" * 600 + b"\r",
         b"OK> #H0 ERROR ARGUMENT ERROR.\r\n"),
        (b"#H5 VER " + b"y" * 600 + b"\r",
         b"OK> ERROR ARGUMENT ERROR.\r\n"),
        (b"z" * 2000 + b"\r", b"OK> ERROR ARGUMENT ERROR.\r\n"),
    ]
    for line, want in cases:
        got = con.send(line)
        check(got == want, f"{line[:16]!r}... ({len(line)} bytes) -> "
              f"{got!r}, wanted {want!r}")
    got = con.send(b"#H0 LOCROOM\r")
    check(got == room, f"room unchanged: {got!r}")
    con.close()


def burst_replies(cons, lines, d=None):
    """Send `lines` to every session at once (with the daemon `d` frozen
    meanwhile, so that one pass finds them all); True if all are
    answered."""
    import threading
    ok = []

    def read_all(con):
        con.sock.settimeout(60)
        try:
            n = 0
            while n < len(lines):  # other sessions' reports come too
                if con.until(b"\r\n").startswith(b"OK> "):
                    n += 1
            ok.append(True)
        except (OSError, TimeoutError, ConnectionError):
            ok.append(False)
    data = b"".join(lines)
    if d is not None:
        d.proc.send_signal(signal.SIGSTOP)
    try:
        for con in cons:
            con.sock.sendall(data)
    finally:
        if d is not None:
            d.proc.send_signal(signal.SIGCONT)
    readers = [threading.Thread(target=read_all, args=(c,)) for c in cons]
    for r in readers:
        r.start()
    for r in readers:
        r.join(120)
    return len(ok) == len(cons) and all(ok)


def t_pipelined_saves_do_not_hang_the_console(d, adm):
    # Each LOCROOM is saved (fsync) before its OK>. One pass used to run
    # 256 lines of every session before the heartbeat: with enough
    # sessions that is > 5 s, the supervisor found the console hung and
    # the whole daemon exited. Size the load from this disk's fsync time.
    con = Console(d.console_port)
    t0 = time.monotonic()
    check(burst_replies([con], [b"#H0 LOCROOM probe%d\r" % i
                                for i in range(100)]), "probe burst answered")
    per_save = max((time.monotonic() - t0) / 100, 1e-4)
    con.close()
    nsess = max(4, min(48, int(8.0 / (256 * per_save)) + 1))
    print(f"# {per_save * 1000:.2f} ms per save: {nsess} sessions x 256")
    cons = [Console(d.console_port) for _ in range(nsess)]
    lines = [b"#H0 LOCROOM s%d\r" % i for i in range(256)]
    check(burst_replies(cons, lines, d), f"{nsess} sessions: all answered")
    for c in cons:
        c.close()
    check(d.proc.poll() is None, "daemon still running")
    log = d.log_text()
    check("hung" not in log, "console never reported hung")
    con = Console(d.console_port)
    got = con.send(b"#H0 LOCROOM\r")
    check(got == b"OK> #H0 LOCROOM s255\r\n", f"last save kept: {got!r}")
    con.close()


def ws_until(ws, pred, timeout=5.0):
    """Messages until one satisfies `pred`; that one, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            m = ws.recv(max(0.05, deadline - time.monotonic()))
        except (OSError, ConnectionError):
            return None
        if pred(m):
            return m
    return None


def first_gain(snap):
    return snap["groups"][0]["channels"][0]["gain"]


def t_changes_reach_every_interface(d, adm):
    a, b = Console(d.console_port), Console(d.console_port)
    ws = WebSocket(d.web_port, cookie=adm.cookie,
                   origin=f"http://127.0.0.1:{d.web_port}")
    ws_until(ws, lambda m: m.get("type") == "snapshot")
    # web -> console and WebSocket
    st, r, _ = adm.call("POST", "/command", {"command": "#H0 GAIN 1 I -7 A"})
    check(st == 200 and r["reply"] == ["OK> #H0 GAIN 1 I -7.00 A"],
          f"web gain {st} {r}")
    got = a.until(b"\r\n")
    check(got == b"#H0 GAIN 1 I -7.00 A\r\n", f"console sees web gain {got!r}")
    b.until(b"#H0 GAIN 1 I -7.00 A\r\n")
    m = ws_until(ws, lambda m: m.get("type") == "change")
    check(m and m["line"] == "#H0 GAIN 1 I -7.00 A", f"ws change {m}")
    # a backup now, for the restore below
    st, backup, _ = adm.call("GET", "/backup")
    check(st == 200, "backup")
    # console preset recall -> other console and a WebSocket snapshot
    check(a.send(b"#H0 PRESETSTORE 2\r") == b"OK> #H0 PRESETSTORE 2\r\n",
          "store preset 2")
    a.send(b"#H0 GAIN 1 I -20 A\r")
    check(a.send(b"#H0 PRESET 2\r") == b"OK> #H0 PRESET 2\r\n", "recall")
    b.until(b"#H0 PRESET 2\r\n")
    m = ws_until(ws, lambda m: m.get("type") == "snapshot")
    check(m and first_gain(m) == -7.0, "ws snapshot after preset recall")
    # console DEFAULT -> "#H0 DEFAULT" to the other console, a snapshot
    check(a.send(b"#H0 DEFAULT\r") == b"OK> #H0 DEFAULT\r\n", "DEFAULT")
    got = b.send(b"#H0 GAIN 1 I\r")
    check(b"#H0 DEFAULT\r\n" in b.last_reports,
          f"other console told of DEFAULT: {b.last_reports!r}")
    check(got == b"OK> #H0 GAIN 1 I 0.00 A\r\n", f"gain after DEFAULT {got!r}")
    m = ws_until(ws, lambda m: m.get("type") == "snapshot")
    check(m and first_gain(m) == 0.0, "ws snapshot after DEFAULT")
    # web restore -> a snapshot with the backup's values; saved
    st, r, _ = adm.call("POST", "/restore", backup)
    check(st == 200, f"restore {st} {r}")
    m = ws_until(ws, lambda m: m.get("type") == "snapshot")
    check(m and first_gain(m) == -7.0, "ws snapshot after restore")
    got = a.send(b"#H0 GAIN 1 I\r")
    check(got == b"OK> #H0 GAIN 1 I -7.00 A\r\n",
          f"console after restore {got!r}")
    ws.close()
    a.close()
    b.close()


def t_console_user_demoted_or_deleted_loses_rights(d, adm):
    # a Telnet session kept its login level after the web page demoted
    # or deleted its user (web sessions follow the change at once)
    st, _, _ = adm.call("POST", "/users", {"name": "tech", "password":
                                           "pw-12345", "level": "Manager"})
    check(st == 201, f"add tech {st}")
    con = Console(d.console_port, "TECH", "pw-12345")
    got = con.send(b"#H0 LOCBLDG as-manager\r")
    check(got == b"OK> #H0 LOCBLDG as-manager\r\n", f"manager sets {got!r}")
    st, _, _ = adm.call("PUT", "/users/tech", {"level": "User"})
    check(st == 200, f"demote {st}")
    got = con.send(b"#H0 LOCBLDG as-user\r")
    check(got == b"OK> #H0 ERROR ACCESS DENIED.\r\n",
          f"demoted session refused {got!r}")
    got = con.send(b"#H0 GAIN 2 I -3 A\r")
    check(got == b"OK> #H0 GAIN 2 I -3.00 A\r\n", f"user level ok {got!r}")
    st, _, _ = adm.call("DELETE", "/users/tech")
    check(st == 200, f"delete {st}")
    try:
        con.sock.sendall(b"#H0 GAIN 2 I -9 A\r")
        tail = con.until(b"closing.\r\n")
        closed = con.sock.recv(100) == b""
    except (OSError, TimeoutError, ConnectionError) as e:
        tail, closed = repr(e).encode(), False
    check(tail.endswith(b"User TECH was removed; closing.\r\n") and closed,
          f"deleted user's session closed: {tail!r}")
    con.close()
    a = Console(d.console_port)
    got = a.send(b"#H0 GAIN 2 I\r")
    check(got == b"OK> #H0 GAIN 2 I -3.00 A\r\n", f"gain not changed {got!r}")
    a.close()


TESTS = [
    t_console_user_demoted_or_deleted_loses_rights,
    t_changes_reach_every_interface,
    t_pipelined_saves_do_not_hang_the_console,
    t_deeply_nested_json_is_400_not_a_crash,
    t_deeply_nested_websocket_message_is_ignored,
    t_console_over_long_line_with_own_address_names_it,
]


def main():
    # room for every session's reports of a whole burst (see below)
    d = Daemon(web_extra="max_body = 1048576\n"
               "[console]\nmax_output = 8388608\n")
    failed = 0
    try:
        adm = Client(d.web_port)
        st, _, _ = adm.login("clearone", "converge")
        check(st == 200, "login")
        for t in TESTS:
            try:
                t(d, adm)
            except Exception:
                failed += 1
                print("FAIL", t.__name__[2:])
                traceback.print_exc()
        log = d.log_text()
        check("Sanitizer" not in log and "runtime error" not in log,
              "no sanitizer report in the daemon log")
    finally:
        rc, took = d.stop()
    check(rc == 0, f"daemon exit {rc} after SIGTERM")
    failed += sum(1 for ok, _ in results if not ok)
    print(f"{len(results)} checks, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
