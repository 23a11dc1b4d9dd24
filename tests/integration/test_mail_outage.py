# SPDX-License-Identifier: MIT
"""The outbox across outages and crashes, with a real SMTP server
(aiosmtpd) on 127.0.0.1: 100 events while the server is down (closed
port), then up: every mail arrives once, in order. The same with a
kill -9 of convergd while the mails wait, and with a kill -9 while they
are being delivered (then only the mail in flight may come twice, with
the same Message-ID: the documented window between the server's 250 and
the outbox removing the file)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from mail_util import (LOGIN_MASK, MailDaemon, Sink, fail_logins,  # noqa: E402
                       free_port, header)

N = 100
results = Checks()
check = results.check


def names(tag):
    return [f"{tag}{i:03d}" for i in range(N)]


def user_of(msg):
    subject = header(msg["data"], "Subject") or ""
    return subject.split("for user ", 1)[-1].split(" ", 1)[0]


def queue_while_down(d, port, tag):
    d.set({"mail.server": "127.0.0.1", "mail.port": str(port),
           "mail.from": "unit@example.org",
           "mail.recipient1": f"ops@example.org {LOGIN_MASK}"})
    d.start()
    fail_logins(d.port, names(tag))
    st = d.wait_status(lambda s: s.get("queued") == N)
    check(f"{tag}: {N} mails in the outbox while the server is down",
          st.get("queued") == N and len(d.outbox()) == N, st)


def arrived_in_order(got, tag, allow_dup_ids=False):
    users = [user_of(m) for m in got]
    ids = [header(m["data"], "Message-ID") for m in got]
    first = list(dict.fromkeys(users))
    check(f"{tag}: every mail arrived", sorted(first) == names(tag),
          f"{len(first)} distinct of {len(users)}")
    check(f"{tag}: in order", first == names(tag))
    dups = len(users) - len(first)
    if allow_dup_ids:
        same_id = len(set(ids)) == len(first)
        check(f"{tag}: at most the one mail in flight twice, same Message-ID",
              dups <= 1 and same_id, f"{dups} duplicates")
    else:
        check(f"{tag}: each exactly once", dups == 0, f"{dups} duplicates")


def t_outage():
    d, port = MailDaemon(mail_cfg="burst = 1000\n"), free_port()
    sink = None
    try:
        queue_while_down(d, port, "out")
        sink = Sink(port)
        got = sink.wait(N, 60)
        time.sleep(0.5)
        arrived_in_order(sink.handler.taken(), "out")
        check("out: outbox empty", d.wait_status(
            lambda s: s["queued"] == 0)["queued"] == 0 and d.outbox() == [])
        d.finish(check)
    finally:
        d.cleanup()
        if sink:
            sink.stop()
    return got


def t_kill_while_queued():
    d, port = MailDaemon(mail_cfg="burst = 1000\n"), free_port()
    sink = None
    try:
        queue_while_down(d, port, "kq")
        d.kill9()
        check("kq: outbox intact after kill -9", len(d.outbox()) == N)
        sink = Sink(port)
        d.start()
        sink.wait(N, 60)
        time.sleep(0.5)
        arrived_in_order(sink.handler.taken(), "kq")
        d.finish(check)
    finally:
        d.cleanup()
        if sink:
            sink.stop()


def t_kill_while_sending():
    d, port = MailDaemon(mail_cfg="burst = 1000\n"), free_port()
    sink = None
    try:
        queue_while_down(d, port, "ks")
        sink = Sink(port)
        sink.handler.delay = 0.03
        sink.wait(N // 3, 60)
        d.kill9()
        left = len(d.outbox())
        check("ks: killed in the middle of the delivery", 0 < left < N, left)
        sink.handler.delay = 0
        d.start()
        sink.wait(N, 60)
        time.sleep(0.5)
        arrived_in_order(sink.handler.taken(), "ks", allow_dup_ids=True)
        check("ks: outbox empty", d.wait_status(
            lambda s: s["queued"] == 0)["queued"] == 0)
        d.finish(check)
    finally:
        d.cleanup()
        if sink:
            sink.stop()


def main():
    t_outage()
    t_kill_while_queued()
    t_kill_while_sending()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
