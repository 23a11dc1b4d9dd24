# SPDX-License-Identifier: MIT
"""Fault injection on the real daemon (issue 18), all on 127.0.0.1:
a service thread that fails, hangs or is wedged (CONVERGD_TEST_FAULT, a
hook compiled into test builds only) gets the supervisor's documented
treatment while the console keeps answering; a WINS server that never
answers is reported once and nothing hangs; a full mail spool (a small
tmpfs the test mounts) refuses the alert with the reason, leaves nothing
half-written, and the next alert goes out once there is room."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console, Daemon  # noqa: E402
from mail_util import LOGIN_MASK, MailDaemon, Sink, fail_logins  # noqa: E402
from mail_util import free_port  # noqa: E402

results = Checks()
check = results.check


def wait_log(d, text, timeout=30, after=0):
    """True once `text` is in the daemon's log past offset `after`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in d.log()[after:]:
            return True
        if d.proc.poll() is not None:
            return text in d.log()[after:]
        time.sleep(0.1)
    return False


def faulty(mode, extra=""):
    """A daemon whose ntp service misbehaves as `mode` says."""
    d = Daemon(extra="[ntp]\nenabled = yes\nset_clock = no\n" + extra)
    os.environ["CONVERGD_TEST_FAULT"] = "ntp:" + mode
    try:
        d.start()
    finally:
        del os.environ["CONVERGD_TEST_FAULT"]
    return d


def answers(d):
    con = Console(d.port)
    reply = con.command("#H0 LOCROOM")
    con.close()
    return reply.startswith("OK> #H0 LOCROOM")


def t_failing_service():
    d = faulty("fail")
    try:
        check("fail: the run that failed is restarted after 1 s",
              wait_log(d, "ntp failed; restart in 1000 ms"), d.log()[-1500:])
        at = d.log().index("ntp failed")
        check("fail: running again",
              wait_log(d, "ntp is running", after=at), d.log()[-1500:])
        check("fail: the console answered throughout", answers(d))
        check("fail: SIGTERM exits 0", d.stop() == 0, d.log()[-1500:])
    finally:
        d.cleanup()


def t_hung_service():
    d = faulty("hang")
    try:
        check("hang: the console answers while ntp is hung", answers(d))
        check("hang: no heartbeat -> hung",
              wait_log(d, "ntp hung (no heartbeat"), d.log()[-1500:])
        at = d.log().index("ntp hung")
        check("hang: asked to stop, restarted and running again",
              wait_log(d, "ntp is running", after=at), d.log()[-1500:])
        check("hang: the daemon stays up", d.proc.poll() is None)
        check("hang: SIGTERM exits 0", d.stop() == 0, d.log()[-1500:])
    finally:
        d.cleanup()


def t_wedged_service():
    d = faulty("wedge")
    try:
        check("wedge: the console answers while ntp is wedged", answers(d))
        try:
            rc = d.proc.wait(40)
        except subprocess.TimeoutExpired:
            rc = None
        check("wedge: the daemon gives up and exits non-zero (systemd "
              "restarts it)", rc not in (None, 0), (rc, d.log()[-1500:]))
        check("wedge: the log says which service would not stop",
              "ntp did not stop within" in d.log(), d.log()[-1500:])
    finally:
        d.cleanup()


def t_silent_wins():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))     # takes datagrams, answers none
    nb = free_port()
    d = Daemon(extra=f"[netbios]\nenabled = yes\nbind = 127.0.0.1\n"
               f"port = {nb}\nwins_port = {silent.getsockname()[1]}\n")
    try:
        d.start()
        con = Console(d.port)
        check("wins: WINSSRV set",
              con.command("#H0 WINSSRV 127.0.0.1") ==
              "OK> #H0 WINSSRV 127.0.0.1")
        silent.settimeout(10)
        try:
            got = silent.recv(2048)
        except OSError:
            got = b""
        check("wins: a registration reached the silent server",
              len(got) > 12 and (got[2] >> 3) & 0x0f == 5, got)
        check("wins: 'does not answer' after the retries",
              wait_log(d, "WINS server 127.0.0.1 does not answer"),
              d.log()[-1500:])
        check("wins: the console still answers",
              con.command("#H0 LOCROOM").startswith("OK> #H0 LOCROOM"))
        check("wins: told once", d.log().count("does not answer for") ==
              2, d.log()[-1500:])    # one event per name: <00> and <20>
        check("wins: netbios never taken for hung",
              "netbios hung" not in d.log())
        con.close()
        check("wins: SIGTERM exits 0", d.stop() == 0, d.log()[-1500:])
    finally:
        silent.close()
        d.cleanup()


def fill(folder):
    with open(os.path.join(folder, "filler"), "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"x" * 4096)
        except OSError:
            pass


def t_spool_full():
    port = free_port()
    d = MailDaemon(mail_cfg="burst = 1000\n")
    spool = os.path.join(d.dir, "spool")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs",
                    spool], check=True)
    sink = Sink(port)
    try:
        d.set({"mail.server": "127.0.0.1", "mail.port": str(port),
               "mail.from": "unit@example.org",
               "mail.recipient1": f"ops@example.org {LOGIN_MASK}"})
        d.start()
        fail_logins(d.port, ["first"])
        check("spool: a mail goes out normally", len(sink.wait(1)) == 1)
        fill(spool)
        fail_logins(d.port, ["lost"])
        check("spool full: the alert is refused with the reason",
              wait_log(d, "outbox: No space left on device"),
              d.log()[-1500:])
        folder = os.path.join(spool, "mail")
        left = [n for n in os.listdir(folder)
                if n.endswith(".tmp") or n.endswith(".mail")]
        check("spool full: nothing half-written left behind", left == [],
              left)
        check("spool full: the console answers", answers(d))
        os.unlink(os.path.join(spool, "filler"))
        fail_logins(d.port, ["again"])
        got = sink.wait(2)
        check("room again: the next alert is delivered",
              len(got) == 2 and b"again" in got[-1]["data"], len(got))
        d.finish(check)
    finally:
        if d.proc and d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait(10)
        sink.stop()
        subprocess.run(["umount", spool], check=False)
        d.cleanup()


def main():
    t_failing_service()
    t_hung_service()
    t_wedged_service()
    t_silent_wins()
    t_spool_full()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
