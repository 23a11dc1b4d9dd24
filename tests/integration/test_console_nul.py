# SPDX-License-Identifier: MIT
"""NUL bytes on the console (issue 9): a NUL in a command line is a
control character, so the line is a SYNTAX ERROR and changes nothing
(docs/commands.md §2), instead of being silently removed; a NUL in a
user name or password fails the login; the Telnet NVT's CR NUL is still
a plain end of line. Only 127.0.0.1 is contacted."""
import console_util as cu

SYNTAX = b"OK> ERROR SYNTAX ERROR.\r\n"


def nul_in_a_command_is_a_syntax_error(d):
    s = cu.login(d.port)
    s.sendall(b"#H0 LABEL 1 M abc\x00def\r")
    cu.expect(s, SYNTAX)
    s.sendall(b"#H0 LABEL 1 M\r")
    got = cu.read_until(s, b"\r\n")
    assert b"abcdef" not in got and b"abc" not in got, got
    s.close()


def nul_alone_between_words_is_a_syntax_error(d):
    s = cu.login(d.port)
    s.sendall(b"#** V\x00ER\r")
    cu.expect(s, SYNTAX)
    s.close()


def cr_nul_still_ends_a_line(d):
    s = cu.login(d.port)
    s.sendall(b"#** VER\r\x00#** VER\r\x00")
    cu.expect(s, b"OK> #H0 VER 4.4.0.2\r\n" * 2)
    s.close()


def nul_in_the_password_fails_the_login(d):
    s = cu.at_user_prompt(d.port)
    s.sendall(b"clearone\r")
    cu.expect(s, cu.PASS_PROMPT)
    s.sendall(b"conv\x00erge\r")
    cu.expect(s, cu.INVALID)
    s.close()


def nul_in_the_user_fails_the_login(d):
    s = cu.at_user_prompt(d.port)
    s.sendall(b"clearone\x00x\r")
    cu.expect(s, cu.PASS_PROMPT)
    s.sendall(b"converge\r")
    cu.expect(s, cu.INVALID)
    s.close()


if __name__ == "__main__":
    cu.run([
        nul_in_a_command_is_a_syntax_error,
        nul_alone_between_words_is_a_syntax_error,
        cr_nul_still_ends_a_line,
        nul_in_the_password_fails_the_login,
        nul_in_the_user_fails_the_login,
    ])
