# SPDX-License-Identifier: MIT
"""Console transcripts, byte for byte: the login of protocol.md §1.1 and
the lines real drivers send (§6.1: C1 Ruby, C3 XAPX00, C4 MQTT bridge,
C6/C7 Crestron plugins), over a raw TCP socket that never speaks Telnet.
Every expected byte is written out here."""
import re
import sys
import warnings

import console_util as cu

warnings.simplefilter("ignore")


def login_transcript_section_1_1(d):
    s = cu.connect(d.port)
    cu.expect(s, b"\r\n************\r\n* Converge *\r\n************\r\n"
              b"Version 4.4.0.2\r\n\r\n")
    cu.expect(s, b"\r\nuser: ")
    s.sendall(b"clearone\r\n")
    cu.expect(s, b"\r\npass: ")
    s.sendall(b"converge\r\n")
    cu.expect(s, b"\r\n\r\nAuthenticated.\r\nText Mode Engaged\r\n"
              b"\r\nLevel: Administrator\r\n")
    assert cu.silent(s) == b"", "nothing may follow the login block"
    s.close()


def success_block_is_one_chunk(d):
    # C4/C5 read 512-byte chunks and test each for "Authenticated"
    s = cu.connect(d.port)
    cu.read_until(s, b"user: ")
    s.sendall(b"clearone\r")
    cu.read_until(s, b"pass: ")
    s.sendall(b"converge\r")
    s.settimeout(5)
    chunk = s.recv(512)
    assert chunk == (b"\r\n\r\nAuthenticated.\r\nText Mode Engaged\r\n\r\n"
                     b"Level: Administrator\r\n"), chunk
    s.close()


def c3_uid_with_two_trailing_blanks(d):
    s = cu.login(d.port)
    s.sendall(b"#H0 UID  \r")
    cu.expect(s, b"OK> #H0 UID 0A1B2C3D\r\n")
    assert cu.silent(s) == b""
    s.close()


def c3_gain_with_four_decimals_and_blank(d):
    s = cu.login(d.port)
    s.sendall(b"#H0 GAIN 2 M -12.5000 A \r")
    cu.expect(s, b"OK> #H0 GAIN 2 M -12.50 A\r\n")
    s.close()


def c6_bare_ver_is_a_syntax_error(d):
    s = cu.login(d.port)
    s.sendall(b"VER\r")
    cu.expect(s, b"OK> ERROR SYNTAX ERROR.\r\n")
    s.close()


def c7_crlf_gives_one_reply(d):
    s = cu.login(d.port, eol=b"\r\n")
    s.sendall(b"#** VER\r\n")
    cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n")
    assert cu.silent(s) == b"", "the LF of CRLF must not make a reply"
    s.close()


def c4_greport_then_gate_reports(d):
    s = cu.login(d.port)
    s.sendall(b"#H0 GREPORT 1\r")
    cu.expect(s, b"OK> #H0 GREPORT 1\r\n")
    # the engine's simulated gates change; reports are bare lines
    line = cu.read_until(s, b"\r\n", timeout=10)
    assert re.fullmatch(rb"#H0 GATE [0-9A-F]{2}\r\n", line), line
    s.sendall(b"#H0 GREPORT 0\r")
    cu.read_until(s, b"OK> #H0 GREPORT 0\r\n", timeout=5)
    s.close()


def c1_wildcard_gain_and_mute(d):
    s = cu.login(d.port, eol=b"\r\n")
    s.sendall(b"#H* GAIN 1 M -10 A\r\n")
    cu.expect(s, b"OK> #H0 GAIN 1 M -10.00 A\r\n")
    s.sendall(b"#H* MUTE 1 M 1\r\n")
    cu.expect(s, b"OK> #H0 MUTE 1 M 1\r\n")
    s.sendall(b"#H* MUTE 1 M 0\r\n")
    cu.expect(s, b"OK> #H0 MUTE 1 M 0\r\n")
    s.close()


def doubled_cr_and_lowercase(d):
    s = cu.login(d.port)
    s.sendall(b"#h0 ver\r\r")
    cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n")
    assert cu.silent(s) == b""
    s.close()


def commands_are_not_echoed(d):
    s = cu.login(d.port)
    s.sendall(b"#H0 DID\r")
    got = cu.read_until(s, b"\r\n")
    assert got.startswith(b"OK> "), got
    s.close()


def lf_only_lines_work(d):
    s = cu.login(d.port, eol=b"\n")
    s.sendall(b"#** VER\n")
    cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n")
    s.close()


def pipelined_commands_in_one_segment(d):
    s = cu.login(d.port)
    s.sendall(b"#** VER\r#H0 UID\r#H0 GAIN 3 M -20 A\r")
    cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\nOK> #H0 UID 0A1B2C3D\r\n"
              b"OK> #H0 GAIN 3 M -20.00 A\r\n")
    s.close()


def no_telnet_negotiation_from_us(d):
    # a raw client must see clean text: no IAC (0xFF) anywhere
    s = cu.connect(d.port)
    got = cu.read_exact(s, len(cu.BANNER + cu.USER_PROMPT))
    assert b"\xff" not in got and got == cu.BANNER + cu.USER_PROMPT, got
    s.close()


if __name__ == "__main__":
    cu.run([
        login_transcript_section_1_1,
        success_block_is_one_chunk,
        c3_uid_with_two_trailing_blanks,
        c3_gain_with_four_decimals_and_blank,
        c6_bare_ver_is_a_syntax_error,
        c7_crlf_gives_one_reply,
        c4_greport_then_gate_reports,
        c1_wildcard_gain_and_mute,
        doubled_cr_and_lowercase,
        commands_are_not_echoed,
        lf_only_lines_work,
        pipelined_commands_in_one_segment,
        no_telnet_negotiation_from_us,
    ])
    sys.exit(0)
