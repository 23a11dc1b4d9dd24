# SPDX-License-Identifier: MIT
"""TLS on connect (mail.security = tls, SMTPS) against aiosmtpd speaking
only TLS on 127.0.0.1, with a test CA made here: a certificate for
127.0.0.1 by IP is accepted and the mail (with AUTH) arrives; a
certificate without that IP is refused, nothing is sent and the outbox
is held; a server speaking clear text is a retried failure."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from mail_util import (LOGIN_MASK, MailDaemon, Sink, fail_logins,  # noqa: E402
                       free_port, header, make_ca, make_cert, tls_context)

results = Checks()
WAIT = 60       # generous: TLS key exchange on a loaded 2-core machine


def check(what, cond, detail="", d=None):
    results.check(what, cond, detail)
    if not cond and d is not None:
        print(f"# status {d.status()}")
        for line in d.log().splitlines()[-25:]:
            print("#   " + line)


def base(port, **more):
    s = {"mail.server": "127.0.0.1", "mail.port": str(port),
         "mail.security": "tls", "mail.from": "unit@example.org",
         "mail.recipient1": f"ops@example.org {LOGIN_MASK}"}
    s.update(more)
    return s


def t_delivered(d, port, cert, key):
    sink = Sink(port, smtps_context=tls_context(cert, key),
                auth=("unit", "s3cret"))
    try:
        d.set(base(port, **{"mail.user": "unit",
                            "mail.password": "s3cret"}))
        d.start()
        fail_logins(d.port, ["smtps"])
        got = sink.wait(1, timeout=WAIT)
        m = got[0] if got else {"to": [], "data": b"", "auth": None}
        check("TLS on connect, certificate for 127.0.0.1 by IP: delivered",
              m["to"] == ["ops@example.org"], got, d)
        check("whole message through the relay, AUTH included",
              m["auth"] is not None and (header(m["data"], "Subject") or "")
              .endswith("console login failed for user smtps from "
                        "127.0.0.1"), m, d)
        st = d.wait_status(lambda s: s.get("last_success") and
                           s.get("queued") == 0, timeout=WAIT)
        check("status: sent, outbox empty, not held",
              st.get("last_success") and st.get("queued") == 0 and
              not st.get("held"), st, d)
        fail_logins(d.port, ["again"])
        got = sink.wait(2, timeout=WAIT)
        check("a second mail over a new TLS connection", len(got) == 2,
              len(got), d)
    finally:
        d.stop()
        sink.stop()


def t_wrong_cert(d, port, cert, key):
    sink = Sink(port, smtps_context=tls_context(cert, key))
    try:
        d.set(base(port))
        d.start()
        fail_logins(d.port, ["wrongcert"])
        st = d.wait_status(lambda s: s.get("held"), timeout=WAIT)
        check("certificate without the IP: refused, outbox held",
              st.get("held") and st.get("queued") == 1 and
              "certificate" in st.get("last_error", ""), st, d)
        check("nothing delivered", sink.handler.taken() == [],
              sink.handler.taken(), d)
        check("kept in the outbox", len(d.outbox()) == 1, d.outbox(), d)
    finally:
        d.stop()
        sink.stop()


def t_clear_server(d, port):
    sink = Sink(port)       # speaks clear text: no TLS handshake
    try:
        d.set(base(port))
        d.start()
        fail_logins(d.port, ["cleartext"])
        st = d.wait_status(lambda s: s.get("last_failure"), timeout=WAIT)
        check("clear-text server: TLS failure, retried, not held",
              st.get("queued") == 1 and not st.get("held") and
              "TLS" in st.get("last_error", ""), st, d)
        check("nothing delivered in clear", sink.handler.taken() == [],
              sink.handler.taken(), d)
    finally:
        d.stop()
        sink.stop()


def main():
    folder = tempfile.mkdtemp(prefix="convergd-smtps-")
    try:
        _, cert, key = make_ca(folder)
        dns_cert, dns_key = make_cert(folder, "DNS:mail.example.org", "dns")
        cases = [lambda d, p: t_delivered(d, p, cert, key),
                 lambda d, p: t_wrong_cert(d, p, dns_cert, dns_key),
                 t_clear_server]
        for t in cases:
            d = MailDaemon(mail_cfg=f"ca_file = {folder}/ca.pem\n")
            try:
                t(d, free_port())
                d.finish(results.check)
            finally:
                d.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
