# SPDX-License-Identifier: MIT
"""Where an alert comes from, and when in the unit's own time: a setting
changed over a console session is mailed (settings category) with the
session, user and peer address in the body; a failed web login names the
web client; the local time in the body is in the unit's time.zone
setting, not the daemon's TZ. Against aiosmtpd on 127.0.0.1."""
import json
import os
import re
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console, free_port  # noqa: E402
from mail_util import LOGIN_MASK, MailDaemon, Sink, header  # noqa: E402

SETTINGS_MASK = "02000000"    # EVENT_SETTINGS = bit 25
results = Checks()
check = results.check


def body_of(m):
    return m["data"].split(b"\r\n\r\n", 1)[-1].decode()


def diagnose(d, what):
    """Status and the daemon log's tail, printed when a check failed."""
    print(f"# {what}: status {d.status()}")
    try:
        for line in d.log().splitlines()[-25:]:
            print("#   " + line)
    except OSError:
        pass


def web_login_fails(port):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/session", method="POST",
        data=json.dumps({"user": "clearone", "password": "nope"}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=10).close()
    except urllib.error.HTTPError as e:
        return e.code
    return 200


def main():
    port, web = free_port(), free_port()
    sink = Sink(port)
    d = MailDaemon(mail_cfg="burst = 100\n")
    try:
        with open(d.config) as f:
            text = f.read()
        with open(d.config, "w") as f:
            f.write(text.replace("[web]\nenabled = no\n", "[web]\nenabled = "
                                 f"yes\nbind = 127.0.0.1\nport = {web}\n"))
        d.set({"mail.server": "127.0.0.1", "mail.port": str(port),
               "time.zone": "Europe/Berlin",
               "mail.recipient1": f"ops@example.org {SETTINGS_MASK}",
               "mail.recipient2": f"sec@example.org {LOGIN_MASK}"})
        env_tz = os.environ.get("TZ")
        os.environ["TZ"] = "UTC0"      # the daemon's own zone: not used
        try:
            d.start()
        finally:
            if env_tz is None:
                del os.environ["TZ"]
            else:
                os.environ["TZ"] = env_tz
        c = Console(d.port)
        local = c.sock.getsockname()[1]
        reply = c.command("#H0 LOCROOM STUDIO4")
        got = sink.wait(1, timeout=60)
        mails = [m for m in got if "ops@example.org" in m["to"]]
        body = body_of(mails[0]) if mails else ""
        ok = re.search(r"^From: +console session \d+, user clearone, "
                       rf"127\.0\.0\.1:{local}\r$", body, re.M)
        check("console setting change mailed with session, user and "
              "address", ok, f"{reply!r} {body!r} events {d.events()[-3:]}")
        subject = header(mails[0]["data"], "Subject") if mails else ""
        check("the mail says which setting changed",
              "location.room" in (subject or "") or "STUDIO4" in body,
              subject)
        when = re.search(r"^When: +(\S+ \S+) UTC \(local (\S+ \S+) (\S+)\)",
                         body, re.M)
        check("local time in the unit's zone (CET/CEST), not the TZ",
              when and when.group(3) in ("CET", "CEST") and
              when.group(1) != when.group(2), body)
        if not (ok and when):
            diagnose(d, "console origin")
        c.close()
        code = web_login_fails(web)
        got = sink.wait(2, timeout=60)
        mails = [m for m in got if "sec@example.org" in m["to"]]
        body = body_of(mails[0]) if mails else ""
        ok = re.search(r"^From: +web, user clearone, 127\.0\.0\.1\r$",
                       body, re.M)
        check(f"failed web login ({code}) mailed with the client address",
              ok, body)
        if not ok:
            diagnose(d, "web origin")
        d.finish(check)
    finally:
        d.cleanup()
        sink.stop()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
