# SPDX-License-Identifier: MIT
"""LVLREPORT lines follow [console] level_report_ms, not the engine's
meter tick: with meters ticking every 50 ms (the web page's 20 Hz) and
level reports every 1000 ms, a session listing one meter gets about one
line a second, not twenty. Raw TCP on 127.0.0.1; every wait is bounded."""
import os
import socket
import time

import console_util as cu


def level_lines_follow_level_report_ms(d):
    s = cu.login(d.port)
    for cmd in (b"#H0 LVLREPORT 1 I I 1", b"#H0 LVLREPORTEN 1"):
        s.sendall(cmd + b"\r")
        cu.expect(s, b"OK> " + cmd + b"\r\n")
    got = b""
    end = time.monotonic() + 3.5
    s.settimeout(0.1)
    while time.monotonic() < end:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        got += chunk
    lines = [x for x in got.split(b"\r\n") if x.startswith(b"#H0 LVL 1 I I ")]
    # 3.5 s at one line a second: 3 or 4 lines (ticks of 50 ms would
    # give 70); fewer than one a second would mean reports were lost
    assert 2 <= len(lines) <= 4, (len(lines), got[:300])
    s.close()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    cu.run([level_lines_follow_level_report_ms],
           extra="[console]\nlevel_report_ms = 1000\n"
                 "[engine]\nmeter_interval_ms = 50\n")
