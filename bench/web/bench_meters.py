#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Web meters figures (docs/performance.md, "Web meters"): CPU of convergd
with 16 WebSocket clients receiving every group's meters at 20 Hz (engine
meter_interval_ms = 50), against the same clients without meters, and the
fan-out time of a gain change (command sent until all 16 clients hold it)
with and without meters flowing. Clients and daemon share this machine.
Run: CONVERGD=build/convergd bench/web/bench_meters.py"""

import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
from web_harness import Client, Daemon, WebSocket  # noqa: E402

CLIENTS = 16
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))


class Reader(threading.Thread):
    """Reads one client all the time; notes when a marked change lands."""

    def __init__(self, ws):
        super().__init__(daemon=True)
        self.ws, self.frames, self.want, self.got = ws, 0, None, None
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                m = self.ws.recv(timeout=1, raw=True)
            except (OSError, TimeoutError):
                continue
            if m.startswith(b'{"type":"levels"'):
                self.frames += 1
            elif self.want is not None and self.want in m:
                self.got = time.perf_counter()
                self.want = None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_share(pid, seconds):
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100


def fanout(admin, readers, rounds, base):
    times = []
    for r in range(rounds):
        target = f"{base - r * 0.5:.2f}"
        for rd in readers:
            rd.got = None
            rd.want = f'"line":"#H0 GAIN 3 I {target} A"'.encode()
        t0 = time.perf_counter()
        admin.call("POST", "/command", {"command": f"#** GAIN 3 I {target} A"})
        end = time.monotonic() + 10
        while any(rd.got is None for rd in readers):
            if time.monotonic() > end:
                raise SystemExit("a client missed a change")
            time.sleep(0.0005)
        times.append((max(rd.got for rd in readers) - t0) * 1000)
        time.sleep(0.05)
    return times


def ask(clients, on):
    for ws in clients:
        ws.send({"type": "meters", "on": on, "rate_hz": 20} if on else
                {"type": "meters", "on": False})


def phase(d, admin, clients, readers, on, base):
    ask(clients, on)
    time.sleep(1.0)
    f0 = sum(rd.frames for rd in readers)
    cpu = cpu_share(d.proc.pid, SECONDS)
    rate = (sum(rd.frames for rd in readers) - f0) / SECONDS
    times = fanout(admin, readers, ROUNDS, base)
    return cpu, rate, times


def row(name, cpu, rate, times):
    print(f"{name:<16}{cpu:>9.2f} %{rate:>12.0f}"
          f"{statistics.median(times):>12.2f}{max(times):>10.2f}")


def main():
    d = Daemon(engine_extra="meter_interval_ms = 50", console=False,
               web_extra="max_per_address = 64\n")
    try:
        admin = Client(d.web_port)
        admin.login("clearone", "converge")
        clients = [WebSocket(d.web_port, admin.cookie)
                   for _ in range(CLIENTS)]
        for ws in clients:
            ws.recv()  # snapshot
        readers = [Reader(ws) for ws in clients]
        for rd in readers:
            rd.start()
        print(f"{CLIENTS} WebSocket clients, engine ticks every 50 ms, "
              f"{SECONDS:.0f} s of CPU per row, {ROUNDS} gain changes; "
              f"{os.cpu_count()} CPUs shared with the clients")
        print(f"{'meters':<16}{'convergd CPU':>11}{'frames/s':>12}"
              f"{'fan-out p50':>12}{'max (ms)':>10}")
        row("off", *phase(d, admin, clients, readers, False, -10.0))
        row("20 Hz, all", *phase(d, admin, clients, readers, True, -30.0))
        row("off again", *phase(d, admin, clients, readers, False, -50.0))
        for rd in readers:
            rd.stop = True
        for rd in readers:
            rd.join(3)
        for ws in clients:
            ws.close()
    finally:
        d.stop()


if __name__ == "__main__":
    main()
