# SPDX-License-Identifier: MIT
"""A WebSocket client that stops reading must not hold up the others or
the web service: with one stalled client and a burst of 150,000 audio
changes, a reading client still gets the last change and the service
never looks hung to the supervisor."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console  # noqa: E402
from web_harness import Client, Daemon, WebSocket  # noqa: E402

results = Checks()
check = results.check


def main():
    d = Daemon()
    try:
        d.wait_ready()
        web = Client(d.web_port)
        check("login", web.login("clearone", "converge")[0] == 200)
        stalled = WebSocket(d.web_port, cookie=web.cookie)
        stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader = WebSocket(d.web_port, cookie=web.cookie)
        reader.recv()  # the snapshot on connect
        con = Console(d.console_port)
        t0 = time.monotonic()
        for i in range(150000):
            con.sock.sendall(f"#H0 GAIN 1 M {-(i % 60)} A\r".encode())
        con.command("#H0 LABEL 1 M final")
        seen = False
        deadline = time.monotonic() + 20
        while not seen and time.monotonic() < deadline:
            try:
                msg = reader.recv(timeout=5)
            except (OSError, TimeoutError):
                break
            seen = msg is not None and "final" in str(msg)
        took = time.monotonic() - t0
        print(f"   reading client got the last change after {took:.2f} s")
        check("reading client gets the last change", seen)
        time.sleep(1)
        log = d.log_text()
        check("web service never reported hung", "web hung" not in log,
              [line for line in log.splitlines() if "hung" in line][:3])
        check("web service still running", "web failed" not in log)
        con.close()
    finally:
        d.stop()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
