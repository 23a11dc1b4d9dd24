# SPDX-License-Identifier: MIT
"""The outbox's limits with a real SMTP server (aiosmtpd) on 127.0.0.1:
past max_queued the oldest mail is dropped, counted and reported, and
the newest arrive; a mail older than max_age_s is dropped, not sent;
mail.enabled = 0 queues nothing; a digest still counting when the
daemon stops is kept in the outbox and sent after the restart."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from mail_util import (LOGIN_MASK, MailDaemon, Sink, fail_logins,  # noqa: E402
                       free_port, header)

results = Checks()
check = results.check


def server(port, **more):
    s = {"mail.server": "127.0.0.1", "mail.port": str(port),
         "mail.recipient1": f"ops@example.org {LOGIN_MASK}"}
    s.update(more)
    return s


def users(got):
    return [(header(m["data"], "Subject") or "").split("for user ")[-1]
            .split(" ")[0] for m in got]


def t_max_queued():
    port = free_port()
    d = MailDaemon(mail_cfg="burst = 100\nmax_queued = 5\n")
    sink = None
    try:
        d.set(server(port))
        d.start()
        fail_logins(d.port, [f"q{i}" for i in range(8)])
        st = d.wait_status(lambda s: s.get("dropped") == 3)
        check("full outbox: oldest dropped and counted",
              st.get("dropped") == 3 and st.get("queued") == 5, st)
        check("full outbox: reported as an event",
              d.wait_event("mail outbox full: oldest mail dropped"))
        sink = Sink(port)
        sink.wait(5)
        time.sleep(0.5)
        check("the newest five arrive", users(sink.handler.taken()) ==
              [f"q{i}" for i in range(3, 8)], users(sink.handler.taken()))
        d.finish(check)
    finally:
        d.cleanup()
        if sink:
            sink.stop()


def t_max_age():
    port = free_port()
    d = MailDaemon(mail_cfg="burst = 100\nmax_age_s = 1\n")
    sink = None
    try:
        d.set(server(port))
        d.start()
        fail_logins(d.port, ["old1", "old2"])
        d.wait_status(lambda s: s.get("queued") == 2)
        time.sleep(2.5)
        sink = Sink(port)
        st = d.wait_status(lambda s: s.get("dropped") == 2)
        check("too old: dropped and counted, not sent",
              st.get("dropped") == 2 and st.get("queued") == 0 and
              sink.handler.taken() == [], st)
        check("too old: reported as an event",
              d.wait_event("dropped: not delivered within 1 s"))
        d.finish(check)
    finally:
        d.cleanup()
        if sink:
            sink.stop()


def t_disabled():
    port = free_port()
    sink = Sink(port)
    d = MailDaemon()
    try:
        d.set(server(port, **{"mail.enabled": "0"}))
        d.start()
        fail_logins(d.port, ["off"])
        st = d.wait_status(lambda s: s.get("active") is False)
        time.sleep(1)
        check("mail.enabled 0: nothing queued or sent",
              st.get("active") is False and d.outbox() == [] and
              sink.handler.taken() == [], st)
        d.finish(check)
    finally:
        d.cleanup()
        sink.stop()


def t_digest_kept_across_stop():
    port = free_port()
    d = MailDaemon(mail_cfg="burst = 1\nwindow_s = 3600\n")
    sink = None
    try:
        d.set(server(port))
        d.start()
        fail_logins(d.port, ["d1", "d2", "d3"])
        d.wait_status(lambda s: s.get("queued") == 1)
        d.stop()    # the two others, published before it, still count
        check("stop: the held digest is in the outbox",
              len(d.outbox()) == 2, d.outbox())
        sink = Sink(port)
        d.start()
        got = sink.wait(2)
        counts = sorted(int(header(m["data"], "X-Convergd-Count"))
                        for m in got)
        check("after the restart: the event and the digest of two",
              counts == [1, 2], counts)
        d.finish(check)
    finally:
        d.cleanup()
        if sink:
            sink.stop()


def main():
    t_max_queued()
    t_max_age()
    t_disabled()
    t_digest_kept_across_stop()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
