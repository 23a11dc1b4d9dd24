# SPDX-License-Identifier: MIT
# Shared helpers for shell integration tests: a temp folder, a daemon
# started by PID with a temporary config, bounded waits, and cleanup.
set -euo pipefail

: "${CONVERGD:?set CONVERGD to the convergd binary}"
: "${SOURCE_DIR:?set SOURCE_DIR to the source tree}"

WORK=$(mktemp -d /tmp/convergd-it-XXXXXX)
DAEMON_PID=
PASSED=0
FAILED=0

cleanup() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

# A free TCP port on 127.0.0.1 (the kernel picks; we release it at once).
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# write_config FILE CONSOLE_PORT [extra lines...]
write_config() {
	local file=$1 port=$2
	shift 2
	cat > "$file" <<CONF
[unit]
model = 880TA
device_id = 0
uid = 0A1B2C3D
state_file = $WORK/state/state.json
spool_dir = $WORK/spool
[log]
level = info
target = stderr
[engine]
enabled = yes
[console]
bind = 127.0.0.1
port = $port
[web]
enabled = no
CONF
	for line in "$@"; do echo "$line" >> "$file"; done
}

# start_daemon CONFIG LOG: start in the foreground, remember the PID.
start_daemon() {
	"$CONVERGD" -f -c "$1" > "$2" 2>&1 &
	DAEMON_PID=$!
}

# stop_daemon SIGNAL: send it, wait (bounded); the exit status is left
# in STOP_STATUS and the time it took in STOP_MS (no subshell: only this
# shell can wait for its child).
stop_daemon() {
	local sig=$1 i start
	start=$(date +%s%3N)
	STOP_STATUS=0
	kill "-$sig" "$DAEMON_PID"
	for i in $(seq 1 250); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.02
	done
	# still there after 5 s: a hang on stop is a failure, not a wait
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		STOP_STATUS=124
	else
		wait "$DAEMON_PID" || STOP_STATUS=$?
	fi
	STOP_MS=$(( $(date +%s%3N) - start ))
	DAEMON_PID=
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
