# SPDX-License-Identifier: MIT
"""HTTPS through the TLS terminator the package ships (stunnel, in front
on loopback high ports as the convergd-https service runs it on 443):
requests that come through [web] tls_port count as HTTPS and get Secure
cookies, X-Forwarded-Proto is believed from 127.0.0.1 only, and
https_redirect sends plain HTTP to HTTPS with a safe Location."""
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from web_harness import Client, Daemon, free_port  # noqa: E402

results = Checks()
check = results.check


class Terminator:
    """stunnel4 on 127.0.0.1:https_port -> 127.0.0.1:tls_port with a
    throw-away self-signed certificate, stopped by PID."""

    def __init__(self, https_port, tls_port):
        self.dir = tempfile.mkdtemp(prefix="convergd-tls-")
        cert = os.path.join(self.dir, "cert.pem")
        key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        conf = os.path.join(self.dir, "stunnel.conf")
        # the packaged /etc/convergd/stunnel.conf, on test ports
        with open(conf, "w") as f:
            f.write(f"""foreground = yes
syslog = no
pid =
[https]
accept = 127.0.0.1:{https_port}
connect = 127.0.0.1:{tls_port}
cert = {cert}
key = {key}
sslVersionMin = TLSv1.2
""")
        self.log = open(os.path.join(self.dir, "stunnel.log"), "w+")
        self.proc = subprocess.Popen(["stunnel4", conf], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.port = https_port
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port),
                                         timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or \
                        time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("stunnel did not start")
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class HttpsClient(Client):
    """The harness's client over TLS (certificate not checked: it is a
    throw-away self-signed one)."""

    def _conn(self):
        if self.conn is None:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.conn = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=10, context=ctx)
        return self.conn


def cookie_of(hdrs):
    return hdrs.get("set-cookie", "")


def test_https(d, tls):
    web = HttpsClient(tls.port)
    st, _, _ = web.raw("GET", "/")
    check("the page answers over HTTPS", st == 200, st)
    st, _, hdrs = web.login("clearone", "converge")
    check("login over HTTPS", st == 200, st)
    check("its session cookie is Secure", "; Secure" in cookie_of(hdrs),
          cookie_of(hdrs))
    st, _, hdrs = web.call("GET", "/status")
    check("an API call over HTTPS renews a Secure cookie",
          st == 200 and "; Secure" in cookie_of(hdrs), cookie_of(hdrs))
    st, _, hdrs = web.call("DELETE", "/session")
    check("logout's expiring cookie is Secure over HTTPS",
          st == 200 and "; Secure" in cookie_of(hdrs), cookie_of(hdrs))
    web.close()


def test_redirect(d, https_port):
    plain = Client(d.web_port)
    st, hdrs, _ = plain.raw("GET", "/index.html?x=1")
    check("plain GET is sent to HTTPS (301)", st == 301, st)
    check("Location names the Host and the HTTPS port",
          hdrs.get("location") ==
          f"https://127.0.0.1:{https_port}/index.html?x=1",
          hdrs.get("location"))
    st, hdrs, body = plain.raw("HEAD", "/")
    check("plain HEAD is redirected without a body",
          st == 301 and hdrs.get("content-length") == "0", hdrs)
    st, hdrs, _ = plain.raw("POST", "/api/v1/session", body="{}",
                            headers={"Content-Type": "application/json"})
    check("plain POST is sent with its method kept (308)", st == 308, st)
    st, hdrs, _ = plain.raw("GET", "/a%0d%0aSet-Cookie:%20x=1")
    loc = hdrs.get("location", "")
    check("a decoded CR LF in the path is re-encoded in Location",
          st == 301 and "%0D%0A" in loc and "set-cookie" not in hdrs, loc)
    st, _, _ = plain.raw("GET", "/", headers={"Host": "evil.example"})
    check("no redirect to a Host that is not the unit's (421)", st == 421,
          st)
    st, _, _ = plain.raw("GET", "/",
                         headers={"X-Forwarded-Proto": "https"})
    check("X-Forwarded-Proto: https from 127.0.0.1 counts as HTTPS",
          st == 200, st)
    plain.close()
    far = Client(d.web_port, source="127.0.0.2")
    st, _, _ = far.raw("GET", "/", headers={"X-Forwarded-Proto": "https"})
    check("X-Forwarded-Proto from another address is ignored", st == 301,
          st)
    far.close()
    direct = Client(d.tls_port, source="127.0.0.2")
    st, _, _ = direct.raw("GET", "/")
    check("tls_port from another address is not HTTPS", st == 301, st)
    direct.close()


def test_plain_without_redirect():
    d = Daemon()
    try:
        web = Client(d.web_port)
        st, _, hdrs = web.login("clearone", "converge")
        check("without https_redirect plain HTTP still logs in", st == 200,
              st)
        check("and its cookie is not Secure",
              "Secure" not in cookie_of(hdrs), cookie_of(hdrs))
        web.close()
    finally:
        d.stop()


def main():
    tls_port, https_port = free_port(), free_port()
    d = Daemon(web_extra=f"tls_port = {tls_port}\n"
               f"https_port = {https_port}\nhttps_redirect = yes\n")
    d.tls_port = tls_port
    tls = None
    try:
        tls = Terminator(https_port, tls_port)
        test_https(d, tls)
        test_redirect(d, https_port)
    finally:
        if tls is not None:
            tls.stop()
        d.stop()
    test_plain_without_redirect()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
