#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The snmp service against the real net-snmp tools (snmpget, snmpset,
snmpwalk, snmpbulkwalk) and snmptrapd, all on 127.0.0.1. Every process is
started here, remembered by PID and stopped by PID; every file lives in
one temporary folder. net-snmp's tools get SNMP_PERSISTENT_DIR and MIBS=""
so they never touch /var/lib/snmp or look for MIB files."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convergd_test import Checks, Console  # noqa: E402
from snmp_ber import get_request  # noqa: E402
from web_harness import Client, Daemon  # noqa: E402

CV = ".1.3.6.1.4.1.21831.10"
SYS = ".1.3.6.1.2.1.1"
CHAN = CV + ".1.4.4.1"          # cvChannelEntry
NOTE = CV + ".0"                # cvNotifications
TMP = tempfile.mkdtemp(prefix="convergd-snmp-")
ENV = dict(os.environ, SNMP_PERSISTENT_DIR=os.path.join(TMP, "tools"),
           MIBS="")
# net-snmp's own leaks on an agent restart (see the file), for ASan builds
os.environ["LSAN_OPTIONS"] = ":".join(filter(None, [
    os.environ.get("LSAN_OPTIONS"), "suppressions=" + os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "netsnmp.supp")]))
T = Checks()
check = T.check


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


AGENT = free_udp_port()
TARGET = f"127.0.0.1:{AGENT}"


