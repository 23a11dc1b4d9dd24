#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Level meters over the WebSocket (docs/api.md): nothing until a client
asks; {"type":"meters",...} is answered with what it now gets; frames
carry only the groups asked for, at most rate_hz a second (by the
server's clock in "t"); bad requests change nothing; "on":false stops
them; the console's LVLREPORT/GREPORT reports show the numbers the frames
show; a client that stops reading loses meter frames but gets every
settings change, in order, when it reads again."""
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console  # noqa: E402
from web_harness import Client, Daemon, WebSocket  # noqa: E402

results = Checks()
check = results.check
GROUPS_880TA = ["B", "F", "I", "J", "O", "P", "R", "T"]


def read_for(ws, seconds):
    """Every message that arrives within `seconds`."""
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            out.append(ws.recv(timeout=max(0.05, end - time.monotonic())))
        except (socket.timeout, TimeoutError):
            break
    return out


def next_of(ws, kind, timeout=5.0):
    end = time.monotonic() + timeout
    while True:
        m = ws.recv(timeout=max(0.05, end - time.monotonic()))
        if m.get("type") == kind:
            return m


def frames(ws, n):
    return [next_of(ws, "levels") for _ in range(n)]


def ask(ws, **req):
    ws.send(dict({"type": "meters"}, **req))
    return next_of(ws, "meters_ack")


def t_gaps(fs):
    return [b["t"] - a["t"] for a, b in zip(fs, fs[1:])]


def subscription(ws):
    check("no meter frames before the client asks",
          not any(m["type"] == "levels" for m in read_for(ws, 1.0)))
    ack = ask(ws, on=True, rate_hz=20, groups=["I"])
    check("ack says what it gets", ack == {
        "type": "meters_ack", "on": True, "groups": ["I"], "rate_hz": 20},
        ack)
    fs = frames(ws, 5)
    check("frames hold only the group asked for, a value per channel",
          all(list(f["levels"]) == ["I"] and len(f["levels"]["I"]) == 12
              and isinstance(f["gates"], int) for f in fs), fs[0])
    check("one frame per tick, ticks rising",
          all(b["tick"] > a["tick"] for a, b in zip(fs, fs[1:])))
    ack = ask(ws, on=True)
    check("no groups and no rate: every group with meters at 10 Hz",
          ack["groups"] == GROUPS_880TA and ack["rate_hz"] == 10, ack)
    ack = ask(ws, on=True, rate_hz=20, groups=["O", "T"])
    f = next_of(ws, "levels")
    while sorted(f["levels"]) != ["O", "T"]:
        f = next_of(ws, "levels")  # one made before the request
    check("a new request changes the groups", len(f["levels"]["O"]) == 8)


def rate(ws):
    ask(ws, on=True, rate_hz=2, groups=["I"])
    next_of(ws, "levels")
    slow = t_gaps(frames(ws, 5))
    check("rate_hz 2: frames at least 475 ms apart (server clock)",
          min(slow) >= 475, slow)
    ask(ws, on=True, rate_hz=20, groups=["I"])
    next_of(ws, "levels")
    fast = sorted(t_gaps(frames(ws, 9)))
    check("rate_hz 20: every engine tick (250 ms) gets a frame",
          fast[len(fast) // 2] < 475, fast)


def bad_requests(ws):
    ask(ws, on=True, rate_hz=20, groups=["I"])
    for req, why in (({"on": True, "rate_hz": 0}, "rate_hz"),
                     ({"on": True, "rate_hz": 21}, "rate_hz"),
                     ({"on": True, "rate_hz": "fast"}, "rate_hz"),
                     ({"on": True, "groups": ["M"]}, "group M"),
                     ({"on": True, "groups": ["Z"]}, "group Z"),
                     ({"on": True, "groups": "I"}, "list"),
                     ({"rate_hz": 5}, "on must")):
        ack = ask(ws, **req)
        check(f"{req} refused, subscription unchanged",
              why in ack.get("error", "") and ack["groups"] == ["I"] and
              ack["rate_hz"] == 20, ack)


def turn_off(ws):
    ack = ask(ws, on=False)
    check("on:false answered", ack["on"] is False and ack["rate_hz"] == 0,
          ack)
    check("no meter frames after on:false",
          not any(m["type"] == "levels" for m in read_for(ws, 1.0)))


def same_as_console(d, ws):
    # frames flow before the console reports start and after they stop
    ask(ws, on=True, rate_hz=20, groups=["I"])
    con = Console(d.console_port)
    con.command("#H0 LVLREPORT 9 I A 1")
    con.command("#H0 GREPORT 1")
    con.command("#H0 LVLREPORTEN 1")
    got = read_for(ws, 5.0)
    con.send(b"#H0 GREPORT 0\r")
    text = con.last_reports.decode(errors="replace")
    con.send(b"#H0 LVLREPORTEN 0\r")
    text += con.last_reports.decode(errors="replace")
    got += read_for(ws, 1.0)
    con.close()
    lvl = [float(x) for x in re.findall(r"#H0 LVL 9 I A (-?\d+\.\d\d)",
                                        text)]
    gates = [int(x, 16) for x in re.findall(r"#H0 GATE ([0-9A-F]{2})",
                                            text)]
    fs = [m for m in got if m["type"] == "levels"]
    page_lvl = {f["levels"]["I"][8] for f in fs}
    page_gates = {f["gates"] for f in fs}
    check("the console reported input 9's level", len(set(lvl)) >= 5, text)
    check("every LVL report of input 9 is a level the page got",
          set(lvl) <= page_lvl, (sorted(set(lvl) - page_lvl), lvl))
    check("every GATE report is a gate state the page got",
          len(gates) > 0 and set(gates) <= page_gates,
          (gates, sorted(page_gates)))


def stalled(d, web):
    con = Console(d.console_port)
    ws = WebSocket(d.web_port, web.cookie, rcvbuf=4096)
    next_of(ws, "snapshot")
    ask(ws, on=True, rate_hz=20)
    # stop reading; 200 changes overfill the socket buffers and the writer
    # blocks with changes still queued while meter ticks go on
    for i in range(200):
        con.command(f"#H0 GAIN 1 I {-(i % 60)} A")
    time.sleep(1.5)  # six engine ticks
    changes, fs, snaps = [], [], 0
    end = time.monotonic() + 20
    while time.monotonic() < end and (len(changes) < 200 or len(fs) < 3):
        m = ws.recv(timeout=5)
        if m["type"] == "change" and m["what"] == "gain":
            changes.append(m["number"])
        elif m["type"] == "levels":
            fs.append(m)
        elif m["type"] == "snapshot":
            snaps += 1
    check("the stalled client gets all 200 changes in order, no resync",
          changes == [float(-(i % 60)) for i in range(200)] and snaps == 0,
          (len(changes), snaps))
    check("and it lost meter frames while it did not read",
          sum(f["lost"] for f in fs) > 0, [f["lost"] for f in fs])
    ws.close()
    con.close()


def main():
    # the engine's default 250 ms: time for a reader late by a tick
    d = Daemon(engine_extra="meter_interval_ms = 250")
    try:
        web = Client(d.web_port)
        check("login", web.login("clearone", "converge")[0] == 200)
        ws = WebSocket(d.web_port, web.cookie)
        next_of(ws, "snapshot")
        subscription(ws)
        rate(ws)
        bad_requests(ws)
        turn_off(ws)
        same_as_console(d, ws)
        ws.close()
        stalled(d, web)
    finally:
        d.stop()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
