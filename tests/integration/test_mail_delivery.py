# SPDX-License-Identifier: MIT
"""The mail service against a real SMTP server (aiosmtpd) on 127.0.0.1:
who gets what (per-recipient mask and minimum severity), the message as
the server received it (RFC 5322 headers, CRLF, UTF-8), 550 and 451
recipients, a closed port, a server that never greets, AUTH PLAIN and
LOGIN, a wrong password, STARTTLS against a test CA with a certificate
for 127.0.0.1, and STARTTLS required but not offered."""
import os
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from mail_util import (LOGIN_MASK, MailDaemon, Silent, Sink,  # noqa: E402
                       fail_logins, free_port, header, make_ca, make_cert,
                       tls_context)

results = Checks()
check = results.check


def base(port, **more):
    s = {"mail.server": "127.0.0.1", "mail.port": str(port),
         "mail.from": "unit@example.org"}
    s.update(more)
    return s


def t_who_gets_what(d, port):
    sink = Sink(port)
    try:
        d.set(base(port, **{
            "unit.label": "Hall A",
            "mail.recipient1": f"ops@example.org {LOGIN_MASK} warning",
            "mail.recipient2": f"boss@example.org {LOGIN_MASK} error",
            "mail.recipient3": "audio@example.org 00008000",
            "mail.recipient4": f"bad@example.org {LOGIN_MASK}",
            "mail.to": "desk@example.org", "mail.events": LOGIN_MASK}))
        d.start()
        fail_logins(d.port, ["zoe"])
        got = sink.wait(1)
        check("one mail for one event", len(got) == 1, got)
        m = got[0] if got else {"to": [], "data": b""}
        check("only the wanting recipients (mask, severity), 550 refused",
              sorted(m["to"]) == ["desk@example.org", "ops@example.org"],
              m["to"])
        data = m["data"]
        check("CRLF only", b"\n" not in data.replace(b"\r\n", b""))
        for name in ("Date", "Message-ID", "From", "To", "Subject",
                     "MIME-Version"):
            check(f"header {name}", header(data, name), data[:400])
        check("UTF-8 text/plain",
              header(data, "Content-Type") == "text/plain; charset=UTF-8")
        subject = header(data, "Subject") or ""
        check("subject names unit and event",
              subject == "[Hall A 880TA #H0] warning: console login failed "
              "for user zoe from 127.0.0.1", subject)
        body = data.split(b"\r\n\r\n", 1)[-1].decode()
        check("body names event, unit and time",
              "console login failed for user zoe from 127.0.0.1" in body and
              "Hall A, 880TA #H0" in body and " UTC (local " in body, body)
        st = d.wait_status(lambda s: s.get("last_error"))
        check("refused recipient shown in the status",
              "550" in st.get("last_error", ""), st)
        check("refused recipient reported as an event",
              d.wait_event("bad@example.org refused: 550"))
        check("outbox empty", d.outbox() == [], d.outbox())
    finally:
        d.stop()
        sink.stop()


def t_451_retried_once(d, port):
    sink = Sink(port)
    sink.handler.slow_fails = 2
    try:
        d.set(base(port, **{"mail.recipient1": f"ok@example.org {LOGIN_MASK}",
                            "mail.recipient2":
                            f"slow@example.org {LOGIN_MASK}"}))
        d.start()
        fail_logins(d.port, ["u451"])
        got = sink.wait(2)
        tos = sorted(t for m in got for t in m["to"])
        check("451 recipient retried until delivered, each once",
              tos == ["ok@example.org", "slow@example.org"], tos)
        ids = {header(m["data"], "Message-ID") for m in got}
        check("the retry carries the same Message-ID", len(ids) == 1, ids)
        check("outbox empty after the retry",
              d.wait_status(lambda s: s["queued"] == 0)["queued"] == 0)
    finally:
        d.stop()
        sink.stop()


def t_closed_then_up(d, port):
    d.set(base(port, **{"mail.recipient1": f"ops@example.org {LOGIN_MASK}"}))
    d.start()
    fail_logins(d.port, ["down1"])
    st = d.wait_status(lambda s: s.get("last_failure"))
    check("closed port: failure in the status, mail kept",
          st.get("queued") == 1 and "refused" in st.get("last_error", ""), st)
    sink = Sink(port)
    try:
        got = sink.wait(1)
        check("server up: the queued mail arrives", len(got) == 1)
    finally:
        d.stop()
        sink.stop()


def t_silent_server(d, port):
    silent = Silent(port)
    try:
        d.set(base(port, **{"mail.recipient1":
                            f"ops@example.org {LOGIN_MASK}"}))
        d.start()
        fail_logins(d.port, ["silent"])
        st = d.wait_status(lambda s: s.get("last_failure"))
        check("server that never greets: retry, mail kept",
              st.get("queued") == 1 and "will retry" in st["last_error"], st)
        check("daemon still answers", d.proc.poll() is None)
        d.wait_status(lambda s: False, timeout=6)   # a second attempt
        check("mail service never taken for hung", "mail hung" not in d.log(),
              d.log()[-500:])
    finally:
        d.stop()
        silent.stop()


