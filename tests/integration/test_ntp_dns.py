# SPDX-License-Identifier: MIT
"""A time server named by a host name whose DNS server never answers
must not stall the ntp service: in a namespace made here, resolv.conf
(/etc/netns/<ns>/resolv.conf, which `ip netns exec` mounts over
/etc/resolv.conf) names a silent DNS sink on 127.0.0.1:53 with 4 s x 2
tries, longer than the supervisor's 5 s heartbeat limit. convergd must
keep beating (no "ntp hung"), report the failed lookup as an unreachable
server, and the sink must have seen the query. Namespace, file and
processes are removed on exit."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from ntp_peers import console_in_ns  # noqa: E402

CONVERGD = os.environ["CONVERGD"]
NS = f"cvd{os.getpid() % 100000}dns"
ETC = f"/etc/netns/{NS}"
NAME = "ntp.convergd-test.lan"
SINK = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
s.settimeout(0.5)
n, end = 0, time.monotonic() + 40
while time.monotonic() < end:
    try:
        d, _ = s.recvfrom(512)
        n += 1
        print("query", n, flush=True)
    except socket.timeout:
        pass
"""
ck = Checks()


def main():
    tmp = tempfile.mkdtemp(prefix="convergd-ntpdns-")
    procs = []
    made_etc = not os.path.exists("/etc/netns")
    try:
        subprocess.run(["ip", "netns", "add", NS], check=True, timeout=10)
        subprocess.run(["ip", "-n", NS, "link", "set", "lo", "up"],
                       check=True, timeout=10)
        os.makedirs(ETC)
        with open(f"{ETC}/resolv.conf", "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:4 attempts:2\n")
        sink_log = open(os.path.join(tmp, "sink.log"), "w")
        procs.append(subprocess.Popen(["ip", "netns", "exec", NS,
                                       "/usr/bin/python3", "-c", SINK],
                                      stdout=sink_log))
        conf = os.path.join(tmp, "convergd.conf")
        with open(conf, "w") as f:
            f.write(f"[unit]\nmodel = 880TA\ndevice_id = 0\n"
                    f"state_file = {tmp}/state/state.json\n"
                    f"spool_dir = {tmp}/spool\n[log]\nlevel = info\n"
                    "target = stderr\n[console]\nbind = 127.0.0.1\n"
                    "port = 2323\n[web]\nenabled = no\n[ntp]\n"
                    "enabled = yes\nset_clock = no\npoll_interval = 1\n")
        log = os.path.join(tmp, "convergd.log")
        with open(log, "w") as lf:
            procs.append(subprocess.Popen(["ip", "netns", "exec", NS,
                                           CONVERGD, "-f", "-c", conf],
                                          stdout=lf, stderr=lf))
        ck.check("NTPSRV takes a host name",
                 console_in_ns(NS, f"#H0 NTPSRV {NAME}") ==
                 f"OK> #H0 NTPSRV {NAME}")
        deadline = time.monotonic() + 20
        text = ""
        while time.monotonic() < deadline:
            with open(log) as f:
                text = f.read()
            if f"unreachable: {NAME}: " in text:
                break
            time.sleep(0.2)
        ck.check("the failed lookup ends the poll as unreachable",
                 f"unreachable: {NAME}: " in text, text[-800:])
        ck.check("the service kept its heartbeat through the lookup",
                 "hung" not in text, text[-800:])
        ck.check("still answering the console afterwards",
                 console_in_ns(NS, "#H0 NTPSRV") == f"OK> #H0 NTPSRV {NAME}")
        sink_log.flush()
        with open(os.path.join(tmp, "sink.log")) as f:
            ck.check("the query went to the silent DNS sink",
                     "query" in f.read())
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        subprocess.run(["ip", "netns", "del", NS], timeout=10)
        shutil.rmtree(ETC, ignore_errors=True)
        if made_etc:
            shutil.rmtree("/etc/netns", ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
