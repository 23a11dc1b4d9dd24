# SPDX-License-Identifier: MIT
"""The mail service seen from the web: POST /api/v1/mail/test (through
svc_request to the mail service's own thread) answers 200 with the SMTP
server's final reply, or 502 with the reason (closed port, no greeting,
535, 550); it goes past the outbox; only an Administrator with the CSRF
token may send one. GET /api/v1/status carries "mail" (queued,
last_error...) after a failed delivery. Real aiosmtpd on 127.0.0.1."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from mail_util import LOGIN_MASK, Silent, Sink, fail_logins, free_port, \
    header  # noqa: E402
from web_harness import Client, Daemon  # noqa: E402

results = Checks()
check = results.check


def outbox(d):
    folder = os.path.join(d.dir, "spool", "mail")
    return [n for n in os.listdir(folder) if n.endswith(".mail")]


def put(adm, settings):
    st, body, _ = adm.call("PUT", "/settings", settings)
    check(f"settings accepted ({st})", st == 200, body)


def server(adm, port, **more):
    s = {"mail.server": "127.0.0.1", "mail.port": str(port),
         "mail.from": "unit@example.org", "mail.to": "desk@example.org",
         "mail.user": "", "mail.events": LOGIN_MASK}
    s.update(more)
    put(adm, s)


def t_sent(d, adm):
    port = free_port()
    sink = Sink(port)
    try:
        server(adm, port)
        st, body, _ = adm.call("POST", "/mail/test", {})
        check(f"test mail: 200 with the server's final reply ({st})",
              st == 200 and body.get("reply") == "250 2.0.0 accepted",
              body)
        got = sink.wait(1)
        check("the server got one mail, to the configured recipient",
              len(got) == 1 and got[0]["to"] == ["desk@example.org"], got)
        check("it says it is a test",
              got and "Test mail" in header(got[0]["data"], "Subject"),
              got and header(got[0]["data"], "Subject"))
        st, body, _ = adm.call("POST", "/mail/test",
                               {"to": "zoe@example.org"})
        got = sink.wait(2)
        check("a 'to' in the body is the only recipient",
              st == 200 and len(got) == 2 and
              got[1]["to"] == ["zoe@example.org"], (st, body, got))
        check("the test mail went past the outbox", outbox(d) == [],
              outbox(d))
        st, body, _ = adm.call("POST", "/mail/test", {"to": "bad@example.org"})
        check(f"550 recipient: 502 with the server's words ({st})",
              st == 502 and "550" in body.get("error", ""), body)
        st, body, _ = adm.call("POST", "/mail/test", {"to": "not an address"})
        check(f"bad 'to': 400 naming it ({st})",
              st == 400 and body.get("field") == "to", body)
    finally:
        sink.stop()


def t_auth(adm):
    port = free_port()
    sink = Sink(port, auth=("unit", "right"))
    try:
        server(adm, port, **{"mail.user": "unit",
                             "mail.password": "wrong"})
        st, body, _ = adm.call("POST", "/mail/test", {})
        check(f"wrong password: 502 with the 535 ({st})",
              st == 502 and "535" in body.get("error", ""), body)
        check("nothing was delivered", sink.handler.taken() == [])
    finally:
        sink.stop()
        put(adm, {"mail.user": ""})


def t_unreachable(d, adm):
    silent_port = free_port()
    silent = Silent(silent_port)
    try:
        server(adm, silent_port)
        t0 = time.monotonic()
        st, body, _ = adm.call("POST", "/mail/test", {})
        took = time.monotonic() - t0
        check(f"no greeting: 502 saying time-out ({st}, {took:.1f} s)",
              st == 502 and body.get("error", "").startswith("time-out"),
              body)
    finally:
        silent.stop()
    closed = free_port()
    server(adm, closed)
    st, body, _ = adm.call("POST", "/mail/test", {})
    check(f"closed port: 502 saying the connection was refused ({st})",
          st == 502 and "refused" in body.get("error", "").lower(), body)
    check("a failed test mail queues nothing", outbox(d) == [], outbox(d))
    return closed


def t_status(d, adm):
    # the server is the closed port: an alert stays queued
    fail_logins(d.console_port, ["zoe"])
    deadline = time.monotonic() + 20
    mail = {}
    while time.monotonic() < deadline:
        st, body, _ = adm.call("GET", "/status")
        mail = (body or {}).get("mail") or {}
        if mail.get("queued") == 1 and mail.get("last_error"):
            break
        time.sleep(0.1)
    check("status: the failed alert is queued, with its error",
          mail.get("queued") == 1 and "refused" in mail["last_error"].lower()
          and mail.get("last_failure") and mail.get("dropped") == 0 and
          "last_success" in mail, mail)


def t_who_may(d, adm):
    for name, level in (("op", "User"), ("tech", "Manager")):
        adm.call("POST", "/users", {"name": name, "password": name +
                                    "-pass-123", "level": level})
        c = Client(d.web_port)
        c.login(name, name + "-pass-123")
        st, body, _ = c.call("POST", "/mail/test", {})
        check(f"a {level} may not send a test mail ({st})", st == 403, body)
        c.close()
    st, body, _ = adm.call("POST", "/mail/test", {}, csrf=False)
    check(f"without the CSRF token: 403 ({st})", st == 403 and
          body.get("field") == "X-CSRF-Token", body)


def main():
    d = Daemon(web_extra="[mail]\ntimeout_s = 2\nretry_min_s = 1\n"
               "retry_max_s = 2\n[console]\nlockout_failures = 0\n")
    try:
        adm = Client(d.web_port)
        st, _, _ = adm.login("clearone", "converge")
        check(f"login ({st})", st == 200)
        t_sent(d, adm)
        t_auth(adm)
        t_unreachable(d, adm)
        t_status(d, adm)
        t_who_may(d, adm)
        adm.close()
    finally:
        rc, _ = d.stop()
        check("daemon stopped cleanly (exit 0)", rc == 0, rc)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