def tool(cmd, *args, community="public", version="2c", timeout=1):
    """Run snmpget/snmpset/...; (rc, stdout, stderr)."""
    argv = [cmd, "-v", version, "-c", community, "-On", "-t", str(timeout),
            "-r", "0", TARGET, *args]
    p = subprocess.run(argv, env=ENV, capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def v3(cmd, user, password, *args, level="authPriv"):
    """An SNMPv3 tool run, SHA/AES with one password for both."""
    priv = ["-x", "AES", "-X", password] if level == "authPriv" else []
    argv = [cmd, "-v3", "-l", level, "-u", user, "-a", "SHA", "-A",
            password, *priv, "-On", "-t", "1", "-r", "0", TARGET, *args]
    p = subprocess.run(argv, env=ENV, capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def get(oid, **kw):
    rc, out, err = tool("snmpget", "-Oqv", oid, **kw)
    return out.strip().strip('"') if rc == 0 else None


def walk(root, cmd="snmpbulkwalk", **kw):
    rc, out, err = tool(cmd, root, **kw)
    vals = {}
    for line in out.splitlines():
        m = re.match(r"^(\.[0-9.]+) = (.*)$", line)
        if m:
            vals[m.group(1)] = m.group(2)
    return rc, vals


class Trapd:
    """snmptrapd -f on 127.0.0.1:PORT with a private config, by PID."""

    def __init__(self, name, extra=""):
        self.port = free_udp_port()
        self.log = os.path.join(TMP, f"{name}.log")
        conf = os.path.join(TMP, f"{name}.conf")
        with open(conf, "w") as f:
            f.write(extra + "authCommunity log public\n"
                    "format2 TRAP %P: %V| %v\\n\n"
                    "format1 TRAP %P: enterprise=%N generic=%w "
                    "specific=%q vars: %V| %v\\n\n")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                ["snmptrapd", "-f", "-Lo", "-C", "-c", conf, "-X", "-n",
                 "-On", "-m", "", "-p", os.path.join(TMP, f"{name}.pid"),
                 f"udp:127.0.0.1:{self.port}"],
                env=ENV, stdout=out, stderr=subprocess.STDOUT)
        wait_for(lambda: "NET-SNMP version" in self.text(), 10,
                 "snmptrapd ready")

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def lines(self, *needles):
        return [ln for ln in self.text().splitlines()
                if all(n in ln for n in needles)]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def settle(cond, timeout=10):
    """True once cond() holds (bounded); False if it never does."""
    try:
        return wait_for(cond, timeout, "condition")
    except TimeoutError:
        return False


def set_settings(adm, values):
    st, body, _ = adm.call("PUT", "/settings", values)
    if st != 200:
        raise RuntimeError(f"PUT /settings {values} -> {st} {body}")


def setting(adm, key):
    st, s, _ = adm.call("GET", "/settings")
    return s["settings"].get(key)


def console_value(con, query):
    """'#H0 GAIN 1 I' -> the value the console reports."""
    reply = con.command(query)
    return reply.split()[-1] if reply.startswith("OK> #H0") else reply


# ---- the checks ----

def steady(vals):
    """The unit MIB's objects that cannot move between two walks (not
    the clock, services, events or the agent's counters)."""
    return {k: x for k, x in vals.items() if k.startswith(CV + ".") and
            not re.match(re.escape(CV) + r"\.1\.([568]|3\.[34])\.", k)}


def t_walk_matches_state(d, adm, con):
    set_settings(adm, {"unit.label": "Lab-DSP", "location.room": "R1"})
    con.command("#H0 GAIN 3 I -7.25 A")
    rc, v2 = walk(".1")
    check("v2c bulkwalk of the whole tree succeeds", rc == 0 and
          len(v2) > 100, f"rc={rc} n={len(v2)}")
    check("sysName is the unit label",
          v2.get(SYS + ".5.0") == 'STRING: "Lab-DSP"', v2.get(SYS + ".5.0"))
    check("sysLocation is location.room",
          v2.get(SYS + ".6.0") == 'STRING: "R1"', v2.get(SYS + ".6.0"))
    check("sysDescr names model and firmware",
          "880TA" in v2.get(SYS + ".1.0", "") and
          "4.4.0.2" in v2.get(SYS + ".1.0", ""), v2.get(SYS + ".1.0"))
    check("sysObjectID under ClearOne's enterprise",
          v2.get(SYS + ".2.0") == "OID: .1.3.6.1.4.1.21831.10.3.1")
    rows = [k for k in v2 if k.startswith(CHAN + ".5.")]
    check("one gain row per storage channel (880TA: 38)", len(rows) == 38,
          str(len(rows)))
    check("channel 3 gain in 0.01 dB matches the console",
          v2.get(CHAN + ".5.3") == "INTEGER: -725" and
          console_value(con, "#H0 GAIN 3 I") == "A" and
          "-7.25" in con.command("#H0 GAIN 3 I"), v2.get(CHAN + ".5.3"))
    check("services table lists snmp running",
          any(v == 'STRING: "snmp"' for k, v in v2.items()
              if k.startswith(CV + ".1.5.1.1.2.")))
    check("VACM and USM tables are not in the view",
          not any(k.startswith(".1.3.6.1.6.3.16") or
                  k.startswith(".1.3.6.1.6.3.15.1.2") for k in v2))
    descr = {x.split('"')[1] for k, x in v2.items()
             if k.startswith(".1.3.6.1.2.1.2.2.1.2.")}
    check("ifTable lists the host's interfaces (net-snmp's counters)",
          descr == set(os.listdir("/sys/class/net")) and
          v2.get(".1.3.6.1.2.1.2.1.0") == f"INTEGER: {len(descr)}",
          f"{descr}")
    rc, v1 = walk(".1", cmd="snmpwalk", version="1")
    check("v1 walk of the whole tree gives the v2c values of the unit MIB",
          rc == 0 and len(steady(v1)) > 250 and steady(v1) == steady(v2),
          f"rc={rc} v1={len(v1)} v2={len(v2)}")


def t_no_set_by_community_out_of_the_box(d, adm, con):
    check("factory rw_community is empty",
          setting(adm, "snmp.rw_community") == "")
    rc, _, err = tool("snmpset", SYS + ".5.0", "s", "x")
    check("SET with the read community is noAccess",
          rc != 0 and "noAccess" in err, err)
    rc, _, err = tool("snmpset", SYS + ".5.0", "s", "x", community="private")
    check("'private' is no community (silence)", rc != 0 and
          "Timeout" in err, err)
    check("nothing changed", setting(adm, "unit.label") == "Lab-DSP")


def t_sets_go_through_the_state(d, adm, con):
    set_settings(adm, {"snmp.rw_community": "s3cret"})
    watcher = Console(d.console_port)
    rc, _, err = tool("snmpset", SYS + ".5.0", "s", "Hall-A",
                      SYS + ".6.0", "s", "Room 12",
                      SYS + ".4.0", "s", "noc@example.com",
                      community="s3cret")
    check("SET sysName/sysLocation/sysContact with the rw community",
          rc == 0, err)
    check("label, room and contact changed in the state",
          setting(adm, "unit.label") == "Hall-A" and
          setting(adm, "location.room") == "Room 12" and
          setting(adm, "location.contact") == "noc@example.com")
    rc, _, err = tool("snmpset", CHAN + ".5.1", "i", "-1250",
                      CHAN + ".6.13", "i", "1", CHAN + ".4.2", "s", "Podium",
                      community="s3cret")
    check("SET gain, mute and label", rc == 0, err)
    check("console reads gain -12.50",
          "GAIN 1 I -12.50" in con.command("#H0 GAIN 1 I"))
    check("console reads mute on", con.command("#H0 MUTE 1 O").endswith(
          "MUTE 1 O 1"))
    check("console reads the label",
          "Podium" in con.command("#H0 LABEL 2 I"))
    try:
        watcher.read_until(b"GAIN 1 I -12.50")
        seen = True
    except (TimeoutError, ConnectionError):
        seen = False
    check("another console session is told of the SNMP change", seen)
    watcher.close()
    check("read back over SNMP", get(CHAN + ".5.1") == "-1250" and
          get(CHAN + ".6.13") == "1")


def t_bad_sets_change_nothing(d, adm, con):
    before = con.command("#H0 GAIN 1 I")
    cases = [
        ("gain out of range is wrongValue", "wrongValue",
         (CHAN + ".5.1", "i", "20000")),
        ("string for a gain is wrongType", "wrongType",
         (CHAN + ".5.1", "s", "loud")),
        ("mute 3 is wrongValue", "wrongValue", (CHAN + ".6.1", "i", "3")),
        ("21-character label is wrongLength", "wrongLength",
         (CHAN + ".4.1", "s", "x" * 21)),
        ("21-character sysName is wrongLength", "wrongLength",
         (SYS + ".5.0", "s", "y" * 21)),
        ("cvModel is notWritable", "notWritable",
         (CV + ".1.1.1.0", "s", "X")),
        ("row 99 is noCreation", "noCreation", (CHAN + ".5.99", "i", "0")),
        ("undefined preset is inconsistentValue", "inconsistentValue",
         (CV + ".1.4.2.0", "i", "5")),
        ("one bad varbind fails the whole SET", "wrongValue",
         (CHAN + ".5.1", "i", "-300", CHAN + ".6.1", "i", "7")),
    ]
    for what, error, args in cases:
        rc, _, err = tool("snmpset", *args, community="s3cret")
        check(what, rc != 0 and error in err, err.strip())
    # RESERVE1 passes (length), the state refuses the tab in ACTION: the
    # gain set just before it in the same PDU is undone
    rc, _, err = tool("snmpset", CHAN + ".5.1", "i", "-300",
                      CHAN + ".4.1", "s", "bad\tlabel", community="s3cret")
    check("a setter's refusal fails the SET", rc != 0, err)
    check("gain unchanged after all of them (UNDO ran)",
          con.command("#H0 GAIN 1 I") == before, before)
    check("label unchanged", setting(adm, "unit.label") == "Hall-A")


def t_v3_users_are_the_units_accounts(d, adm, con):
    wrong_digest = ".1.3.6.1.6.3.15.1.1.5.0"    # usmStatsWrongDigests
    unknown = ".1.3.6.1.6.3.15.1.1.3.0"         # usmStatsUnknownUserNames
    rc, out, err = v3("snmpbulkwalk", "clearone", "converge", ".1")
    got = dict(ln.split(" = ", 1) for ln in out.splitlines()
               if ln.startswith(".") and " = " in ln)
    _, v2 = walk(".1")
    check("v3 authPriv (SHA/AES) walk of the whole tree as the "
          "Administrator", rc == 0 and len(got) > 400 and
          len([k for k in got if k.startswith(CHAN + ".5.")]) == 38, err)
    check("v3 walk gives the v2c values of the unit MIB",
          steady(got) == steady(v2) and len(steady(got)) > 250)
    rc, _, err = v3("snmpset", "clearone", "converge",
                    SYS + ".6.0", "s", "Room V3")
    check("v3 SET by the Administrator", rc == 0 and
          setting(adm, "location.room") == "Room V3", err)
    n0 = int(get(wrong_digest))
    rc, _, err = v3("snmpget", "clearone", "wrong-pass", SYS + ".5.0")
    check("a wrong v3 password is an authentication failure",
          rc != 0 and "Authentication failure" in err, err)
    check("and is counted", int(get(wrong_digest)) == n0 + 1)
    n0 = int(get(unknown))
    rc, _, err = v3("snmpget", "nobody", "converge", SYS + ".5.0")
    check("an unknown v3 user is refused", rc != 0 and
          "Unknown user name" in err, err)
    check("and is counted", int(get(unknown)) == n0 + 1)
    rc, _, err = v3("snmpget", "clearone", "converge", SYS + ".5.0",
                    level="authNoPriv")
    check("without privacy (authNoPriv) there is no access",
          rc != 0 and "authorizationError" in err, err)
    st, _, _ = adm.call("POST", "/users", {"name": "tech", "password":
                                           "tech-pass-1", "level": "Manager"})
    rc, _, err = v3("snmpset", "tech", "tech-pass-1", SYS + ".5.0", "s",
                    "Hall-A")
    check("a Manager added at run time is a v3 user at once (and may SET)",
          st == 201 and rc == 0, f"{st} {err}")
    adm.call("POST", "/users", {"name": "op", "password": "op-pass-123",
                                "level": "User"})
    rc, _, err = v3("snmpget", "op", "op-pass-123", SYS + ".5.0")
    check("a User-level account is no v3 user", rc != 0 and
          "Unknown user name" in err, err)
    adm.call("PUT", "/users/tech", {"password": "tech-pass-2"})
    rc_old, _, _ = v3("snmpget", "tech", "tech-pass-1", SYS + ".5.0")
    rc_new, _, err = v3("snmpget", "tech", "tech-pass-2", SYS + ".5.0")
    check("a password change takes effect at once", rc_old != 0 and
          rc_new == 0, err)
    st, body, _ = adm.call("PUT", "/users/tech", {"password": "short"})
    rc, _, _ = v3("snmpget", "tech", "tech-pass-2", SYS + ".5.0")
    check("a password under 8 characters makes no v3 user, and says so "
          "in the event log",
          st == 200 and rc != 0 and
          settle(lambda: any("tech has no key yet" in x for x in
                             walk(CV + ".1.6.1.1.6")[1].values())),
          f"{st} {body} rc={rc}")
    adm.call("DELETE", "/users/tech")
    adm.call("DELETE", "/users/op")
    rc, _, err = v3("snmpget", "tech", "tech-pass-2", SYS + ".5.0")
    check("a deleted user is gone", rc != 0 and "Unknown user name" in err,
          err)


def t_names_over_snmp(d, adm, con):
    """names.netbios / names.wins: written by a v3 Administrator only."""
    nb, wins = CV + ".1.2.7.0", CV + ".1.2.8.0"
    rc, _, err = v3("snmpset", "clearone", "converge", nb, "s",
                    "CONVERGE-LAB", wins, "s", "10.0.0.5")
    check("a v3 Administrator sets the NetBIOS name and WINS server",
          rc == 0 and setting(adm, "names.netbios") == "CONVERGE-LAB" and
          setting(adm, "names.wins") == "10.0.0.5", err)
    check("and they read back", get(nb) == "CONVERGE-LAB" and
          get(wins) == "10.0.0.5")
    rc, _, err = v3("snmpset", "clearone", "converge", nb, "s", "has space")
    check("an invalid NetBIOS name is wrongValue and changes nothing",
          rc != 0 and "wrongValue" in err and
          setting(adm, "names.netbios") == "CONVERGE-LAB", err)
    rc, _, err = v3("snmpset", "clearone", "converge", wins, "s",
                    "224.0.0.1")
    check("a WINS address that is no host is wrongValue",
          rc != 0 and "wrongValue" in err and
          setting(adm, "names.wins") == "10.0.0.5", err)
    rc, _, err = tool("snmpset", nb, "s", "BY-COMMUNITY",
                      community="s3cret")
    check("the write community may not (noAccess)",
          rc != 0 and "noAccess" in err and
          setting(adm, "names.netbios") == "CONVERGE-LAB", err)
    adm.call("POST", "/users", {"name": "mgr", "password": "mgr-pass-1",
                                "level": "Manager"})
    rc, _, err = v3("snmpset", "mgr", "mgr-pass-1", wins, "s", "10.0.0.6")
    check("nor may a v3 Manager", rc != 0 and "noAccess" in err and
          setting(adm, "names.wins") == "10.0.0.5", err)
    adm.call("DELETE", "/users/mgr")
    set_settings(adm, {"names.netbios": "", "names.wins": ""})


def health(adm):
    """The snmp row's detail in GET /api/v1/status."""
    st, body, _ = adm.call("GET", "/status")
    row = next((x for x in body["services"] if x["name"] == "snmp"), {})
    return row.get("detail") or {}


def t_bad_community_counted(d, adm, con):
    bad = ".1.3.6.1.2.1.11.4.0"     # snmpInBadCommunityNames
    n0 = int(get(bad))
    rc, _, err = tool("snmpget", SYS + ".5.0", community="nope")
    check("an unknown community gets no answer", rc != 0 and
          "Timeout" in err, err)
    check("and is counted", int(get(bad)) == n0 + 1)
    check("cvAgentLastRequest is set", int(get(CV + ".1.8.5.0")) > 0)


def t_health_in_status(d, adm, con):
    h0 = health(adm)
    check("the status shows the agent's health",
          {"requests", "bad_community", "bad_pdu", "last_request"} <=
          set(h0), str(h0))
    for _ in range(3):
        get(SYS + ".5.0")
    tool("snmpget", SYS + ".5.0", community="nope")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"\x30\x03\x02\x01", ("127.0.0.1", AGENT))
    want = (h0.get("requests", 0) + 5, h0.get("bad_community", 0) + 1,
            h0.get("bad_pdu", 0) + 1)
    check("requests, bad community and bad PDU counted in the status",
          settle(lambda: (lambda h: (h.get("requests"),
                                     h.get("bad_community"),
                                     h.get("bad_pdu")) == want)(health(adm))),
          f"{health(adm)} want {want}")
    check("with the time of the last request",
          re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$",
                   health(adm).get("last_request", "")), str(health(adm)))


