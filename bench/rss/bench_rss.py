#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Idle memory (issue 18, docs/performance.md "Idle RSS"): convergd with
every service on, against the sum of the four daemons it replaces --
snmpd, nmbd, chronyd and udhcpc -- each started the same way: in the
foreground, private configuration in a temp folder, in its own network
namespace (`unshare -n`, loopback up) so no port of this machine is
touched, never setting the clock. After SETTLE (5) seconds idle the RSS
(VmRSS, and Pss from smaps_rollup) of each process tree is read.
Run as root: CONVERGD=build/convergd /usr/bin/python3 bench/rss/bench_rss.py"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SETTLE = float(os.environ.get("SETTLE", "5"))
CONVERGD = os.path.abspath(os.environ.get("CONVERGD", "build/convergd"))


def tree(pid):
    """pid and its descendants."""
    out = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            for c in f.read().split():
                out += tree(int(c))
    except OSError:
        pass
    return out


def mem(pid, key):
    total = 0
    for p in tree(pid):
        name = "status" if key == "VmRSS:" else "smaps_rollup"
        try:
            with open(f"/proc/{p}/{name}") as f:
                total += next(int(x.split()[1]) for x in f
                              if x.startswith(key))
        except (OSError, StopIteration):
            pass
    return total


def netns(cmd):
    """cmd in a new network namespace with lo up."""
    return ["unshare", "-n", "sh", "-c",
            'ip link set lo up && exec "$@"', "sh"] + cmd


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def convergd(d):
    conf = open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "..", "config", "dev.conf")).read()
    conf = conf.replace("level = info", "level = warn")
    return [CONVERGD, "-f", "-c", write(d, "c.conf", conf)]


def snmpd(d):
    c = write(d, "snmpd.conf", "rocommunity public 127.0.0.1\n"
              "sysLocation bench\n")
    os.environ["SNMP_PERSISTENT_DIR"] = d
    return ["snmpd", "-f", "-Lo", "-C", "-c", c, "-p", f"{d}/snmpd.pid",
            "udp:127.0.0.1:161"]


def nmbd(d):
    for sub in ("lock", "state", "cache", "pid", "private", "log"):
        os.makedirs(f"{d}/{sub}", exist_ok=True)
    c = write(d, "smb.conf", f"""[global]
netbios name = BENCHUNIT
interfaces = lo
bind interfaces only = yes
lock directory = {d}/lock
state directory = {d}/state
cache directory = {d}/cache
pid directory = {d}/pid
private dir = {d}/private
log file = {d}/log/nmbd.log
""")
    return ["nmbd", "-F", "--no-process-group", "-s", c]


def chronyd(d):
    c = write(d, "chrony.conf", f"server 127.0.0.1 iburst\n"
              f"driftfile {d}/drift\npidfile {d}/chronyd.pid\ncmdport 0\n")
    return ["chronyd", "-d", "-x", "-f", c]


def udhcpc(d):
    return ["udhcpc", "-f", "-i", "lo", "-s", "/bin/true", "-t", "1000",
            "-T", "3", "-A", "3"]


def measure(name, make):
    d = tempfile.mkdtemp(prefix=f"bench-rss-{name}-")
    cwd = os.getcwd()
    os.chdir(d)
    os.makedirs("run", exist_ok=True)
    p = subprocess.Popen(netns(make(d)), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        time.sleep(SETTLE)
        alive = p.poll() is None
        rss, pss = mem(p.pid, "VmRSS:"), mem(p.pid, "Pss:")
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)
        os.chdir(cwd)
        shutil.rmtree(d, ignore_errors=True)
    print(f"{name:<10} {rss:8d} kB RSS {pss:8d} kB PSS"
          f"{'' if alive else '  (exited early!)'}", flush=True)
    return rss, pss


def main():
    ours = measure("convergd", convergd)
    base = [measure(n, f) for n, f in (("snmpd", snmpd), ("nmbd", nmbd),
                                        ("chronyd", chronyd),
                                        ("udhcpc", udhcpc))]
    rss, pss = sum(b[0] for b in base), sum(b[1] for b in base)
    print(f"{'sum of 4':<10} {rss:8d} kB RSS {pss:8d} kB PSS")
    print(f"convergd / sum: RSS {ours[0] / rss:.2f}, PSS {ours[1] / pss:.2f}"
          " (target <= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
