# SPDX-License-Identifier: MIT
"""Console sessions against the real daemon: changes reported to the other
sessions, the 64-session limit, a client that never reads, and bad input
(binary garbage, a 1 MiB line, IAC storms) that must not stop the service.
Raw TCP on 127.0.0.1 only; every wait is bounded."""
import os
import random
import socket
import time

import console_util as cu

MAX_OUTPUT = 65536


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_sessions_gone(d, timeout=3):
    """Let the daemon notice closed sockets (the 64 limit counts them)."""
    time.sleep(0.3)


def change_reported_to_other_session_only(d):
    a = cu.login(d.port)
    b = cu.login(d.port)
    a.sendall(b"#H0 GAIN 4 M -7 A\r")
    cu.expect(a, b"OK> #H0 GAIN 4 M -7.00 A\r\n")
    cu.expect(b, b"#H0 GAIN 4 M -7.00 A\r\n")
    # the maker had its OK> reply and gets no bare copy
    assert cu.silent(a, 0.3) == b""
    b.sendall(b"#H0 MUTE 4 M 1\r")
    cu.expect(b, b"OK> #H0 MUTE 4 M 1\r\n")
    cu.expect(a, b"#H0 MUTE 4 M 1\r\n")
    assert cu.silent(b, 0.3) == b""
    a.close()
    b.close()


def not_logged_in_sessions_get_no_reports(d):
    a = cu.login(d.port)
    b = cu.at_user_prompt(d.port)
    a.sendall(b"#H0 GAIN 5 M -8 A\r")
    cu.expect(a, b"OK> #H0 GAIN 5 M -8.00 A\r\n")
    assert cu.silent(b, 0.3) == b""
    a.close()
    b.close()


def sixty_four_sessions_then_refusal(d):
    wait_sessions_gone(d)
    socks = [cu.login(d.port) for _ in range(64)]
    for s in socks:
        s.sendall(b"#** VER\r")
    for s in socks:
        cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n")
    extra = cu.connect(d.port)
    cu.expect(extra, b"Too many sessions (64); try again later.\r\n")
    assert cu.closed_within(extra, 3), "refused session must be closed"
    extra.close()
    socks.pop().close()
    # the freed slot is usable again (bounded retry while it is noticed)
    deadline = time.monotonic() + 5
    while True:
        s = cu.connect(d.port)
        first = cu.read_exact(s, 3)
        if first == cu.BANNER[:3]:
            break
        s.close()
        assert time.monotonic() < deadline, "slot never freed"
        time.sleep(0.1)
    s.close()
    for s in socks:
        s.close()
    wait_sessions_gone(d)


def full_console_evicts_oldest_session_at_the_login_prompt(d):
    wait_sessions_gone(d)
    logged = [cu.login(d.port) for _ in range(60)]
    idle = []
    for _ in range(4):  # connections that never log in
        s = cu.connect(d.port)
        cu.read_until(s, b"user: ")
        idle.append(s)
        time.sleep(0.02)
    # full: a new client still gets in, in the place of the oldest idle one
    newcomer = cu.login(d.port)
    newcomer.sendall(b"#** VER\r")
    cu.expect(newcomer, b"OK> #H0 VER 4.4.0.2\r\n")
    cu.expect(idle[0], b"\r\nSession closed: the unit needs this slot for "
              b"a new connection.\r\n")
    assert cu.closed_within(idle[0], 3), "evicted session must be closed"
    for s in idle[1:]:
        assert cu.silent(s) == b"", "younger idle sessions are kept"
    # logged-in sessions are never evicted: with no idle one left, refusal
    for s in idle[1:]:
        s.close()
    more = [cu.login(d.port) for _ in range(3)]
    extra = cu.connect(d.port)
    cu.expect(extra, b"Too many sessions (64); try again later.\r\n")
    for s in logged + more + [newcomer]:
        s.sendall(b"#** VER\r")
    for s in logged + more + [newcomer]:
        cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n")
        s.close()
    extra.close()
    idle[0].close()
    wait_sessions_gone(d)


def stalled_reader_does_not_slow_others(d):
    stalled = cu.login(d.port)
    stalled.setblocking(False)
    sent = 0
    chunk = b"#** VER\r" * 8192
    deadline = time.monotonic() + 5
    # fill every buffer between us and the daemon; never read
    while time.monotonic() < deadline:
        try:
            sent += stalled.send(chunk)
        except BlockingIOError:
            break
    assert sent > 100000, f"only {sent} bytes accepted"
    worker = cu.login(d.port)
    worst = 0.0
    for i in range(200):
        t0 = time.monotonic()
        worker.sendall(b"#H0 GAIN 6 M %d A\r" % (-(i % 40)))
        cu.expect(worker, b"OK> #H0 GAIN 6 M %d.00 A\r\n" % (-(i % 40)))
        worst = max(worst, time.monotonic() - t0)
    assert worst < 0.25, f"worst latency {worst:.3f}s"
    worker.close()
    stalled.close()