def t_traps(d, adm, con, trapd):
    set_settings(adm, {"snmp.manager": "127.0.0.1",
                       "snmp.manager_port": str(trapd.port)})
    con.command("#H0 GAIN 4 I -3 A")
    check("gain change -> cvAudioNotification",
          settle(lambda: trapd.lines(NOTE + ".3", "GAIN 4 I -3.00")),
          trapd.text()[-500:])
    check("with the value in 0.01 dB",
          any(CV + ".1.9.8.0 = INTEGER: -300" in ln
              for ln in trapd.lines(NOTE + ".3", "GAIN 4 I")))
    tool("snmpset", CHAN + ".5.8", "i", "-222", community="s3cret")
    check("a change made over SNMP is notified with origin snmp ADDR:PORT",
          settle(lambda: [ln for ln in trapd.lines("GAIN 8 I -2.22")
                          if 'STRING: "snmp 127.0.0.1:' in ln]),
          trapd.text()[-500:])
    st, _, _ = Client(d.web_port).login("clearone", "wrong")
    check("failed web login -> cvEventNotification, category login(31)",
          settle(lambda: [ln for ln in trapd.lines(NOTE + ".1")
                          if CV + ".1.9.1.0 = INTEGER: 31" in ln]),
          trapd.text()[-500:])
    rc, _, _ = tool("snmpget", SYS + ".5.0", community="nope")
    check("bad community -> authenticationFailure",
          settle(lambda: trapd.lines("OID: .1.3.6.1.6.3.1.1.5.5")))


