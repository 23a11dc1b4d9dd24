# SPDX-License-Identifier: MIT
"""The console's serial port, through a socat pseudo-terminal pair: the
protocol without login at Administrator level, changes crossing
between the serial port and a Telnet session as bare report lines, and
BAUD/FLOW (console and web) setting the open tty's speed and RTS/CTS
flag at once; the config's serial_baud is only the first-boot value.
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
import web_harness as wh

SPEEDS = {9600: termios.B9600, 19200: termios.B19200,
          38400: termios.B38400, 57600: termios.B57600,
          115200: termios.B115200}


def port_mode(fd):
    """(baud, flow) of the tty as the daemon set it."""
    attrs = termios.tcgetattr(fd)
    ispeed, ospeed, cflag = attrs[4], attrs[5], attrs[2]
    assert ispeed == ospeed, (ispeed, ospeed)
    baud = {v: k for k, v in SPEEDS.items()}.get(ospeed, ospeed)
    return baud, bool(cflag & termios.CRTSCTS)


def wait_mode(fd, want, timeout=5):
    """The tty reaches (baud, flow) within `timeout` (the daemon applies a
    change when its console sees it on the bus)."""
    deadline = time.monotonic() + timeout
    while port_mode(fd) != want:
        assert time.monotonic() < deadline, \
            f"tty is {port_mode(fd)}, want {want}"
        time.sleep(0.02)


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
    fd = unit_fd = -1
    try:
        deadline = time.monotonic() + 5
        while not (os.path.exists(unit_end) and os.path.exists(test_end)):
            assert time.monotonic() < deadline, "socat made no pty pair"
            time.sleep(0.05)
        fd = os.open(test_end, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        termios.tcflush(fd, termios.TCIOFLUSH)
        # the daemon's end, only to read its termios (never read from);
        # holding it open also keeps the pair up while the daemon restarts
        unit_fd = os.open(unit_end, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        state = {"fd": fd, "unit": unit_fd}
        web_port = wh.free_port()

        def enable_web(d):
            with open(d.config) as f:
                text = f.read()
            text = text.replace("[web]\nenabled = no\n",
                                f"[web]\nenabled = yes\nbind = 127.0.0.1\n"
                                f"port = {web_port}\n")
            with open(d.config, "w") as f:
                f.write(text)

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

        def port_starts_at_the_first_boot_baud(d):
            # config serial_baud seeds serial.baud; flow control is off
            wait_mode(state["unit"], (115200, False))
            s = cu.login(d.port)
            s.sendall(b"#** BAUD\r")
            cu.expect(s, b"OK> #H0 BAUD 115200\r\n")
            s.close()

        def baud_from_telnet_sets_the_port(d):
            s = cu.login(d.port)
            s.sendall(b"#** BAUD 9600\r")
            cu.expect(s, b"OK> #H0 BAUD 9600\r\n")
            wait_mode(state["unit"], (9600, False))
            s.close()

        def flow_from_the_serial_port_sets_rtscts(d):
            os.write(state["fd"], b"#** FLOW 1\r")
            # reports of earlier changes may come first
            read_serial(state["fd"], b"OK> #H0 FLOW 1\r\n")
            wait_mode(state["unit"], (9600, True))
            os.write(state["fd"], b"#** FLOW 2\r")     # toggles
            # reports of earlier changes may come first
            read_serial(state["fd"], b"OK> #H0 FLOW 0\r\n")
            wait_mode(state["unit"], (9600, False))

        def baud_and_flow_from_the_web_set_the_port(d):
            w = wh.Client(web_port)
            st, body, _ = w.login("clearone", "converge")
            assert st == 200, (st, body)
            st, body, _ = w.call("PUT", "/settings", {
                "serial.baud": "38400", "serial.flow": "1"})
            assert st == 200, (st, body)
            wait_mode(state["unit"], (38400, True))
            st, body, _ = w.call("PUT", "/settings", {"serial.flow": "0"})
            assert st == 200, (st, body)
            wait_mode(state["unit"], (38400, False))
            w.close()

        def restart_keeps_the_state_not_the_config(d):
            assert d.stop() == 0
            d.start()
            # serial_baud = 115200 in the config is the first boot's only
            deadline = time.monotonic() + 5
            while d.log().count("serial port") < 1:
                assert time.monotonic() < deadline, d.log()
                time.sleep(0.05)
            wait_mode(state["unit"], (38400, False))
            os.write(state["fd"], b"#** BAUD\r")
            # reports of earlier changes may come first
            read_serial(state["fd"], b"OK> #H0 BAUD 38400\r\n")

        cu.run([
            serial_needs_no_login,
            serial_is_administrator,
            serial_change_reaches_telnet,
            telnet_change_reaches_serial,
            port_starts_at_the_first_boot_baud,
            baud_from_telnet_sets_the_port,
            flow_from_the_serial_port_sets_rtscts,
            baud_and_flow_from_the_web_set_the_port,
            restart_keeps_the_state_not_the_config,
        ], extra=f"[console]\nserial_device = {unit_end}\n"
                 f"serial_baud = 115200\n", prepare=enable_web)
    finally:
        for f in (fd, unit_fd):
            if f >= 0:
                os.close(f)
        socat.terminate()
        try:
            socat.wait(5)
        except subprocess.TimeoutExpired:
            socat.kill()
            socat.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()   # cu.run exits with the status; the finally above cleans up
