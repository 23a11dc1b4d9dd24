# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# converge-console against the real daemon: send (replies and exit
# status 0/1/2/3), watch (reports made by another session), shell (lines
# from stdin); and against a server that puts Telnet negotiation and
# subnegotiations mid-line (the tool decodes with the console's codec).
# Only 127.0.0.1 is contacted; every wait is bounded.
. "$(dirname "$0")/lib.sh"
: "${CONVERGE_CONSOLE:?set CONVERGE_CONSOLE to the converge-console binary}"
CC=$CONVERGE_CONSOLE

PORT=$(free_port)
mkdir -p "$WORK/state" "$WORK/spool"
write_config "$WORK/convergd.conf" "$PORT"
start_daemon "$WORK/convergd.conf" "$WORK/daemon.log"
check "console port opens" wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT"
U=127.0.0.1:$PORT
set +e

# rc_of NAME WANT CMD...: run CMD with a time limit, compare exit status
rc_of() {
	local what=$1 want=$2 rc
	shift 2
	timeout 20 "$@" > "$WORK/out" 2> "$WORK/err"
	rc=$?
	check "$what: exit $want (got $rc)" [ "$rc" -eq "$want" ]
}

rc_of "send two commands" 0 "$CC" send "$U" '#** VER' '#H0 GAIN 1 M -10 A'
check "send prints the replies" diff -u - "$WORK/out" <<'OUT'
OK> #H0 VER 4.4.0.2
OK> #H0 GAIN 1 M -10.00 A
OUT

rc_of "send a wildcard channel" 0 "$CC" send "$U" '#H0 GAIN * P'
check "send prints every line of one reply" \
	[ "$(grep -c '^OK> #H0 GAIN [A-H] P ' "$WORK/out")" -eq 8 ]

rc_of "send with an ERROR reply" 1 "$CC" send "$U" '#** VER' 'VER'
check "error reply printed" grep -qx 'OK> ERROR SYNTAX ERROR.' "$WORK/out"

rc_of "quiet send" 0 "$CC" send -q "$U" '#** VER'
check "quiet prints nothing" [ ! -s "$WORK/out" ]

rc_of "wrong password" 3 "$CC" -p nope send "$U" '#** VER'
check "wrong password explained" grep -q 'login failed' "$WORK/err"

rc_of "nothing listening" 2 "$CC" send 127.0.0.1:1 '#** VER'
rc_of "no command" 2 "$CC" send "$U"
rc_of "unknown verb" 2 "$CC" frobnicate "$U"
rc_of "bad address" 2 "$CC" send '[::1' '#** VER'
rc_of "--help" 0 "$CC" --help
check "help names the verbs" grep -q 'watch HOST\[:PORT\]' "$WORK/out"

# watch: started first, it must print the change another session makes
timeout 20 "$CC" watch -n 1 -w 10 "$U" > "$WORK/watch.out" 2>&1 &
WATCH=$!
sleep 0.5
"$CC" send -q "$U" '#H0 GAIN 5 M -3 A'
wait "$WATCH"
rc=$?
check "watch exits 0 after one report (got $rc)" [ "$rc" -eq 0 ]
check "watch printed the change as a bare line" \
	grep -qx '#H0 GAIN 5 M -3.00 A' "$WORK/watch.out"

rc_of "watch -g prints gate reports" 0 "$CC" watch -g -n 2 -w 15 "$U"
check "gate report lines" [ "$(grep -Ec '^#H0 GATE [0-9A-F]{2}$' "$WORK/out")" -eq 2 ]

rc_of "watch -n with nothing happening times out" 3 "$CC" watch -n 1 -w 1 "$U"

printf '#** VER\r\n#H0 UID\n' | timeout 20 "$CC" shell -t 2 "$U" > "$WORK/out" 2>&1
rc=$?
check "shell exits 0 at end of input (got $rc)" [ "$rc" -eq 0 ]
check "shell printed both replies" diff -u - "$WORK/out" <<'OUT'
OK> #H0 VER 4.4.0.2
OK> #H0 UID 0A1B2C3D
OUT

