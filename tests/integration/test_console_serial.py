# SPDX-License-Identifier: MIT
"""The console's serial port, through a socat pseudo-terminal pair: the
protocol without login at Administrator level, and changes crossing
between the serial port and a Telnet session as bare report lines.
Needs socat. No network beyond 127.0.0.1."""
import os
import select
import shutil
import subprocess
import tempfile
import termios
import time
import tty

import console_util as cu


def read_serial(fd, want, timeout=5):
    deadline = time.monotonic() + timeout
    buf = b""
    while want not in buf:
        left = deadline - time.monotonic()
        assert left > 0, f"no {want!r} on the serial port; got {buf!r}"
        r, _, _ = select.select([fd], [], [], left)
        if r:
            buf += os.read(fd, 4096)
    return buf


def main():
    tmp = tempfile.mkdtemp(prefix="convergd-serial-")
    unit_end, test_end = os.path.join(tmp, "unit"), os.path.join(tmp, "test")
    socat = subprocess.Popen(
        ["socat", f"pty,raw,echo=0,link={unit_end}",
         f"pty,raw,echo=0,link={test_end}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fd = -1
    try:
        deadline = time.monotonic() + 5
        while not (os.path.exists(unit_end) and os.path.exists(test_end)):
            assert time.monotonic() < deadline, "socat made no pty pair"
            time.sleep(0.05)
        fd = os.open(test_end, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        termios.tcflush(fd, termios.TCIOFLUSH)
        state = {"fd": fd}

        def serial_needs_no_login(d):
            # the daemon opens the port at start; allow it a moment
            deadline = time.monotonic() + 5
            while "serial port" not in d.log():
                assert time.monotonic() < deadline, d.log()
                time.sleep(0.05)
            os.write(state["fd"], b"#** VER\r")
            got = read_serial(state["fd"], b"\r\n")
            assert got == b"OK> #H0 VER 4.4.0.2\r\n", got

        def serial_is_administrator(d):
            os.write(state["fd"], b"#H0 LOCROOM LAB\r")
            got = read_serial(state["fd"], b"\r\n")
            assert got == b"OK> #H0 LOCROOM LAB\r\n", got

        def serial_change_reaches_telnet(d):
            s = cu.login(d.port)
            os.write(state["fd"], b"#H0 GAIN 3 M -9 A\r")
            got = read_serial(state["fd"], b"\r\n")
            assert got == b"OK> #H0 GAIN 3 M -9.00 A\r\n", got
            cu.expect(s, b"#H0 GAIN 3 M -9.00 A\r\n")
            s.close()

        def telnet_change_reaches_serial(d):
            s = cu.login(d.port)
            s.sendall(b"#H0 MUTE 3 M 1\r")
            cu.expect(s, b"OK> #H0 MUTE 3 M 1\r\n")
            got = read_serial(state["fd"], b"\r\n")
            assert got == b"#H0 MUTE 3 M 1\r\n", got
            s.close()

        cu.run([
            serial_needs_no_login,
            serial_is_administrator,
            serial_change_reaches_telnet,
            telnet_change_reaches_serial,
        ], extra=f"[console]\nserial_device = {unit_end}\n"
                 f"serial_baud = 115200\n")
    finally:
        if fd >= 0:
            os.close(fd)
        socat.terminate()
        try:
            socat.wait(5)
        except subprocess.TimeoutExpired:
            socat.kill()
            socat.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()   # cu.run exits with the status; the finally above cleans up
