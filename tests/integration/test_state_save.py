# SPDX-License-Identifier: MIT
"""A change that could not be saved is not applied: the real daemon with
its state folder on a small tmpfs that a test fills. The console answers
ERROR NOT SAVED., the web API 507 with the reason, the value stays,
another session hears nothing, the log says it once; with room again it
works. A daemon whose state folder is read-only refuses to start and says
why; one that turns read-only under it refuses changes and recovers
when writable again."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console, Daemon, free_port  # noqa: E402
from web_harness import Client  # noqa: E402

results = Checks()
check = results.check


def fill(folder):
    """Fill the tmpfs: write until ENOSPC."""
    with open(os.path.join(folder, "filler"), "wb") as f:
        try:
            while True:
                f.write(b"x" * 65536)
                f.flush()
        except OSError:
            pass


def save_warning(d):
    """The status page's "settings cannot be saved" warnings."""
    w = Client(d.web_port)
    w.login("clearone", "converge")
    _, body, _ = w.call("GET", "/status")
    w.close()
    return [x["text"] for x in body["warnings"] if x["code"] == "not_saved"]


def web_refused(d):
    """The same refusals over the web API: 507 and the reason."""
    w = Client(d.web_port)
    st, _, _ = w.login("clearone", "converge")
    check("web: login on a full disk", st == 200, st)
    st, body, _ = w.call("PUT", "/settings", {"location.room": "web"})
    check("web: settings PUT answers 507 with the reason",
          st == 507 and body["error"] ==
          "not saved: No space left on device", (st, body))
    st, body, _ = w.call("POST", "/users", {"name": "operator",
                                            "password": "op-pass-1",
                                            "level": "User"})
    check("web: adding a user answers 507", st == 507, (st, body))
    st, body, _ = w.call("PUT", "/users/clearone", {"password": "n3w-pw"})
    check("web: a new password answers 507", st == 507, (st, body))
    warned = save_warning(d)
    check("web: the status shows why settings cannot be saved",
          warned and "No space left on device" in warned[0], warned)
    st, body, _ = w.call("GET", "/users")
    check("web: no user was added",
          [u["name"] for u in body["users"]] == ["clearone"], body)
    w.close()
    check("web: the old password still works",
          Client(d.web_port).login("clearone", "converge")[0] == 200)


def full_disk(d, folder):
    a = Console(d.port)
    b = Console(d.port)
    check("a setting saves normally",
          a.command("#H0 LOCROOM before") == "OK> #H0 LOCROOM before")
    b.send(b"#H0 VER\r")
    check("no save warning before a save failed", not save_warning(d))
    fill(folder)
    reply = a.command("#H0 LOCROOM after")
    check("full disk: ERROR NOT SAVED.",
          reply == "OK> #H0 ERROR NOT SAVED.", reply)
    check("full disk: the value stays",
          a.command("#H0 LOCROOM") == "OK> #H0 LOCROOM before")
    reply = a.command("#H0 LABEL * C y")
    check("full disk: a wildcard answers one NOT SAVED line",
          reply == "OK> #H0 ERROR NOT SAVED.", reply)
    check("full disk: no channel label changed",
          a.command("#H0 LABEL 1 C") == "OK> #H0 LABEL 1 C")
    web_refused(d)
    b.send(b"#H0 VER\r")
    check("full disk: the other session got no report",
          b"LOCROOM" not in b.last_reports and b"LABEL" not in b.last_reports,
          b.last_reports)
    log = d.log()
    check("full disk: the log says it once, with the reason",
          log.count("state: settings cannot be saved") == 1 and
          "No space left on device" in log, log[-2000:])
    os.unlink(os.path.join(folder, "filler"))
    check("room again: the change is saved",
          a.command("#H0 LOCROOM after") == "OK> #H0 LOCROOM after")
    b.send(b"#H0 VER\r")
    check("room again: the other session hears it",
          b"LOCROOM after" in b.last_reports, b.last_reports)
    check("room again: the log says so", "can be saved again" in d.log())
    check("room again: the status warning is gone", not save_warning(d))
    a.close()
    b.close()


def read_only(d, folder):
    """The folder turns read-only under a running daemon (a read-only
    tmpfs stacked on it: a remount is refused while the lock file is
    open): refused with the reason, the file untouched, saved again once
    writable."""
    a = Console(d.port)
    with open(d.state) as f:
        before = f.read()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs",
                    folder], check=True)
    try:
        reply = a.command("#H0 LOCROOM readonly")
        check("read-only: ERROR NOT SAVED.",
              reply == "OK> #H0 ERROR NOT SAVED.", reply)
        check("read-only: the value stays",
              a.command("#H0 LOCROOM") == "OK> #H0 LOCROOM after")
        check("read-only: the log gives the reason",
              "Read-only file system" in d.log(), d.log()[-2000:])
    finally:
        subprocess.run(["umount", folder], check=True)
    with open(d.state) as f:
        check("read-only: the state file is untouched", f.read() == before)
    check("writable again: the change is saved",
          a.command("#H0 LOCROOM writable") == "OK> #H0 LOCROOM writable")
    with open(d.state) as f:
        check("writable again: it is in the file",
              json.load(f)["settings"]["location.room"] == "writable")
    a.close()


def main():
    d = Daemon()
    d.web_port = free_port()
    with open(d.config) as f:
        conf = f.read()
    with open(d.config, "w") as f:
        f.write(conf.replace("[web]\nenabled = no", "[web]\nenabled = yes\n"
                             f"bind = 127.0.0.1\nport = {d.web_port}"))
    folder = os.path.dirname(d.state)
    os.makedirs(folder)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
                    folder], check=True)
    try:
        d.start()
        full_disk(d, folder)
        read_only(d, folder)
        check("stops cleanly", d.stop() == 0)
        check("no sanitizer report", "Sanitizer" not in d.log())
        subprocess.run(["mount", "-o", "remount,ro", folder], check=True)
        try:
            d.start(timeout=5)
            started = True
        except RuntimeError:
            started = False
        check("read-only state folder: refuses to start (exit 1)",
              not started and d.proc.returncode == 1, d.log())
        check("read-only state folder: says why",
              "Read-only file system" in d.log(), d.log())
    finally:
        if d.proc and d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait(10)
        subprocess.run(["umount", folder], check=False)
        d.cleanup()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
