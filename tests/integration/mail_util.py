# SPDX-License-Identifier: MIT
"""Helpers for the mail tests: a real SMTP server (aiosmtpd, Debian's
python3-aiosmtpd) on 127.0.0.1 that records what it receives, a daemon
whose mail settings are written into its state file, console logins
that fail on purpose (EVENT_LOGIN warnings), and the outbox status."""
import asyncio
import json
import logging
import os
import socket
import ssl
import subprocess
import threading
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from convergd_test import Daemon, free_port

LOGIN_MASK = "80000000"     # EVENT_LOGIN = bit 31

# AUTH without TLS is what some of these tests want: keep the log quiet
logging.getLogger("mail.log").setLevel(logging.ERROR)

# libESMTP compares server replies with strncasecmp on buffers that are
# not NUL-terminated (legal: the length bounds the read). ASan's
# strict_string_checks reports that as an overflow inside the library, so
# the daemons of the mail tests run without that one option; every other
# check stays on.
os.environ["ASAN_OPTIONS"] = ":".join(
    o for o in os.environ.get("ASAN_OPTIONS", "").split(":")
    if o and not o.startswith("strict_string_checks"))
warnings.filterwarnings("ignore", module="aiosmtpd")


class Handler:
    """Records every message; rcpt bad* -> 550, slow* -> 451 while
    `slow_fails` lasts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.slow_fails = 0
        self.delay = 0.0    # seconds before each 250 (a slow server)

    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split("@")[0]
        if local.startswith("bad"):
            return "550 5.1.1 no such user"
        if local.startswith("slow"):
            with self.lock:
                if self.slow_fails > 0:
                    self.slow_fails -= 1
                    return "451 4.2.1 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append({
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.original_content,
                "tls": session.ssl is not None,
                "auth": session.authenticated,
                "at": time.monotonic(),
            })
        return "250 2.0.0 accepted"

    def taken(self):
        with self.lock:
            return list(self.messages)


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == user.encode() and
              auth_data.password == password.encode())
        # aiosmtpd 1.4: a failure must be handled=False, or no 535 is sent
        return AuthResult(success=ok, handled=False if not ok else True)
    return check


class Sink:
    """aiosmtpd in a thread of the test, stopped by stop()."""

    def __init__(self, port, tls_context=None, require_starttls=False,
                 auth=None, auth_require_tls=False, mechanisms=None,
                 smtps_context=None):
        self.port = port
        self.handler = Handler()
        kw = {}
        if auth:
            kw.update(authenticator=authenticator(*auth), auth_required=True,
                      auth_require_tls=auth_require_tls)
        if smtps_context:   # TLS on connect (SMTPS), no clear text
            kw["ssl_context"] = smtps_context
        if mechanisms:      # offer only these (PLAIN, LOGIN)
            kw["auth_exclude_mechanism"] = [m for m in ("PLAIN", "LOGIN")
                                            if m not in mechanisms]
        self.ctl = Controller(self.handler, hostname="127.0.0.1", port=port,
                              tls_context=tls_context,
                              require_starttls=require_starttls, **kw)
        self.ctl.start()

    def stop(self):
        self.ctl.stop()

    def wait(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.handler.taken()
            if len(got) >= n:
                return got
            time.sleep(0.05)
        return self.handler.taken()


class Silent:
    """Accepts connections and never greets."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)

    def stop(self):
        self.sock.close()


def _openssl(folder, *args):
    subprocess.run(["openssl", *args], cwd=folder, check=True,
                   capture_output=True)


def make_ca(folder):
    """A test CA (ca.pem) and a server certificate it signed for the IP
    127.0.0.1 and no DNS name; returns (ca, cert, key) paths."""
    _openssl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-days", "2", "-keyout", "ca.key", "-out", "ca.pem",
             "-subj", "/CN=convergd test CA")
    return (os.path.join(folder, "ca.pem"),) + make_cert(folder,
                                                         "IP:127.0.0.1", "")


