# SPDX-License-Identifier: MIT
"""No floods: 1000 failed console logins become a handful of mails (the
first few at once, then one digest per window) whose counts add up to
1000, against a real SMTP server (aiosmtpd) on 127.0.0.1."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from mail_util import (LOGIN_MASK, MailDaemon, Sink, fail_logins,  # noqa: E402
                       free_port, header)

N = 1000
BURST = 3
WINDOW = 20
results = Checks()
check = results.check


def main():
    port = free_port()
    sink = Sink(port)
    d = MailDaemon(mail_cfg=f"burst = {BURST}\nwindow_s = {WINDOW}\n")
    try:
        d.set({"mail.server": "127.0.0.1", "mail.port": str(port),
               "mail.recipient1": f"ops@example.org {LOGIN_MASK}"})
        d.start()
        t0 = time.monotonic()
        fail_logins(d.port, [f"storm{i}" for i in range(N)])
        took = time.monotonic() - t0
        # the storm's windows end at most WINDOW s after it
        limit = BURST + int(took // WINDOW) + 2
        deadline = time.monotonic() + 2 * WINDOW + 10
        total = 0
        while time.monotonic() < deadline and total < N:
            got = sink.handler.taken()
            total = sum(int(header(m["data"], "X-Convergd-Count") or 0)
                        for m in got)
            time.sleep(0.2)
        got = sink.handler.taken()
        print(f"# storm took {took:.1f} s, {len(got)} mails")
        check(f"{N} events counted in the mails", total == N, total)
        check(f"at most {limit} mails", len(got) <= limit, len(got))
        digests = [m for m in got
                   if int(header(m["data"], "X-Convergd-Count") or 0) > 1]
        subject = header(digests[0]["data"], "Subject") if digests else ""
        check("a digest states the count in its subject",
              bool(digests) and " login events" in subject, subject)
        body = digests[0]["data"].decode() if digests else ""
        check("the digest lists the events seen with their counts",
              "Events seen:" in body and "1 x console login failed" in body)
        d.finish(check)
    finally:
        d.cleanup()
        sink.stop()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