def t_trap_port_change_at_run_time(d, adm, con, trapd, trapd2):
    set_settings(adm, {"snmp.manager_port": str(trapd2.port)})
    con.command("#H0 GAIN 5 I -4 A")
    check("after a port change the new port gets it",
          settle(lambda: trapd2.lines(NOTE + ".3", "GAIN 5 I -4.00")))
    check("and the old one does not",
          not trapd.lines(NOTE + ".3", "GAIN 5 I"))


def t_more_destinations(d, adm, con, trapd, trapd2, trapd3):
    """snmp.trap2..8: each notification goes to every destination."""
    set_settings(adm, {
        "snmp.trap2": f"127.0.0.1:{trapd.port} v1-trap public",
        "snmp.trap3": f"127.0.0.1:{trapd3.port} v3-inform clearone"})
    con.command("#H0 GAIN 10 I -6 A")
    check("the first destination (snmp.manager) gets it",
          settle(lambda: trapd2.lines(NOTE + ".3", "GAIN 10 I -6.00")))
    check("snmp.trap2 gets the same event as a v1 trap",
          settle(lambda: trapd.lines("SNMP v1", "specific=.3",
                                     "GAIN 10 I -6.00")),
          trapd.text()[-600:])
    check("snmp.trap3 gets it as a v3 inform (authPriv, the unit's "
          "Administrator)",
          settle(lambda: trapd3.lines("INFORM", "GAIN 10 I -6.00")),
          trapd3.text()[-600:])
    st, body, _ = adm.call("PUT", "/settings", {
        "snmp.trap4": "127.0.0.1 v9-trap public"})
    check("a bad destination is refused with the reason",
          st == 400 and "snmp.trap4" in str(body) and
          "v2c-inform" in str(body) and setting(adm, "snmp.trap4") == "",
          f"{st} {body}")
    st, body, _ = adm.call("PUT", "/settings", {
        "snmp.trap4": "127.0.0.1:70000 v2c-trap public"})
    check("a bad port too", st == 400 and "65535" in str(body),
          f"{st} {body}")
    set_settings(adm, {"snmp.trap2": "", "snmp.trap3": ""})
    con.command("#H0 GAIN 10 I -7 A")
    settle(lambda: trapd2.lines(NOTE + ".3", "GAIN 10 I -7.00"))
    check("a cleared destination gets nothing more",
          not trapd.lines("GAIN 10 I -7.00"))


