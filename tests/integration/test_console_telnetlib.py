# SPDX-License-Identifier: MIT
"""Python's telnetlib (a real Telnet implementation, as XAPX00's telnetlib3
client is) against the console: login, commands, and option negotiation
that the client starts and we refuse (WILL x -> DONT x, DO x -> WONT x)."""
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import telnetlib  # noqa: E402  (deprecated in 3.11, removed in 3.13)

import console_util as cu  # noqa: E402

IAC, WILL, WONT, DO, DONT = (telnetlib.IAC, telnetlib.WILL, telnetlib.WONT,
                             telnetlib.DO, telnetlib.DONT)
TTYPE, ECHO, NAWS = telnetlib.TTYPE, telnetlib.ECHO, telnetlib.NAWS


def open_session(d, callback=None):
    tn = telnetlib.Telnet()
    if callback is not None:
        tn.set_option_negotiation_callback(callback)
    tn.open("127.0.0.1", d.port, timeout=5)
    return tn


def telnetlib_login_and_commands(d):
    tn = open_session(d)
    got = tn.read_until(b"user: ", 5)
    assert got == cu.BANNER + cu.USER_PROMPT, got
    tn.write(b"clearone\r\n")
    assert tn.read_until(b"pass: ", 5) == cu.PASS_PROMPT
    tn.write(b"converge\r\n")
    assert tn.read_until(b"Administrator\r\n", 5) == cu.AUTH_ADMIN
    tn.write(b"#** VER\r\n")
    assert tn.read_until(b"\r\n", 5) == b"OK> #H0 VER 4.4.0.2\r\n"
    tn.write(b"#H0 GAIN 2 O -3 A\r\n")
    assert tn.read_until(b"\r\n", 5) == b"OK> #H0 GAIN 2 O -3.00 A\r\n"
    tn.write(b"#H0 MUTE 2 O 2\r\n")
    assert tn.read_until(b"\r\n", 5) == b"OK> #H0 MUTE 2 O 1\r\n"
    tn.close()


def client_options_are_refused(d):
    heard = []

    def callback(sock, cmd, opt):
        # telnetlib hands every negotiation to us instead of answering
        if cmd in (WILL, WONT, DO, DONT):
            heard.append((cmd, opt))

    tn = open_session(d, callback)
    tn.read_until(b"user: ", 5)
    tn.get_socket().sendall(IAC + WILL + TTYPE + IAC + DO + ECHO +
                            IAC + WILL + NAWS + IAC + WONT + ECHO)
    tn.write(b"clearone\r\n")
    tn.read_until(b"pass: ", 5)
    assert heard == [(DONT, TTYPE), (WONT, ECHO), (DONT, NAWS)], heard
    tn.write(b"converge\r\n")
    assert tn.read_until(b"Administrator\r\n", 5) == cu.AUTH_ADMIN
    tn.close()


def subnegotiation_never_reaches_the_interpreter(d):
    tn = open_session(d)
    tn.read_until(b"user: ", 5)
    tn.write(b"clearone\r\n")
    tn.read_until(b"pass: ", 5)
    tn.write(b"converge\r\n")
    tn.read_until(b"Administrator\r\n", 5)
    # SB TTYPE IS "VT100" SE in the middle of a command line
    tn.get_socket().sendall(b"#** V" + IAC + telnetlib.SB + TTYPE + b"\x00"
                            b"VT100" + IAC + telnetlib.SE + b"ER\r\n")
    assert tn.read_until(b"\r\n", 5) == b"OK> #H0 VER 4.4.0.2\r\n"
    tn.close()


if __name__ == "__main__":
    cu.run([
        telnetlib_login_and_commands,
        client_options_are_refused,
        subnegotiation_never_reaches_the_interpreter,
    ])
