# SPDX-License-Identifier: MIT
"""Slow and idle clients must not take the web page offline: with 200
connections from 127.0.0.2 that send one header line a second (slowloris)
or nothing at all, a user on 127.0.0.1 still loads the page and
GET /api/v1/status, each on a fresh connection. The bound here (5 s) is a
functional pass/fail; the latency is measured by bench/web/bench_slowloris.py
(docs/performance.md). Before the per-address limit, 0 of 5 loads
succeeded within 20 s."""

import http.client
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convergd_test import Checks  # noqa: E402
from web_harness import Client, Daemon, Slowloris  # noqa: E402

ATTACKER = "127.0.0.2"
USER = "127.0.0.1"
CONNECTIONS = 200
BOUND_S = 5.0

results = Checks()
check = results.check


def page_loads(port):
    """GET / on a new connection from USER; True on a 200 within BOUND_S."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=BOUND_S,
                                   source_address=(USER, 0))
    try:
        c.request("GET", "/")
        r = c.getresponse()
        return r.status == 200 and b"app.js" in r.read()
    except OSError:
        return False
    finally:
        c.close()


def status_loads(port, cookie):
    c = Client(port, source=USER)
    c.cookie = cookie
    try:
        c.conn = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=BOUND_S, source_address=(USER, 0))
        st, body, _ = c.call("GET", "/status")
        return st == 200 and "model" in str(body)
    except OSError:
        return False
    finally:
        c.close()


def login_works(port):
    c = Client(port, source=USER)
    try:
        return c.login("clearone", "converge")[0] == 200
    except OSError:
        return False
    finally:
        c.close()


def under_attack(d, mode, cookie):
    attack = Slowloris(d.web_port, ATTACKER, CONNECTIONS, mode)
    try:
        time.sleep(2)  # every worker civetweb has is offered to them
        pages = sum(page_loads(d.web_port) for _ in range(5))
        statuses = sum(status_loads(d.web_port, cookie) for _ in range(5))
        check(f"{mode}: 5 of 5 page loads from {USER}", pages == 5,
              f"{pages} of 5")
        check(f"{mode}: 5 of 5 GET /api/v1/status from {USER}",
              statuses == 5, f"{statuses} of 5")
        check(f"{mode}: a login works", login_works(d.web_port))
    finally:
        attack.stop()
    return attack.reopened


def main():
    d = Daemon()
    try:
        user = Client(d.web_port, source=USER)
        check("login before the attack",
              user.login("clearone", "converge")[0] == 200)
        user.close()
        for mode in ("slow", "idle"):
            reopened = under_attack(d, mode, user.cookie)
            print(f"   {mode}: the attacker had to reopen {reopened} "
                  "connections")
        log = d.log_text()
        check("the limit is logged", "per address" in log,
              log.splitlines()[-5:])
        check("the daemon is still serving", page_loads(d.web_port))
    finally:
        rc, took = d.stop()
    check("daemon stopped cleanly", rc == 0, f"exit {rc}")
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