def reload_with(d, key, value, more=None):
    """Set keys of [snmp] and SIGHUP: the service restarts."""
    with open(d.conf) as f:
        text = f.read()
    for k, v in {key: value, **(more or {})}.items():
        text = re.sub(rf"\n{k} = [^\n]*", "", text)
        text = text.replace("[snmp]\n", f"[snmp]\n{k} = {v}\n")
    with open(d.conf, "w") as f:
        f.write(text)
    d.proc.send_signal(signal.SIGHUP)


def t_service_restart_and_versions(d, adm, con, trapd2):
    reload_with(d, "trap_version", "v1")
    check("a service restart is cvServiceNotification (as v1: specific 2)"
          " saying snmp is running(3)",
          settle(lambda: trapd2.lines("SNMP v1", "specific=.2", '"snmp"',
                                      CV + ".1.9.5.0 = INTEGER: 3")))
    # new configuration: coldStart (RFC 3418), with our sysObjectID
    check("the reconfigured agent sends coldStart in a v1 trap",
          settle(lambda: trapd2.lines("SNMP v1", "generic=0",
                                      "enterprise=" + CV + ".3.1 ")),
          trapd2.text()[-600:])
    wait_for(lambda: get(SYS + ".5.0") is not None, 10, "agent back")
    con.command("#H0 MUTE 6 I 1")
    check("v1: enterprise cvNotifications' parent, specific 3",
          settle(lambda: trapd2.lines("SNMP v1", f"enterprise={CV} ",
                                      "specific=.3", "MUTE 6 I 1")),
          trapd2.text()[-600:])
    reload_with(d, "trap_version", "inform",
                {"inform_timeout": "1", "inform_retries": "2"})
    # the new agent's coldStart: changes before it would go unseen
    check("inform: the restarted agent's coldStart is an INFORM",
          settle(lambda: trapd2.lines("INFORM", "OID: .1.3.6.1.6.3.1.1.5.1")))
    con.command("#H0 MUTE 7 I 1")
    check("inform: acknowledged v2c INFORM",
          settle(lambda: trapd2.lines("INFORM", "MUTE 7 I 1")),
          trapd2.text()[-600:])