def stalled_reader_of_reports_is_disconnected(d):
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(("127.0.0.1", d.port))
    stalled.settimeout(5)
    cu.read_until(stalled, b"user: ")
    stalled.sendall(b"clearone\r")
    cu.read_until(stalled, b"pass: ")
    stalled.sendall(b"converge\r")
    cu.read_until(stalled, b"Administrator\r\n")
    worker = cu.login(d.port)
    # every change is a bare line for the stalled session
    batch = b"".join(b"#H0 GAIN 7 M %d A\r" % (-(i % 50)) for i in range(500))
    deadline = time.monotonic() + 30
    dropped = False
    rounds = 0
    while time.monotonic() < deadline and not dropped:
        # a batch of changes, then wait for all its replies
        worker.sendall(batch + b"#H0 UID\r")
        cu.read_until(worker, b"OK> #H0 UID 0A1B2C3D\r\n", timeout=10)
        dropped = "output buffer full" in d.log()
        rounds += 1
    print(f"    dropped after {rounds} rounds of 500 changes")
    assert dropped, "a reader that never reads must be dropped"
    assert "reader too slow: disconnecting" in d.log()
    # and the worker was never affected
    worker.sendall(b"#** VER\r")
    cu.read_until(worker, b"OK> #H0 VER 4.4.0.2\r\n")
    worker.close()
    stalled.close()


def binary_garbage_then_service_works(d):
    rng = random.Random(20240501)
    s = cu.login(d.port)
    garbage = bytes(rng.getrandbits(8) for _ in range(65536))
    s.sendall(garbage + b"\r\r#** VER\r")
    cu.read_until(s, b"OK> #H0 VER 4.4.0.2\r\n", timeout=10, limit=8 << 20)
    s.close()
    fresh = cu.login(d.port)
    fresh.sendall(b"#** VER\r")
    cu.expect(fresh, b"OK> #H0 VER 4.4.0.2\r\n")
    fresh.close()


def one_mebibyte_line_is_dropped_session_survives(d):
    s = cu.login(d.port)
    s.sendall(b"#H0 LABEL 1 M " + b"A" * (1 << 20) + b"\r#** VER\r")
    # commands.md §3: it starts with this unit's address, so the error
    # names it
    cu.expect(s, b"OK> #H0 ERROR ARGUMENT ERROR.\r\n"
              b"OK> #H0 VER 4.4.0.2\r\n", timeout=10)
    s.close()


def iac_storm_gets_three_refusals_and_memory_stays(d):
    before = rss_kib(d.proc.pid)
    s = cu.login(d.port)
    storm = b"\xff\xfd\x01" * (1 << 18) + b"\xff\xfa\x18" + b"x" * 5000
    storm += b"\xff\xf0" + b"\xff\xfb\x03" * (1 << 16)
    s.sendall(storm + b"\r#** VER\r")
    got = cu.read_until(s, b"OK> #H0 VER 4.4.0.2\r\n", timeout=10)
    # three refusals per option, then silence; the SB is abandoned after
    # 1024 bytes and its last 3976 junk bytes make an over-long line
    assert got == (b"\xff\xfc\x01" * 3 + b"\xff\xfe\x03" * 3 +
                   b"OK> ERROR ARGUMENT ERROR.\r\n"
                   b"OK> #H0 VER 4.4.0.2\r\n"), got[:200]
    s.close()
    grown = rss_kib(d.proc.pid) - before
    assert grown < 16 * 1024, f"RSS grew {grown} KiB"
    fresh = cu.login(d.port)
    fresh.sendall(b"#** VER\r")
    cu.expect(fresh, b"OK> #H0 VER 4.4.0.2\r\n")
    fresh.close()


def half_closed_client_gets_every_reply(d):
    # like `printf ... | nc -N`: send everything, shut our side, read all
    s = cu.login(d.port)
    s.sendall(b"#H0 GAIN 8 M -1 A\r" * 2000 + b"#** VER\r")
    s.shutdown(socket.SHUT_WR)
    got = b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    assert got == b"OK> #H0 GAIN 8 M -1.00 A\r\n" * 2000 + \
        b"OK> #H0 VER 4.4.0.2\r\n", (len(got), got[-100:])
    s.close()


def session_that_never_logs_in_is_closed(d):
    s = cu.at_user_prompt(d.port)
    s.sendall(b"clearone\r")
    cu.expect(s, cu.PASS_PROMPT)
    t0 = time.monotonic()
    # typing does not extend the login time, only logging in does
    cu.expect(s, b"\r\nLogin timed out after 2 s.\r\n", timeout=5)
    assert time.monotonic() - t0 < 2.5
    assert cu.closed_within(s, 3)
    s.close()


def abrupt_disconnects_are_harmless(d):
    for _ in range(20):
        s = cu.connect(d.port)
        s.sendall(b"clearone\r")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()   # RST
    fresh = cu.login(d.port)
    fresh.sendall(b"#** VER\r")
    cu.expect(fresh, b"OK> #H0 VER 4.4.0.2\r\n")
    fresh.close()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    cu.run([
        change_reported_to_other_session_only,
        not_logged_in_sessions_get_no_reports,
        sixty_four_sessions_then_refusal,
        full_console_evicts_oldest_session_at_the_login_prompt,
        stalled_reader_does_not_slow_others,
        stalled_reader_of_reports_is_disconnected,
        binary_garbage_then_service_works,
        one_mebibyte_line_is_dropped_session_survives,
        iac_storm_gets_three_refusals_and_memory_stays,
        half_closed_client_gets_every_reply,
        session_that_never_logs_in_is_closed,
        abrupt_disconnects_are_harmless,
    ], extra=f"[console]\nmax_output = {MAX_OUTPUT}\nlogin_timeout = 2\n")