def make_cert(folder, san, prefix):
    """Another server certificate from the same CA, for `san`."""
    p = prefix
    _openssl(folder, "req", "-newkey", "rsa:2048", "-nodes",
             "-keyout", f"{p}srv.key", "-out", f"{p}srv.csr",
             "-subj", "/CN=mail server")
    with open(os.path.join(folder, f"{p}ext.cnf"), "w") as f:
        f.write(f"subjectAltName={san}\n")
    _openssl(folder, "x509", "-req", "-in", f"{p}srv.csr", "-CA", "ca.pem",
             "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-out", f"{p}srv.pem", "-extfile", f"{p}ext.cnf")
    return (os.path.join(folder, f"{p}srv.pem"),
            os.path.join(folder, f"{p}srv.key"))


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


MAIL_CFG = {"timeout_s": "2", "retry_min_s": "1", "retry_max_s": "2"}


class MailDaemon(Daemon):
    """A daemon whose mail.* settings are put into its state file while
    it is stopped (the state file is the documented way to restore)."""

    def __init__(self, mail_cfg="", console_cfg="lockout_failures = 0\n"):
        keys = dict(MAIL_CFG)
        for line in mail_cfg.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                keys[k.strip()] = v.strip()
        mail = "".join(f"{k} = {v}\n" for k, v in keys.items())
        super().__init__(extra="[mail]\n" + mail +
                         "\n[console]\n" + console_cfg)
        self.codes = []     # exit status of every SIGTERM (sanitizers)
        self.start()
        self.stop()

    def stop(self, *args, **kw):
        rc = super().stop(*args, **kw)
        self.codes.append(rc)
        return rc

    def finish(self, check):
        """Stop (SIGTERM) if running; check every stop exited 0."""
        if self.proc and self.proc.poll() is None:
            self.stop()
        check("every SIGTERM exited 0 (no sanitizer report)",
              all(c == 0 for c in self.codes), self.codes)

    def set(self, settings):
        with open(self.state) as f:
            st = json.load(f)
        st["settings"].update(settings)
        if "unit.label" in settings:    # the label is also LABEL 0 U
            st["audio"]["channels"]["U"][0]["label"] = settings["unit.label"]
        tmp = self.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(st, f)
        os.rename(tmp, self.state)

    def status(self):
        try:
            with open(os.path.join(self.dir, "spool", "mail",
                                   "status.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def outbox(self):
        folder = os.path.join(self.dir, "spool", "mail")
        return sorted(n for n in os.listdir(folder) if n.endswith(".mail"))

    def wait_status(self, cond, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            if st and cond(st):
                return st
            time.sleep(0.05)
        return self.status()

    def wait_event(self, text, timeout=20):
        """True once an event holding `text` is in the saved event log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if any(text in e for e in self.events()):
                    return True
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        return False

    def events(self):
        with open(self.state) as f:
            return [e.get("text", "") for e in json.load(f).get("events", [])]


def fail_logins(port, names):
    """One failed console login per name (3 per session, as the console
    closes after three)."""
    for i in range(0, len(names), 3):
        s = socket.create_connection(("127.0.0.1", port), 5)
        s.settimeout(5)
        buf = b""

        def until(marker):
            nonlocal buf
            while marker not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    raise ConnectionError("closed")
                buf += chunk
            buf = buf.split(marker, 1)[1]
        for name in names[i:i + 3]:
            until(b"user: ")
            s.sendall(name.encode() + b"\r")
            until(b"pass: ")
            s.sendall(b"wrong\r")
            until(b"Invalid User/Pass.")
        s.close()


def header(data, name):
    """A header's unfolded value from raw message bytes (CRLF)."""
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    value = None
    for line in head.split("\r\n"):
        if line[:1] in (" ", "\t") and value is not None:
            value += line
        elif value is not None:
            break
        if line.lower().startswith(name.lower() + ":"):
            value = line.split(":", 1)[1].strip()
    return value


__all__ = ["Sink", "Silent", "MailDaemon", "fail_logins", "header",
           "make_ca", "make_cert", "tls_context", "free_port", "LOGIN_MASK"]