def t_bad_input_and_flood(d, adm, con):
    good = get_request("public", 7)
    junk = [b"", b"\x30", b"\x30\x84\xff\xff\xff\xff", good[:-3],
            good[:5] + b"\xff" * 10, b"\x30\x82\xff\xff" + b"A" * 65000,
            bytes(range(256)) * 4, good.replace(b"\x02\x01\x01",
                                                b"\x02\x01\x09")]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for j in junk:
            s.sendto(j, ("127.0.0.1", AGENT))
        s.settimeout(2)
        s.sendto(good, ("127.0.0.1", AGENT))
        try:
            reply = s.recv(65536)
        except socket.timeout:
            reply = b""
        check("malformed BER packets leave the agent answering",
              b"Hall-A" in reply, repr(reply[:60]))
        for i in range(3000):      # a flood without reading the replies
            s.sendto(get_request("public", 100 + i), ("127.0.0.1", AGENT))
    check("after a flood of GETs the agent answers",
          settle(lambda: get(SYS + ".5.0") == "Hall-A"))
    check("the daemon is still running", d.proc.poll() is None)


def t_inform_to_a_silent_destination(d, adm, con):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    silent.settimeout(10)
    unacked = CV + ".1.8.6.0"
    n0 = int(get(unacked))
    try:
        set_settings(adm, {"snmp.manager_port":
                           str(silent.getsockname()[1])})
        con.command("#H0 GAIN 9 I -9 A")
        got = []
        while len(got) < 3:     # timeout 1 s, 2 retries: 3 sends
            pkt = silent.recv(65536)
            if b"GAIN 9 I -9.00" in pkt:
                got.append(pkt)
        check("an unacknowledged inform is sent again (1 + 2 retries)",
              len(set(got)) == 1, f"{len(set(got))} different packets")
        check("and reported in the event log",
              settle(lambda: any("does not acknowledge informs" in x
                                 for x in walk(CV + ".1.6.1.1.6")[1]
                                 .values())))
        check("and counted in cvAgentInformsUnacknowledged",
              settle(lambda: int(get(unacked)) > n0))
    finally:
        silent.close()


def events_text():
    return list(walk(CV + ".1.6.1.1.6")[1].values())


