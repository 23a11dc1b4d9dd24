# SPDX-License-Identifier: MIT
"""Console logins against the real daemon: user names ignore case and
passwords do not, three failures close a session, repeated failures from
127.0.0.1 lock the address out with a doubling delay, idle sessions are
closed. The daemon runs with small limits (see CONFIG)."""
import time

import console_util as cu

CONFIG = """[console]
lockout_failures = 4
lockout_delay = 1
idle_timeout = 2
"""


def fail_once(s, user=b"clearone", password=b"wrong"):
    s.sendall(user + b"\r")
    cu.expect(s, cu.PASS_PROMPT)
    s.sendall(password + b"\r")
    cu.expect(s, cu.INVALID)


def clear_record(d):
    """A good login clears 127.0.0.1's failure count."""
    cu.login(d.port).close()


def user_name_ignores_case_password_does_not(d):
    s = cu.login(d.port, user=b"CLEARONE")
    s.close()
    s = cu.at_user_prompt(d.port)
    fail_once(s, password=b"CONVERGE")
    cu.expect(s, cu.USER_PROMPT)
    s.close()
    clear_record(d)


def three_failures_close_the_session(d):
    s = cu.at_user_prompt(d.port)
    fail_once(s)
    cu.expect(s, cu.USER_PROMPT)
    fail_once(s, user=b"nobody")
    cu.expect(s, cu.USER_PROMPT)
    fail_once(s)
    assert cu.closed_within(s, 3), "third failure must close the session"
    s.close()
    clear_record(d)


def over_long_user_name_just_fails(d):
    s = cu.at_user_prompt(d.port)
    fail_once(s, user=b"u" * 5000, password=b"converge")
    cu.expect(s, cu.USER_PROMPT)
    s.close()
    clear_record(d)


def lockout_after_repeated_failures_doubles(d):
    s = cu.at_user_prompt(d.port)
    for _ in range(3):
        fail_once(s)
        if _ < 2:
            cu.expect(s, cu.USER_PROMPT)
    assert cu.closed_within(s, 3)
    s.close()
    # the 4th failure from this address starts a 1 s lockout
    s = cu.at_user_prompt(d.port)
    fail_once(s)
    cu.expect(s, b"Too many failed logins from 127.0.0.1; try again in 1 s."
              b"\r\n")
    assert cu.closed_within(s, 3)
    s.close()
    # while locked out, a new connection gets one line and is closed
    s = cu.connect(d.port)
    cu.expect(s, b"Too many failed logins from 127.0.0.1; try again in 1 s."
              b"\r\n")
    assert cu.closed_within(s, 3)
    s.close()
    time.sleep(1.1)
    # next failure locks again, twice as long
    s = cu.at_user_prompt(d.port)
    fail_once(s)
    cu.expect(s, b"Too many failed logins from 127.0.0.1; try again in 2 s."
              b"\r\n")
    s.close()
    s = cu.connect(d.port)
    got = cu.read_until(s, b"\r\n")
    assert got.startswith(b"Too many failed logins from 127.0.0.1; try "
                          b"again in "), got
    s.close()
    time.sleep(2.1)
    clear_record(d)
    log = d.log()
    assert "127.0.0.1 locked out for 1 s" in log, log[-2000:]
    assert "127.0.0.1 locked out for 2 s" in log
    assert "login failed for user \"clearone\"" in log


def login_failures_are_events(d):
    # the supervisor logs every bus event; ours carry the address
    log = d.log()
    assert "console login failed for user clearone from 127.0.0.1" in log, \
        log[-2000:]
    assert "console logins from 127.0.0.1 locked out for 1 s" in log


def idle_session_is_closed(d):
    s = cu.login(d.port)
    s.sendall(b"#** VER\r")
    cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n")
    t0 = time.monotonic()
    cu.expect(s, b"\r\nSession idle for 2 s; closing.\r\n", timeout=5)
    took = time.monotonic() - t0
    assert 1.5 < took < 3.5, took
    assert cu.closed_within(s, 3)
    s.close()


def idle_timer_restarts_on_input(d):
    s = cu.login(d.port)
    for _ in range(4):
        time.sleep(1)
        s.sendall(b"#** VER\r")
        cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n")
    s.close()


if __name__ == "__main__":
    cu.run([
        user_name_ignores_case_password_does_not,
        three_failures_close_the_session,
        over_long_user_name_just_fails,
        lockout_after_repeated_failures_doubles,
        login_failures_are_events,
        idle_session_is_closed,
        idle_timer_restarts_on_input,
    ], extra=CONFIG)
