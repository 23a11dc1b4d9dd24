#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Web service figures (docs/performance.md, "Web"): wrk (apt wrk) at 1
and 64 connections against GET /api/v1/status (logged in) and a static
asset, the same against a baseline from this run (Python's stdlib
ThreadingHTTPServer serving the same bytes from memory, keep-alive,
TCP_NODELAY), and
WebSocket fan-out: time from a gain command until 100 connected clients
all hold the change. Run: CONVERGD=build/convergd bench/web/bench_web.py"""

import http.server
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
from web_harness import Client, Daemon, WebSocket, free_port  # noqa: E402

DURATION = os.environ.get("BENCH_DURATION", "5s")
FANOUT = int(os.environ.get("BENCH_FANOUT", "100"))


def wrk(url, conns, cookie=None):
    cmd = ["wrk", "-t", "1" if conns == 1 else "2", "-c", str(conns),
           "-d", DURATION, "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", "Cookie: " + cookie]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=120).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\s50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (float(rps.group(1)) if rps else 0.0,
            p50.group(1) if p50 else "?", p99.group(1) if p99 else "?",
            int(errors.group(1)) if errors else 0)


class Baseline(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies = {}

    def setup(self):
        super().setup()
        # Without this the stdlib's two writes meet Nagle + delayed ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        body, mime = self.bodies.get(self.path, (b"", "text/plain"))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class BaselineServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # wrk closing its connections at the end is not news


def fanout(d, cookie, rounds=5):
    clients = [WebSocket(d.web_port, cookie) for _ in range(FANOUT)]
    bad = [c.status for c in clients if c.status != 101]
    if bad:
        raise SystemExit(f"{len(bad)} websockets refused: {bad[:3]}")
    for c in clients:
        c.recv()  # snapshot
    admin = Client(d.web_port)
    admin.login("clearone", "converge")
    times = []
    for r in range(rounds):
        target = -10.0 - r
        got = [None] * FANOUT

        def reader(i):
            while True:
                m = clients[i].recv(timeout=10)
                if m.get("type") == "change" and m.get("number") == target:
                    got[i] = time.perf_counter()
                    return
        threads = [threading.Thread(target=reader, args=(i,))
                   for i in range(FANOUT)]
        for t in threads:
            t.start()
        t0 = time.perf_counter()
        admin.call("POST", "/command",
                   {"command": f"#** GAIN 3 I {target} A"})
        for t in threads:
            t.join(15)
        if any(g is None for g in got):
            raise SystemExit("a websocket client missed the change")
        times.append((max(got) - t0) * 1000)
    for c in clients:
        c.close()
    return times


def main():
    d = Daemon(web_extra="max_clients = 110\nhttp_workers = 70\n"
               "max_per_address = 1024\n",
               console=False)
    try:
        c = Client(d.web_port)
        c.login("clearone", "converge")
        st, h, status_body = c.raw("GET", "/api/v1/status")
        _, _, js = c.raw("GET", "/app.js")
        base = f"http://127.0.0.1:{d.web_port}"
        port = free_port()
        Baseline.bodies = {"/api/v1/status": (status_body,
                                              "application/json"),
                           "/app.js": (js, "text/javascript")}
        srv = BaselineServer(("127.0.0.1", port), Baseline)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        bl = f"http://127.0.0.1:{port}"
        print(f"wrk {DURATION} per row; client and server share this "
              f"machine ({os.cpu_count()} CPUs)")
        print(f"{'server':<28}{'path':<16}{'conns':>6}{'req/s':>11}"
              f"{'p50':>10}{'p99':>10}{'non-2xx':>9}")
        for name, url, cookie in (("convergd (civetweb)", base, c.cookie),
                                  ("baseline python stdlib", bl, None)):
            for path in ("/api/v1/status", "/app.js"):
                for conns in (1, 64):
                    rps, p50, p99, errs = wrk(url + path, conns, cookie)
                    print(f"{name:<28}{path:<16}{conns:>6}{rps:>11.0f}"
                          f"{p50:>10}{p99:>10}{errs:>9}")
        srv.shutdown()
        times = fanout(d, c.cookie)
        print(f"websocket fan-out to {FANOUT} clients (ms, command sent to "
              f"last client holding it), {len(times)} rounds: median "
              f"{statistics.median(times):.1f}, max {max(times):.1f}, all "
              + ", ".join(f"{t:.1f}" for t in times))
    finally:
        rc, took = d.stop()
        print(f"daemon stopped (exit {rc}) in {took:.2f} s after SIGTERM")


if __name__ == "__main__":
    main()