def t_every_destination_reports_silence(d, adm, con):
    """snmp.trap2..8 informs are retried and a silent one is reported like
    snmp.manager (event naming the destination, counted)."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    silent.settimeout(10)
    port = silent.getsockname()[1]
    closed = free_udp_port()
    unacked = CV + ".1.8.6.0"
    try:
        set_settings(adm, {"snmp.manager": "",
                           "snmp.trap4": f"127.0.0.1:{port} v2c-inform "
                           "public"})
        n0 = int(get(unacked))
        con.command("#H0 GAIN 11 I -9 A")
        got = []
        while len(got) < 3:     # timeout 1 s, 2 retries: 3 sends
            pkt = silent.recv(65536)
            if b"GAIN 11 I -9.00" in pkt:
                got.append(pkt)
        check("snmp.trap4: an unacknowledged v2c inform is sent again "
              "(1 + 2 retries)", len(set(got)) == 1)
        check("and reported in the event log, naming the destination",
              settle(lambda: any(f"snmp.trap4 (127.0.0.1:{port}) does not "
                                 "acknowledge informs" in x
                                 for x in events_text())),
              str(events_text()[-3:]))
        check("and counted in cvAgentInformsUnacknowledged",
              settle(lambda: int(get(unacked)) > n0))
        set_settings(adm, {"snmp.trap4": "", "snmp.trap5":
                           f"127.0.0.1:{closed} v3-inform clearone"})
        check("snmp.trap5: a v3 inform destination that never answers "
              "(no engine id) is reported",
              settle(lambda: any(f"snmp.trap5 (127.0.0.1:{closed}) does "
                                 "not acknowledge informs" in x
                                 for x in events_text())),
              str(events_text()[-3:]))
    finally:
        set_settings(adm, {"snmp.trap4": "", "snmp.trap5": ""})
        silent.close()


def t_v3_trap(d, adm, con):
    """A v3-trap destination: authPriv SHA/AES as the unit's account, the
    agent's engine id authoritative (snmptrapd knows the user with -e)."""
    rc, out, _ = tool("snmpget", "-Ox", ".1.3.6.1.6.3.10.2.1.1.0")
    eid = "".join(out.split(":", 1)[1].split()) if rc == 0 else ""
    trapd4 = Trapd("trapd4", f"createUser -e 0x{eid} clearone SHA converge "
                   "AES converge\nauthUser log clearone priv\n")
    try:
        set_settings(adm, {"snmp.trap6":
                           f"127.0.0.1:{trapd4.port} v3-trap clearone"})
        con.command("#H0 GAIN 12 I -8 A")
        check("snmp.trap6 gets a v3 TRAP2 as the unit's Administrator, "
              "authPriv with the agent's engine id",
              settle(lambda: trapd4.lines("TRAP2", "SNMP v3",
                                          "GAIN 12 I -8.00")),
              trapd4.text()[-600:])
        check("a trap, not an inform", not trapd4.lines("INFORM"))
        adm.call("PUT", "/users/clearone", {"password": "changed-pw1"})
        con.command("#H0 GAIN 12 I -7 A")
        settle(lambda: False, 2)
        check("after a password change the trap carries the new key "
              "(the old user no longer authenticates)",
              not trapd4.lines("GAIN 12 I -7.00"), trapd4.text()[-600:])
        adm.call("PUT", "/users/clearone", {"password": "converge"})
        con.command("#H0 GAIN 12 I -6 A")
        check("and with the password back it is received again",
              settle(lambda: trapd4.lines("TRAP2", "GAIN 12 I -6.00")))
    finally:
        set_settings(adm, {"snmp.trap6": ""})
        trapd4.stop()


def t_sources_at_run_time(d, adm, con):
    """snmp.sources: the networks allowed to use the communities, changed
    at run time (no restart); empty = [snmp] sources (here: default)."""
    restarts = CV + ".1.5.1.1.4"
    _, before = walk(restarts)
    set_settings(adm, {"snmp.sources": "10.9.8.0/24"})
    rc, _, err = tool("snmpget", SYS + ".5.0")
    check("a source outside snmp.sources gets no answer", rc != 0 and
          "Timeout" in err, err)
    rc, _, err = v3("snmpget", "clearone", "converge", SYS + ".5.0")
    check("v3 users are not limited by it", rc == 0, err)
    set_settings(adm, {"snmp.sources": "10.9.8.0/24, 127.0.0.0/8"})
    check("a source inside the list is answered",
          get(SYS + ".5.0") is not None)
    set_settings(adm, {"snmp.sources": "127.0.0.2"})
    check("a single other address shuts 127.0.0.1 out",
          get(SYS + ".5.0") is None)
    set_settings(adm, {"snmp.sources": ""})
    check("empty: the configured sources again",
          get(SYS + ".5.0") is not None)
    st, body, _ = adm.call("PUT", "/settings", {"snmp.sources": "10.0.0/8"})
    check("a malformed source list is refused with the reason",
          st == 400 and "snmp.sources" in str(body), f"{st} {body}")
    _, after = walk(restarts)
    check("without restarting the agent", after == before and after,
          f"{before} {after}")


