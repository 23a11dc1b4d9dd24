# SPDX-License-Identifier: MIT
"""The console out of file descriptors (issue 9): with RLIMIT_NOFILE at
60 (as `prlimit --nofile=60`) and 200 connections, accept fails with
EMFILE. The console must not spin on its readable listener: the
daemon's CPU time (utime + stime of /proc/PID/stat) grows by less than
0.5 s over 3 s, it says so once, and once the connections are gone a new
client gets the login prompt again. Only 127.0.0.1 is contacted."""
import errno
import os
import resource
import socket
import time

import console_util as cu

CONNECTIONS = 200
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime and stime are fields 14, 15
    return (int(fields[11]) + int(fields[12])) / TICK


def open_many(port, n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        rc = s.connect_ex(("127.0.0.1", port))
        assert rc in (0, errno.EINPROGRESS), os.strerror(rc)
        socks.append(s)
    return socks


def out_of_descriptors_does_not_spin(d):
    pid = d.proc.pid
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (60, 60))
    socks = open_many(d.port, CONNECTIONS)
    try:
        deadline = time.monotonic() + 10
        while "console: accept: Too many open files" not in d.log():
            assert time.monotonic() < deadline, "no EMFILE: " + d.log()
            time.sleep(0.05)
        before = cpu_seconds(pid)
        time.sleep(3)
        used = cpu_seconds(pid) - before
        print(f"# daemon CPU time over 3 s with {CONNECTIONS} "
              f"connections at RLIMIT_NOFILE 60: {used:.2f} s")
        assert used < 0.5, f"{used:.2f} s of CPU in 3 s: spinning"
        said = [l for l in d.log().splitlines()
                if l.startswith("console: accept")]
        assert len(said) == 1, f"want once per episode, got {said[:5]}"
    finally:
        for s in socks:
            s.close()


def a_new_client_gets_the_prompt_afterwards(d):
    deadline = time.monotonic() + 15
    while True:
        try:
            s = cu.at_user_prompt(d.port)
            break
        except (AssertionError, OSError):
            # sessions of the closed connections may still be ending
            assert time.monotonic() < deadline, d.log()[-2000:]
            time.sleep(0.2)
    s.close()
    assert "accepting connections again" in d.log(), d.log()[-2000:]


if __name__ == "__main__":
    cu.run([
        out_of_descriptors_does_not_spin,
        a_new_client_gets_the_prompt_afterwards,
    ])
