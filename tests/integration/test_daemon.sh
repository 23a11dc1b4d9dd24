#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The real binary: command line, --check-config, start-up with every
# enabled service running, SIGHUP reload, SIGTERM within 2 s with exit 0,
# a second daemon on the same state file refused, and refusing to start on
# a state file with no good copy.
. "$(dirname "$0")/lib.sh"

# --- command line ---------------------------------------------------------
check "--version prints the version" sh -c "'$CONVERGD' --version | grep -Eq '^convergd [0-9]+\.[0-9]+\.[0-9]+$'"
check "--help exits 0 with usage" sh -c "'$CONVERGD' --help | grep -q '^usage: convergd'"
status=0; "$CONVERGD" --bogus > "$WORK/out" 2>&1 || status=$?
check "unknown flag: exit 2" test "$status" -eq 2
check "unknown flag: clear message" grep -q "unknown option '--bogus'" "$WORK/out"
status=0; "$CONVERGD" -f -c "$WORK/nope.conf" > "$WORK/out" 2>&1 || status=$?
check "unreadable config: exit 2" test "$status" -eq 2
check "unreadable config: names the file" grep -q "$WORK/nope.conf: cannot read: No such file or directory" "$WORK/out"

# --- --check-config ---------------------------------------------------------
check "shipped convergd.conf is valid" "$CONVERGD" --check-config -c "$SOURCE_DIR/config/convergd.conf"
check "shipped dev.conf is valid" "$CONVERGD" --check-config -c "$SOURCE_DIR/config/dev.conf"
cat > "$WORK/bad.conf" <<'CONF'
[unit]
model = 999
device_id = 42
[console]
port = 70000
colour = blue
CONF
status=0; "$CONVERGD" --check-config -c "$WORK/bad.conf" > "$WORK/out" 2>&1 || status=$?
check "--check-config: exit 1 on errors" test "$status" -eq 1
check "--check-config: model error with line" grep -qx "$WORK/bad.conf:2: \[unit\] model: must be one of 880 880T 880TA 840T 8i TH20 VH20 SR1212 SR1212A" "$WORK/out"
check "--check-config: device_id error" grep -qx "$WORK/bad.conf:3: \[unit\] device_id: must be from 0 to 15" "$WORK/out"
check "--check-config: port error" grep -qx "$WORK/bad.conf:5: \[console\] port: must be from 0 to 65535" "$WORK/out"
check "--check-config: unknown key" grep -qx "$WORK/bad.conf:6: \[console\] colour: unknown key" "$WORK/out"
printf '[unit]\nmodel = TH20\ndevice_id = 15\n' > "$WORK/th20.conf"
check "device ID F is valid on a TH20" "$CONVERGD" --check-config -c "$WORK/th20.conf"
printf '[unit]\nmodel = 880\ndevice_id = 12\n' > "$WORK/880.conf"
status=0; "$CONVERGD" --check-config -c "$WORK/880.conf" > "$WORK/out" 2>&1 || status=$?
check "device ID C is refused on an 880" sh -c "test $status -eq 1 && grep -q 'device_id: the 880 allows 0 to B' '$WORK/out'"

# --- start, services, SIGHUP, SIGTERM ---------------------------------------
PORT=$(free_port)
write_config "$WORK/run.conf" "$PORT"
start_daemon "$WORK/run.conf" "$WORK/daemon.log"
check "engine reports running" wait_for 10 grep -q "engine is running" "$WORK/daemon.log"
check "console reports running" wait_for 10 grep -q "console is running" "$WORK/daemon.log"
check "first boot creates the state file" wait_for 5 test -s "$WORK/state/state.json"
check "console port answers" wait_for 5 /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()"

# --- a second daemon on the same state file ----------------------------------
status=0; timeout 10 "$CONVERGD" -f -c "$WORK/run.conf" > "$WORK/second.log" 2>&1 || status=$?
check "second daemon on the same state file: exit 1" test "$status" -eq 1
check "second daemon: names the file and the PID" grep -q "state file $WORK/state/state.json is in use by PID $DAEMON_PID" "$WORK/second.log"
check "second daemon: exits at once, not after starting services" sh -c "! grep -q 'is running' '$WORK/second.log'"
check "first daemon still serving" /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()"