def t_port_in_use_then_free():
    """The agent cannot bind: the service fails, backs off, and answers
    once the port is free (net-snmp shut down and started again)."""
    global TARGET
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("127.0.0.1", 0))
    port = holder.getsockname()[1]
    d = Daemon(web_extra=f"[snmp]\nenabled = yes\nbind = 127.0.0.1\n"
               f"port = {port}\ndata_dir = snmp\n")
    saved, TARGET = TARGET, f"127.0.0.1:{port}"
    try:
        check("a busy port is reported",
              settle(lambda: "cannot listen on udp 127.0.0.1:" + str(port)
                     in d.log_text()))
        holder.close()
        check("the agent answers once the port is free",
              settle(lambda: get(SYS + ".3.0", timeout=0.2) is not None,
                     15))
        rc, v = walk(CV + ".1.5.1.1")
        names = {k.rsplit(".", 1)[1]: x for k, x in v.items()
                 if k.startswith(CV + ".1.5.1.1.2.")}
        row = [r for r, x in names.items() if x == 'STRING: "snmp"']
        check("the services table counts the restart", row and
              v.get(f"{CV}.1.5.1.1.4.{row[0]}") == "Counter32: 1",
              str(v))
    finally:
        TARGET = saved
        holder.close()
        rc, _ = d.stop()
    check("that daemon stops cleanly too", rc == 0, str(rc))


def main():
    trapd = trapd2 = trapd3 = d = None
    try:
        trapd, trapd2 = Trapd("trapd1"), Trapd("trapd2")
        # v3 informs: snmptrapd is the authoritative engine
        trapd3 = Trapd("trapd3", "createUser clearone SHA converge AES "
                       "converge\nauthUser log clearone priv\n")
        d = Daemon(web_extra=f"[snmp]\nenabled = yes\nbind = 127.0.0.1\n"
                   f"port = {AGENT}\ndata_dir = snmp\n"
                   f"max_notify_rate = 1000\n")
        wait_for(lambda: get(SYS + ".3.0", timeout=0.2) is not None, 10,
                 "the agent")
        adm = Client(d.web_port)
        st, _, _ = adm.login("clearone", "converge")
        con = Console(d.console_port)
        t_walk_matches_state(d, adm, con)
        t_no_set_by_community_out_of_the_box(d, adm, con)
        t_sets_go_through_the_state(d, adm, con)
        t_bad_sets_change_nothing(d, adm, con)
        t_v3_users_are_the_units_accounts(d, adm, con)
        t_bad_community_counted(d, adm, con)
        t_names_over_snmp(d, adm, con)
        t_health_in_status(d, adm, con)
        t_traps(d, adm, con, trapd)
        t_trap_port_change_at_run_time(d, adm, con, trapd, trapd2)
        t_more_destinations(d, adm, con, trapd, trapd2, trapd3)
        t_bad_input_and_flood(d, adm, con)
        t_service_restart_and_versions(d, adm, con, trapd2)
        t_inform_to_a_silent_destination(d, adm, con)
        t_every_destination_reports_silence(d, adm, con)
        t_v3_trap(d, adm, con)
        t_sources_at_run_time(d, adm, con)
        con.close()
        # the restarts above shut net-snmp down: it saved its engine
        # state (engineBoots) in data_dir, where the config said
        persist = os.path.join(d.dir, "snmp", "persist", "convergd.conf")
        with open(persist) as f:
            check("engine state persisted in data_dir",
                  "engineBoots" in f.read())
        rc, _ = d.stop()
        d = None
        check("daemon stops cleanly", rc == 0, str(rc))
        t_port_in_use_then_free()
    except Exception as e:  # a crash of the harness is a failure too
        import traceback
        traceback.print_exc()
        check("harness ran to the end", False, repr(e))
        if d is not None:
            print(d.log_text()[-3000:])
    finally:
        if d is not None:
            d.stop()
        for t in (trapd, trapd2, trapd3):
            if t is not None:
                t.stop()
        shutil.rmtree(TMP, ignore_errors=True)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