def t_auth(d, port):
    for mech, user, pw, ok in (("PLAIN", "unit", "s3cret", True),
                               ("LOGIN", "unit", "s3cret", True),
                               ("PLAIN", "unit", "nope", False)):
        sink = Sink(port, auth=("unit", "s3cret"), mechanisms=[mech])
        try:
            d.set(base(port, **{"mail.recipient1":
                                f"ops@example.org {LOGIN_MASK}",
                                "mail.user": user, "mail.password": pw}))
            d.start()
            fail_logins(d.port, [f"auth{ok}"])
            if ok:
                got = sink.wait(1)
                check(f"AUTH {mech}: delivered, authenticated",
                      len(got) == 1 and got[0]["auth"], got)
            else:
                st = d.wait_status(lambda s: s.get("held"))
                check("535: outbox held, reason in the status",
                      st.get("held") and st.get("queued") == 1 and
                      "53" in st.get("last_error", ""), st)
                check("535: nothing delivered", sink.handler.taken() == [])
        finally:
            d.stop()
            sink.stop()


def tls_case(d, port, ctx, security, user, delivered=True):
    """One alert through a server with `ctx` (None = no TLS offered),
    waiting for it to arrive or, if not `delivered`, to be held."""
    sink = Sink(port, tls_context=ctx, require_starttls=ctx is not None)
    try:
        d.set(base(port, **{"mail.recipient1": f"ops@example.org {LOGIN_MASK}",
                            "mail.security": security}))
        d.start()
        fail_logins(d.port, [user])
        # room for a slow machine: the time-outs are 2 s per step, and
        # retries follow a failed attempt
        if delivered:
            got = sink.wait(1, 40)
            st = d.status()
        else:
            st = d.wait_status(lambda s: s.get("held"), timeout=40)
            got = sink.wait(1, 2)
        if not got:     # what the daemon saw, for a failure report
            st = dict(st, log=d.log()[-1500:])
        return got, st
    finally:
        d.stop()
        sink.stop()


def t_starttls(d, port, folder):
    cert, key = os.path.join(folder, "srv.pem"), os.path.join(folder, "srv.key")
    got, st = tls_case(d, port, tls_context(cert, key), "starttls", "tls1")
    check("STARTTLS, certificate for 127.0.0.1 by IP accepted",
          len(got) == 1 and got[0]["tls"], (got, st))
    got, st = tls_case(d, port, tls_context(cert, key), "starttls_optional",
                       "tls2")
    check("starttls_optional with a server offering it: TLS used",
          len(got) == 1 and got[0]["tls"], (got, st))
    got, st = tls_case(d, port, None, "starttls_optional", "tls3")
    check("starttls_optional, server without it: sent in clear",
          len(got) == 1 and not got[0]["tls"], (got, st))
    # the same CA, but a certificate for a DNS name only: our IP check
    # must refuse it (libESMTP alone would, too: it never matches IPs)
    cert2, key2 = make_cert(folder, "DNS:localhost", "dns-")
    got, st = tls_case(d, port, tls_context(cert2, key2), "starttls", "tls4",
                       delivered=False)
    check("certificate without the server's IP: refused, outbox held",
          got == [] and st.get("held") and
          "certificate" in st.get("last_error", ""), st)


def t_starttls_not_offered(d, port):
    sink = Sink(port)
    try:
        d.set(base(port, **{"mail.recipient1": f"ops@example.org {LOGIN_MASK}",
                            "mail.security": "starttls"}))
        d.start()
        fail_logins(d.port, ["notls"])
        st = d.wait_status(lambda s: s.get("held"))
        check("STARTTLS required, not offered: held, nothing sent in clear",
              st.get("held") and sink.handler.taken() == [], st)
        d.set({})
    finally:
        d.stop()
        sink.stop()


def main():
    folder = tempfile.mkdtemp(prefix="convergd-mailca-")
    # the silent server with the default 4 s per step: under the 5 s
    # hang detection, so the service is never taken for hung
    tests = [(t_who_gets_what, ""), (t_451_retried_once, ""),
             (t_closed_then_up, ""), (t_silent_server, "timeout_s = 4\n"),
             (t_auth, ""), (t_starttls_not_offered, "")]
    try:
        for t, cfg in tests:
            d = MailDaemon(mail_cfg=cfg)
            try:
                t(d, free_port())
                d.finish(check)
            finally:
                d.cleanup()
        make_ca(folder)     # the CA file must exist when the service starts
        d = MailDaemon(mail_cfg=f"ca_file = {folder}/ca.pem\n")
        try:
            t_starttls(d, free_port(), folder)
            d.finish(check)
        finally:
            d.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
