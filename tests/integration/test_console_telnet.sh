# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The real telnet client (inetutils), driven by expect, against the
# console: once without option negotiation (a port given on the command
# line), once with it (port "-N": telnet offers TTYPE, NAWS, ... and we
# must refuse each), then login, "#** VER", a GAIN set, logout.
# Needs: telnet, expect. Only 127.0.0.1 is contacted.
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
mkdir -p "$WORK/state" "$WORK/spool"
write_config "$WORK/convergd.conf" "$PORT"
start_daemon "$WORK/convergd.conf" "$WORK/daemon.log"
check "console port opens" wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT"

# session.exp OPEN_COMMAND GAIN: log in, query, set, log out.
cat > "$WORK/session.exp" <<'EXP'
set timeout 5
set open [lindex $argv 0]
set gain [lindex $argv 1]
spawn telnet
expect "telnet> " { send "toggle options\r" } timeout { exit 10 }
expect "telnet> " { send "$open\r" } timeout { exit 11 }
expect "user: " { send "clearone\r" } timeout { exit 12 }
expect "pass: " { send "converge\r" } timeout { exit 13 }
expect "Level: Administrator" {} timeout { exit 14 }
send "#** VER\r"
expect "OK> #H0 VER 4.4.0.2\r\n" {} timeout { exit 15 }
send "#H0 GAIN 1 M $gain A\r"
expect "OK> #H0 GAIN 1 M $gain.00 A\r\n" {} timeout { exit 16 }
send "#H0 GAIN 1 M\r"
expect "OK> #H0 GAIN 1 M $gain.00 A\r\n" {} timeout { exit 17 }
send "\035"
expect "telnet> " { send "quit\r" } timeout { exit 18 }
expect eof {} timeout { exit 19 }
exit 0
EXP

set +e
expect "$WORK/session.exp" "open 127.0.0.1 $PORT" -12 > "$WORK/plain.out" 2>&1
rc=$?
set -e
check "telnet without negotiation: login, VER, GAIN, logout (rc $rc)" \
	[ $rc -eq 0 ]
check "no negotiation was started by the server" \
	bash -c "! grep -q RCVD '$WORK/plain.out'"

set +e
expect "$WORK/session.exp" "open 127.0.0.1 -$PORT" -15 > "$WORK/nego.out" 2>&1
rc=$?
set -e
check "telnet with negotiation: login, VER, GAIN, logout (rc $rc)" [ $rc -eq 0 ]
for answer in "RCVD DONT TERMINAL TYPE" "RCVD DONT NAWS" \
    "RCVD DONT NEW-ENVIRON" "RCVD WONT SUPPRESS GO AHEAD" \
    "RCVD WONT STATUS"; do
	check "server answered: $answer" grep -q "$answer" "$WORK/nego.out"
done
check "server never agreed to an option" \
	bash -c "! grep -Eq 'RCVD (WILL|DO) ' '$WORK/nego.out'"
check "daemon still running" kill -0 "$DAEMON_PID"
stop_daemon TERM
check "SIGTERM exits 0" test "$STOP_STATUS" -eq 0
if [ "$FAILED" -ne 0 ]; then
	echo "---- telnet transcript ----"; cat -A "$WORK/nego.out" | tail -40
	echo "---- daemon log ----"; tail -30 "$WORK/daemon.log"
fi
finish
