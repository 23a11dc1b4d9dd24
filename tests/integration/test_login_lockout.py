# SPDX-License-Identifier: MIT
"""One login-lockout table for the console and the web (core/lockout.c):
each service keeps its own counts and its own configured first delay
(the web's is no longer a hard-coded 2 s), the delay doubles with each
further failure, and a lockout in one service does not lock the other.
Only 127.0.0.0/8 is contacted; every wait is bounded."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console_util as cu  # noqa: E402
from web_harness import Client, Daemon  # noqa: E402

failed = 0


def check(what, cond):
    global failed
    print(("ok   - " if cond else "FAIL - ") + what)
    if not cond:
        failed += 1


def console_fail(port, password=b"wrong"):
    """One failed console login; the bytes the unit sent after it."""
    s = cu.at_user_prompt(port)
    s.sendall(b"clearone\r")
    cu.expect(s, cu.PASS_PROMPT)
    s.sendall(password + b"\r")
    got = cu.read_until(s, cu.INVALID)
    got += cu.silent(s, 0.3)
    s.close()
    return got


def main():
    d = Daemon(web_extra="lockout_after = 2\nlockout_delay = 7\n"
               "[console]\nlockout_failures = 2\nlockout_delay = 5\n")
    try:
        c = Client(d.web_port, source="127.0.0.3")
        st, _, _ = c.login("clearone", "bad-1")
        check(f"web failure 1 -> 401 ({st})", st == 401)
        st, _, _ = c.login("clearone", "bad-2")
        check(f"web failure 2 -> 401 ({st})", st == 401)
        st, body, h = c.login("clearone", "converge")
        check(f"web locked after lockout_after = 2 -> 429 ({st})",
              st == 429)
        check(f"web's first lockout is lockout_delay = 7 s "
              f"(Retry-After {h.get('retry-after')})",
              h.get("retry-after") == "7" and body["retry_after"] == 7)
        st, _, h = c.login("clearone", "bad-3")
        check(f"a failure while locked is still refused ({st})", st == 429)

        # the console has its own table and delay: not locked by the web
        got = console_fail(d.console_port)
        check("console failure 1 from 127.0.0.1 is only 'Invalid'",
              b"Too many" not in got)
        got = console_fail(d.console_port)
        check(f"console's first lockout is its lockout_delay = 5 s "
              f"({got!r})", b"try again in 5 s." in got)
        other = Client(d.web_port, source="127.0.0.4")
        st, _, _ = other.login("clearone", "converge")
        check(f"web from another address logs in ({st})", st == 200)
        s = cu.connect(d.console_port)
        got = cu.read_until(s, b"\r\n", timeout=5) + cu.silent(s, 0.3)
        s.close()
        check(f"console refuses the locked address at connect ({got!r})",
              b"Too many failed logins from 127.0.0.1" in got)
    finally:
        rc, _ = d.stop()
        check(f"daemon exits 0 ({rc})", rc == 0)
    print(f"{failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
