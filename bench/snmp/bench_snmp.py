#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""SNMP agent figures (docs/performance.md, "SNMP"): GET sysName.0 per
second from one UDP socket, synchronous and with 8 requests in flight
(hand-encoded v2c BER, request ids checked), and the time of
snmpbulkwalk -Cr50 of the system group (and of convergd's whole tree), for convergd's agent and for Debian's stock snmpd
started here on loopback in the same run (peers.md §5 method). Both
listen on 127.0.0.1 only; both are stopped by PID.
Run: CONVERGD=build/convergd bench/snmp/bench_snmp.py"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
from snmp_ber import get_request, reply_reqid  # noqa: E402
from web_harness import Daemon  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
WALKS = int(os.environ.get("BENCH_WALKS", "20"))
TMP = tempfile.mkdtemp(prefix="convergd-bench-snmp-")
ENV = dict(os.environ, SNMP_PERSISTENT_DIR=os.path.join(TMP, "tools"),
           MIBS="")


def udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_s(pid):
    """User + system CPU seconds of process `pid` so far."""
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def rate(port, inflight):
    """GET/s with `inflight` outstanding requests; (rate, lost, done)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.settimeout(1.0)
    reqid, done, lost = 1, 0, 0
    outstanding = set()
    for _ in range(inflight):
        s.send(get_request("public", reqid))
        outstanding.add(reqid)
        reqid += 1
    t0 = time.monotonic()
    end = t0 + SECONDS
    while time.monotonic() < end:
        try:
            got = reply_reqid(s.recv(2048), "public")
        except socket.timeout:  # a lost request: count it, send anew
            lost += len(outstanding)
            outstanding.clear()
            got = None
        if got in outstanding:
            outstanding.discard(got)
            done += 1
        while len(outstanding) < inflight:
            s.send(get_request("public", reqid))
            outstanding.add(reqid)
            reqid += 1
    took = time.monotonic() - t0
    s.close()
    return done / took, lost, done


def walk(port, root=".1"):
    """(seconds per bulkwalk of root, varbinds)."""
    argv = ["snmpbulkwalk", "-v2c", "-c", "public", "-On", "-Cr50",
            f"127.0.0.1:{port}", root]
    n = len(subprocess.run(argv, env=ENV, capture_output=True, text=True,
                           timeout=60).stdout.splitlines())
    t0 = time.monotonic()
    for _ in range(WALKS):
        subprocess.run(argv, env=ENV, capture_output=True, timeout=60)
    return (time.monotonic() - t0) / WALKS, n


def wait_agent(port):
    deadline = time.monotonic() + 10
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        while time.monotonic() < deadline:
            s.sendto(get_request("public", 1), ("127.0.0.1", port))
            try:
                if reply_reqid(s.recv(2048), "public") == 1:
                    return
            except socket.timeout:
                pass
    raise RuntimeError(f"no agent on udp 127.0.0.1:{port}")


def start_snmpd():
    port = udp_port()
    conf = os.path.join(TMP, "snmpd.conf")
    with open(conf, "w") as f:
        f.write(f"agentAddress udp:127.0.0.1:{port}\n"
                "rocommunity public 127.0.0.1\nsysName peer-snmpd\n"
                "dontLogTCPWrappersConnects yes\n")
    log = open(os.path.join(TMP, "snmpd.log"), "w")
    proc = subprocess.Popen(["snmpd", "-f", "-Lo", "-C", "-c", conf, "-p",
                             os.path.join(TMP, "snmpd.pid")],
                            env=ENV, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    wait_agent(port)
    return proc, port


def measure(name, port, pid):
    sync, lost1, _ = rate(port, 1)
    c0 = cpu_s(pid)
    par, lost8, n8 = rate(port, 8)
    # the agent's CPU time per GET: what the rate would be on an idle
    # machine, much steadier than the rates on a shared one
    us = (cpu_s(pid) - c0) / max(n8, 1) * 1e6
    st, sn = walk(port, ".1.3.6.1.2.1.1")
    print(f"{name:9} {sync:9.0f} {par:12.0f} {us:8.1f} us {st * 1000:9.1f} ms"
          f" ({sn} vb)  lost {lost1}/{lost8}")
    return sync, par, st, us


def main():
    d = snmpd = None
    try:
        port = udp_port()
        d = Daemon(web_extra=f"[snmp]\nenabled = yes\nbind = 127.0.0.1\n"
                   f"port = {port}\ndata_dir = snmp\n")
        wait_agent(port)
        snmpd, sport = start_snmpd()
        print(f"{'agent':9} {'GET/s sync':>9} {'GET/s 8 infl':>12} "
              f"{'CPU/GET':>11} {'bulkwalk of system':>20}")
        ours = measure("convergd", port, d.proc.pid)
        theirs = measure("snmpd", sport, snmpd.pid)
        print(f"ratio convergd/snmpd: GET/s sync {ours[0] / theirs[0]:.2f}, "
              f"8 in flight {ours[1] / theirs[1]:.2f}; CPU per GET (8 in "
              f"flight) {ours[3] / theirs[3]:.2f} (lower is cheaper); "
              f"system walk time "
              f"{ours[2] / theirs[2]:.2f} (lower is faster; mostly the "
              f"tool's start-up)")
        wt, n = walk(port)
        print(f"convergd bulkwalk of the whole tree: {wt * 1000:.1f} ms "
              f"for {n} varbinds (snmpd's whole tree is the host's "
              f"tables, thousands of rows: not comparable)")
    finally:
        if snmpd is not None:
            snmpd.send_signal(signal.SIGTERM)
            snmpd.wait(10)
        if d is not None:
            d.stop()
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
