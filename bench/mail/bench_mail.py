#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench/mail: mails per second through the outbox to a local aiosmtpd,
and what the outbox's durability costs. Run by hand (docs/performance.md):

    CONVERGD=build-dev/convergd /usr/bin/python3 bench/mail/bench_mail.py [N]

1. N failed console logins while the server is down (closed port): the
   rate at which alerts become fsynced outbox files (event -> file).
2. The server comes up: the rate at which the outbox drains (one SMTP
   session per mail, file removed and folder fsynced after each 250).
3. The same atomic write (tmp, fsync, rename, fsync of the folder) done
   from here in the same folder, without the daemon: the disk's share."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "tests", "integration"))
from mail_util import (LOGIN_MASK, MailDaemon, Sink, fail_logins,  # noqa: E402
                       free_port)


def fsync_cost(folder, n=200):
    body = b"x" * 1500
    t0 = time.perf_counter()
    dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    for i in range(n):
        tmp, name = f"{folder}/b{i}.tmp", f"{folder}/b{i}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, body)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, name)
        os.fsync(dfd)
    took = time.perf_counter() - t0
    for i in range(n):
        os.unlink(f"{folder}/b{i}")
    os.close(dfd)
    return took / n


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    port = free_port()
    d = MailDaemon(mail_cfg="burst = 100000\n")
    sink = None
    try:
        d.set({"mail.server": "127.0.0.1", "mail.port": str(port),
               "mail.recipient1": f"ops@example.org {LOGIN_MASK}"})
        d.start()
        t0 = time.monotonic()
        fail_logins(d.port, [f"b{i}" for i in range(n)])
        d.wait_status(lambda s: s.get("queued") == n, timeout=120)
        queued = time.monotonic() - t0
        sink = Sink(port)
        got = sink.wait(n, timeout=300)
        drained = got[-1]["at"] - got[0]["at"]
        per_file = fsync_cost(os.path.join(d.dir, "spool"))
        print(f"mails: {n} (delivered {len(got)})")
        print(f"events -> outbox files: {n / queued:,.0f}/s "
              f"({queued:.2f} s, includes the console logins)")
        print(f"outbox -> server (250): {(len(got) - 1) / drained:,.0f} "
              f"mails/s (first to last arrival, {drained:.2f} s)")
        print(f"one atomic outbox write (1.5 KB, 2 fsyncs): "
              f"{per_file * 1e3:.3f} ms")
    finally:
        d.cleanup()
        if sink:
            sink.stop()


if __name__ == "__main__":
    main()