# another session changing a gain every 30 ms must not keep send waiting
(for i in $(seq 1 200); do echo "#H0 GAIN 6 M -$((i % 50)) A"; sleep 0.03; done) |
	timeout 20 "$CC" shell "$U" > /dev/null 2>&1 &
BUSY=$!
sleep 0.3
start=$(date +%s%3N)
rc_of "send while another session is busy" 0 "$CC" send -t 2 "$U" '#** VER'
took=$(( $(date +%s%3N) - start ))
check "send returned within its -t 2 s (took $took ms)" [ "$took" -lt 2500 ]
check "send printed only its own reply" diff -u - "$WORK/out" <<'OUT'
OK> #H0 VER 4.4.0.2
OUT
wait "$BUSY"

# A unit-like server that negotiates mid-line: IAC DO/WILL, IAC SB ...
# IAC SE (with NUL and 0x1F in the payload), IAC NOP and IAC IAC. The
# tool must print clean lines and refuse each option (WONT/DONT).
cat > "$WORK/iac_server.py" <<'PY'
import socket, sys
IAC, SB, SE, NOP, WILL, DO = 255, 250, 240, 241, 251, 253
ready, got_path = sys.argv[1], sys.argv[2]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(15)
open(ready + ".tmp", "w").write(str(srv.getsockname()[1]))
__import__("os").rename(ready + ".tmp", ready)
c, _ = srv.accept()
c.settimeout(10)
got = b""
def line():
    global got
    while True:
        i = max(got.find(b"\r"), got.find(b"\n"))
        if i >= 0:
            out, got = got[:i], got[i + 1:].lstrip(b"\r\n")
            return out
        chunk = c.recv(4096)
        if not chunk:
            sys.exit("closed")
        log.write(chunk)
        got += chunk
log = open(got_path, "wb", buffering=0)
c.sendall(b"\r\n*** Conv" + bytes([IAC, DO, 1]) + b"erge ***\r\nus" +
          bytes([IAC, WILL, 3]) + b"er: ")
line()
c.sendall(b"\r\npa" + bytes([IAC, SB, 24, 1, IAC, SE]) + b"ss: ")
line()
c.sendall(b"\r\n\r\nAuthen" + bytes([IAC, NOP]) + b"ticated.\r\n"
          b"Level: Admini" + bytes([IAC, SB, 31, 0, 80, 0, 24, IAC, SE]) +
          b"strator\r\n")
line()
c.sendall(b"OK> #H0 VER " + bytes([IAC, SB, 31, 0, 80, IAC, IAC, 0, 24,
          IAC, SE]) + b"4.4" + bytes([IAC, DO, 24]) + b".0.2\r\n")
line()
c.sendall(b"OK> #H0 LABEL 1 M a" + bytes([IAC, IAC]) + b"b\r\n")
c.recv(1)   # until the tool hangs up
PY
timeout 30 /usr/bin/python3 "$WORK/iac_server.py" "$WORK/iac.port" \
	"$WORK/iac.got" > "$WORK/iac_server.log" 2>&1 &
IACSRV=$!
check "negotiating server listens" wait_for 10 test -s "$WORK/iac.port"
rc_of "send through mid-line negotiation" 0 "$CC" send \
	"127.0.0.1:$(cat "$WORK/iac.port")" '#** VER' '#** LABEL 1 M'
printf 'OK> #H0 VER 4.4.0.2\nOK> #H0 LABEL 1 M a\377b\n' > "$WORK/iac.want"
check "replies printed without Telnet bytes" cmp "$WORK/iac.want" "$WORK/out"
check "the tool refused DO ECHO with WONT ECHO" \
	grep -qaF "$(printf '\377\374\001')" "$WORK/iac.got"
check "the tool refused WILL SGA with DONT SGA" \
	grep -qaF "$(printf '\377\376\003')" "$WORK/iac.got"
wait "$IACSRV"
rc=$?
check "negotiating server finished (got $rc)" [ "$rc" -eq 0 ]

set -e
stop_daemon TERM
check "SIGTERM exits 0" test "$STOP_STATUS" -eq 0
finish
