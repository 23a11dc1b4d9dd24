#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Soak (docs/performance.md, "Soak"): SOAK_MINUTES (10) of mixed
traffic against one daemon (console, web, SNMP, discovery all on
127.0.0.1): 4 console sessions setting and reading gains, labels and
LOCROOM; a console connection opened, logged in and closed every
100 ms; a web login, GET /status and logout in a loop; SNMP GETs and
discovery LOCATEs at ~50/s each. RSS and descriptors are sampled every
SOAK_SAMPLE (10) seconds; the growth after the first minute is printed.
Run: CONVERGD=build/convergd /usr/bin/python3 bench/soak/soak.py"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
import load_util as lu  # noqa: E402
import test_load  # noqa: E402
from convergd_test import Console  # noqa: E402
from web_harness import Client  # noqa: E402

MINUTES = float(os.environ.get("SOAK_MINUTES", "10"))
SAMPLE = float(os.environ.get("SOAK_SAMPLE", "10"))
halt = threading.Event()
counts = {"console": 0, "churn": 0, "web": 0, "snmp": 0, "discovery": 0,
          "errors": 0}


def loop(name, fn):
    def run():
        while not halt.is_set():
            try:
                fn()
                counts[name] += 1
            except Exception as e:  # keep soaking; count it
                counts["errors"] += 1
                print(f"{name}: {e!r}", flush=True)
                time.sleep(0.5)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def console_worker(port, n):
    con = Console(port)
    i = [0]

    def step():
        i[0] += 1
        k = i[0]
        con.command(f"#H0 GAIN {k % 8 + 1} I {-(k % 40)} A")
        con.command(f"#H0 GAIN {k % 8 + 1} I")
        if k % 50 == 0:     # settings are saved at once: fewer of them
            con.command(f"#H0 LABEL {k % 8 + 1} I s{n}k{k}")
            con.command(f"#H0 LOCROOM soak-{n}-{k}")
        time.sleep(0.002)   # leave the shared CPUs some room
    return step


def churn(port):
    Console(port).close()
    time.sleep(0.1)


def web(port):
    c = Client(port)
    c.login("clearone", "converge")
    c.call("GET", "/status")
    c.close()
    time.sleep(0.05)


def udp(port, packet):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)

    def step():
        s.sendto(packet, ("127.0.0.1", port))
        try:
            s.recv(4096)
        except OSError:
            pass
        time.sleep(0.02)
    return step


def main():
    d = test_load.daemon()
    with open(d.config) as f:
        conf = f.read()
    with open(d.config, "w") as f:     # a soak is not a login attack
        f.write(conf.replace("[console]\n", "[console]\n"
                             "lockout_failures = 0\n").replace(
                                 "level = info", "level = warn"))
    try:
        d.start()
        pid = d.proc.pid
        for n in range(4):
            loop("console", console_worker(d.port, n))
        loop("churn", lambda: churn(d.port))
        loop("web", lambda: web(d.web_port))
        loop("snmp", udp(d.snmp_port, lu.snmp_packets(1)[0]))
        loop("discovery", udp(d.disc_port, lu.locate_packet(1)))
        t0 = time.monotonic()
        samples = []
        print(f"{'min':>6} {'RSS kB':>8} {'fds':>5} {'threads':>7}  traffic")
        while time.monotonic() - t0 < MINUTES * 60:
            time.sleep(SAMPLE)
            with open(f"/proc/{pid}/status") as f:
                thr = next(int(x.split()[1]) for x in f
                           if x.startswith("Threads:"))
            s = ((time.monotonic() - t0) / 60, lu.rss_kb(pid),
                 lu.fd_count(pid), thr)
            samples.append(s)
            print(f"{s[0]:6.1f} {s[1]:8d} {s[2]:5d} {s[3]:7d}  {counts}",
                  flush=True)
        halt.set()
        time.sleep(1)
        warm = next((s for s in samples if s[0] >= 1), samples[0])
        last = samples[-1]
        print(f"growth from minute {warm[0]:.1f} to {last[0]:.1f}: RSS "
              f"{last[1] - warm[1]:+d} kB, descriptors {last[2] - warm[2]:+d}"
              f", threads {last[3] - warm[3]:+d}; errors {counts['errors']}")
        print(f"daemon alive: {d.proc.poll() is None}; SIGTERM exit "
              f"{d.stop()}")
    finally:
        halt.set()
        d.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
