# SPDX-License-Identifier: MIT
"""Mail settings through PUT /api/v1/settings and the [mail] config:
recipients with their mask and minimum severity are accepted; invalid
addresses, a 17th recipient, port 0 or 70000, an unknown security are
refused with a reason naming the field and change nothing; a missing CA
file stops the mail service with a reason while the rest runs; with no
server set nothing is queued and the status says so."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from web_harness import Client, Daemon  # noqa: E402

results = Checks()
check = results.check


def status(d):
    try:
        with open(os.path.join(d.dir, "spool", "mail", "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def settings(adm):
    st, s, _ = adm.call("GET", "/settings")
    return s["settings"] if st == 200 else {}


def t_api(d, adm):
    good = {"mail.server": "127.0.0.1", "mail.port": "2525",
            "mail.security": "starttls_optional", "mail.enabled": "1",
            "mail.recipient1": "ops@example.org 80000000 warning",
            "mail.recipient16": "boss@example.org FFFFFFFF error"}
    st, body, _ = adm.call("PUT", "/settings", good)
    check(f"recipients with mask and severity accepted ({st})", st == 200,
          body)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not status(d).get("active"):
        time.sleep(0.1)
    check("server set: the status says mail is active",
          status(d).get("active") is True, status(d))
    before = settings(adm)
    bad = [
        ("invalid address", {"mail.recipient2": "not-an-address"},
         "mail.recipient2"),
        ("two addresses in one row", {"mail.recipient2": "a@b,c@d"},
         "mail.recipient2"),
        ("bad severity", {"mail.recipient2": "a@b.c FF loud"},
         "mail.recipient2"),
        ("a 17th recipient", {"mail.recipient17": "a@b.c"},
         "mail.recipient17"),
        ("port 0", {"mail.port": "0"}, "mail.port"),
        ("port 70000", {"mail.port": "70000"}, "mail.port"),
        ("unknown security", {"mail.security": "ssl"}, "mail.security"),
        ("bad one among good ones", {"mail.recipient3": "x@y.z",
                                     "mail.port": "70000"}, "mail.port"),
    ]
    for why, change, field in bad:
        st, err, _ = adm.call("PUT", "/settings", change)
        check(f"{why}: refused with a reason naming {field}",
              st == 400 and err.get("field") == field and err.get("error"),
              (st, err))
    check("old settings kept", settings(adm) == before)
    st, body, _ = adm.call("PUT", "/settings", {"mail.server": ""})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and status(d).get("active", True):
        time.sleep(0.1)
    check("no server: the status says mail is not active",
          status(d).get("active") is False, status(d))


def main():
    d = Daemon(web_extra="[mail]\nretry_min_s = 1\n")
    try:
        adm = Client(d.web_port)
        st, _, _ = adm.login("clearone", "converge")
        check(f"login ({st})", st == 200)
        t_api(d, adm)
        adm.close()
    finally:
        d.stop()
    d = Daemon(web_extra="[mail]\nca_file = /nonexistent/ca.pem\n")
    try:
        deadline = time.monotonic() + 10
        while (time.monotonic() < deadline and
               "/nonexistent/ca.pem" not in d.log_text()):
            time.sleep(0.1)
        check("missing CA file: the mail service says why it cannot start",
              "/nonexistent/ca.pem" in d.log_text())
        check("missing CA file: the daemon runs on", d.proc.poll() is None)
    finally:
        d.stop()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
