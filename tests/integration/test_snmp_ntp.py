#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The unit's time in SNMP (CONVERGD-MIB cvTime, issue 14): snmpget of the
clock (DateAndTime and seconds) and of the time client's state before and
after the ntp service synchronises with a real chronyd on 127.0.0.1 (-x:
the host clock is never touched; the daemon runs with set_clock = no).
The SNMP values must be those of GET /api/v1/status "ntp"."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convergd_test import Checks  # noqa: E402
from ntp_peers import Chronyd, free_udp_port, wait_for  # noqa: E402
from web_harness import Client, Daemon  # noqa: E402

T_ = ".1.3.6.1.4.1.21831.10.1.3"   # cvTime
TMP = tempfile.mkdtemp(prefix="convergd-snmp-ntp-")
ENV = dict(os.environ, SNMP_PERSISTENT_DIR=os.path.join(TMP, "tools"),
           MIBS="")
os.environ["LSAN_OPTIONS"] = ":".join(filter(None, [
    os.environ.get("LSAN_OPTIONS"), "suppressions=" + os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "netsnmp.supp")]))
AGENT = free_udp_port()
T = Checks()
check = T.check


def snmpget(*oids, hexstr=False):
    """{oid: value text} (strings in hex with hexstr); {} on failure."""
    p = subprocess.run(["snmpget", "-v2c", "-c", "public", "-On", "-Oq",
                        *(["-Ox"] if hexstr else []), "-t", "1", "-r", "1", f"127.0.0.1:{AGENT}",
                        *oids], env=ENV, capture_output=True, text=True,
                       timeout=30)
    out = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(" ")
        out[k] = v.strip().strip('"')
    return out


def ntp_status(c):
    st, body, _ = c.call("GET", "/status")
    return (body or {}).get("ntp") or {} if st == 200 else {}


def date_and_time(hexstr):
    """DateAndTime octets -> seconds since the epoch (UTC)."""
    b = bytes.fromhex(hexstr.replace(" ", ""))
    if len(b) != 11 or b[8:] != b"+\x00\x00":
        return None
    year = b[0] << 8 | b[1]
    tm = (year, b[2], b[3], b[4], b[5], b[6], 0, 0, 0)
    return time.mktime(tm) - time.timezone + b[7] / 10


def snapshot(c):
    """The status and the SNMP values of the same sample: read the status
    before and after SNMP, retried until the two agree (a poll may land
    between the reads)."""
    keys = {"synced": ".5.0", "server": ".6.0", "offset": ".7.0",
            "delay": ".8.0", "stratum": ".9.0", "last_sync": ".10.0",
            "error": ".11.0"}
    for _ in range(20):
        before = ntp_status(c)
        got = snmpget(*[T_ + k for k in keys.values()])
        if ntp_status(c) == before and len(got) == len(keys):
            return before, {n: got[T_ + k] for n, k in keys.items()}
    print("no agreeing snapshot:", before, got)
    return {}, {}


def main():
    d = chrony = None
    try:
        chrony = Chronyd()
        d = Daemon(web_extra=f"""[snmp]
enabled = yes
bind = 127.0.0.1
port = {AGENT}
data_dir = snmp
[ntp]
enabled = yes
set_clock = no
poll_interval = 2
poll_max = 8
samples = 3
sample_spacing_ms = 20
timeout_ms = 300
""")
        wait_for(lambda: snmpget(T_ + ".4.0"), 10)
        c = Client(d.web_port)
        c.login("clearone", "converge")

        v = snmpget(T_ + ".3.0", T_ + ".4.0", hexstr=True)
        now = time.time()
        secs = int(v.get(T_ + ".4.0", "0"), 0) if v else 0
        check("cvTimeSeconds is the unit's clock", abs(secs - now) < 5,
              f"{secs} vs {now}")
        dt = date_and_time(v.get(T_ + ".3.0", ""))
        check("cvTimeNow is a DateAndTime in UTC of the same clock",
              dt is not None and abs(dt - now) < 5, v.get(T_ + ".3.0"))

        st, snmp = snapshot(c)
        check("before any server: cvNtpSynced false(2), cvNtpLastSync 0, "
              "no current server, stratum 0",
              snmp.get("synced") == "2" and snmp.get("last_sync") in
              ("0", "0x0") and snmp.get("server") == "" and
              snmp.get("stratum") == "0" and not st.get("synced"),
              f"{snmp} {st}")

        st_code, body, _ = c.call("PUT", "/settings", {
            "time.ntp_server": f"127.0.0.1:{chrony.port}",
            "time.ntp_server2": "127.0.0.1:9"})
        check("servers set", st_code == 200, str(body))
        check("the time client synchronises with chronyd",
              wait_for(lambda: ntp_status(c).get("synced"), 15),
              ntp_status(c))
        st, snmp = snapshot(c)
        check("cvNtpSynced true(1) once synchronised",
              snmp.get("synced") == "1", str(snmp))
        check("cvNtpCurrentServer is chronyd's host:port",
              snmp.get("server") == f"127.0.0.1:{chrony.port}" ==
              st.get("server"), f"{snmp} {st}")
        check("cvNtpStratum is chronyd's (local stratum 8)",
              snmp.get("stratum") == "8" and st.get("stratum") == 8)
        check("cvNtpOffset is the status offset in microseconds",
              st and abs(int(snmp["offset"]) -
                         st["offset_ms"] * 1000) <= 1, f"{snmp} {st}")
        check("cvNtpDelay is the status delay in microseconds",
              st and abs(int(snmp["delay"]) - st["delay_ms"] * 1000) <= 1
              and int(snmp["delay"]) >= 0, f"{snmp} {st}")
        last = int(snmp.get("last_sync") or "0", 0)
        check("cvNtpLastSync is the time of the last sync",
              abs(last - time.time()) < 30 and snmp.get("error") == "",
              str(snmp))
        v = snmpget(T_ + ".1.0", T_ + ".12.0", T_ + ".13.0")
        check("cvNtpServer and cvNtpServer2 read the settings (host:port)",
              v.get(T_ + ".1.0") == f"127.0.0.1:{chrony.port}" and
              v.get(T_ + ".12.0") == "127.0.0.1:9" and
              v.get(T_ + ".13.0") == "", str(v))
    except Exception as e:  # a crash of the harness is a failure too
        import traceback
        traceback.print_exc()
        check("harness ran to the end", False, repr(e))
        if d is not None:
            print(d.log_text()[-3000:])
    finally:
        if d is not None:
            rc, _ = d.stop()
            check("daemon stops cleanly", rc == 0, str(rc))
        if chrony is not None:
            chrony.stop()
        shutil.rmtree(TMP, ignore_errors=True)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