sed -i 's/^level = info/level = debug/' "$WORK/run.conf"
kill -HUP "$DAEMON_PID"
check "SIGHUP applies the log level and says so" wait_for 5 grep -q "SIGHUP: reloaded .*log level debug" "$WORK/daemon.log"
echo "garbage line" >> "$WORK/run.conf"
kill -HUP "$DAEMON_PID"
check "SIGHUP with a bad file keeps the running config" wait_for 5 grep -q "is invalid; keeping the running configuration" "$WORK/daemon.log"
check "the bad line is reported with its line number" grep -q "run.conf:[0-9]*: expected 'key = value'" "$WORK/daemon.log"
check "daemon still running after a bad reload" kill -0 "$DAEMON_PID"
sed -i '$d' "$WORK/run.conf"
sed -i "s/^port = $PORT/port = $(free_port)/" "$WORK/run.conf"
NEWPORT=$(sed -n 's/^port = //p' "$WORK/run.conf")
kill -HUP "$DAEMON_PID"
check "SIGHUP moves the console to its new port" wait_for 5 /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $NEWPORT), 1).close()"

# a port in use: the console keeps its listener and settings, says why
BUSYPORT=$(free_port)
/usr/bin/python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $BUSYPORT)); s.listen(1)
open('$WORK/busy.ready', 'w').close()
time.sleep(30)" > /dev/null 2>&1 &
BUSY_PID=$!
check "something holds port $BUSYPORT" wait_for 5 test -e "$WORK/busy.ready"
sed -i "s/^port = $NEWPORT/port = $BUSYPORT/" "$WORK/run.conf"
kill -HUP "$DAEMON_PID"
check "SIGHUP to a port in use keeps the console's settings, says why" \
	wait_for 5 grep -q "console: new settings not applied, keeping the running ones: listen: Address already in use" "$WORK/daemon.log"
check "the console still answers on its old port" /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $NEWPORT), 1).close()"
check "the console was not restarted into a backoff" sh -c "! grep -q 'console failed' '$WORK/daemon.log'"
kill "$BUSY_PID"
wait "$BUSY_PID" || true

stop_daemon TERM
echo "   SIGTERM to exit: ${STOP_MS} ms"
check "SIGTERM: exit status 0" test "$STOP_STATUS" -eq 0
check "SIGTERM: stopped within 2 s" test "$STOP_MS" -lt 2000
check "every service stopped" grep -q "console is stopped" "$WORK/daemon.log"
check "no sanitizer report" sh -c "! grep -q 'Sanitizer' '$WORK/daemon.log'"

# --- SIGINT behaves like SIGTERM ---------------------------------------------
start_daemon "$WORK/run.conf" "$WORK/daemon2.log"
wait_for 10 grep -q "engine is running" "$WORK/daemon2.log"
stop_daemon INT
check "SIGINT: exit status 0" test "$STOP_STATUS" -eq 0

# --- damaged state files ------------------------------------------------------
echo '{"format": 1, "settings": ' > "$WORK/state/state.json"
start_daemon "$WORK/run.conf" "$WORK/daemon3.log"
check "damaged state file: started from the last good copy" wait_for 10 grep -q "using the last good copy $WORK/state/state.json.bak" "$WORK/daemon3.log"
stop_daemon TERM
echo 'junk' > "$WORK/state/state.json"
echo 'junk' > "$WORK/state/state.json.bak"
status=0; timeout 10 "$CONVERGD" -f -c "$WORK/run.conf" > "$WORK/out" 2>&1 || status=$?
check "no good copy: refuses to start (exit 1)" test "$status" -eq 1
check "no good copy: says why and names both files" sh -c "grep -q 'refusing to start with reset settings' '$WORK/out' && grep -q 'state.json.bak:' '$WORK/out'"
status=0; timeout 10 "$CONVERGD" -f -c "$WORK/run.conf" > "$WORK/out2" 2>&1 || status=$?
check "no good copy: the next start refuses again (no silent reset)" sh -c "test $status -eq 1 && grep -q 'refusing to start' '$WORK/out2' && ! grep -q 'first boot' '$WORK/out2'"
check "no good copy: the damaged file is left in place" grep -qx junk "$WORK/state/state.json"

finish
