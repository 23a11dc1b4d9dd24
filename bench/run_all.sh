#!/bin/sh
# SPDX-License-Identifier: MIT
# Every benchmark under bench/, one after the other, each printing its own
# baseline from the same run (docs/performance.md). As root, from the
# source folder, with a RelWithDebInfo build in BUILD (default build):
#   BUILD=build bench/run_all.sh [OUT]    -> OUT/<bench>.txt (default bench-out)
# The soak (bench/soak/soak.py) and the 20 x 1000 kill -9 run
# (bench/soak/kill9.sh) are long: SOAK=1 adds them. ONLY="console rss"
# runs just those.
set -u
BUILD=${BUILD:-build}
OUT=${1:-bench-out}
mkdir -p "$OUT"
BUILD=$(cd "$BUILD" && pwd)	# the benches start daemons in other folders
CONVERGD=$(realpath "${CONVERGD:-$BUILD/convergd}")
export CONVERGD CONVERGE_CONSOLE="${CONVERGE_CONSOLE:-$BUILD/converge-console}"
py=/usr/bin/python3
run() {
	name=$1; shift
	case " ${ONLY:-$name} " in *" $name "*) ;; *) return ;; esac
	echo "== $name: $*" | tee "$OUT/$name.txt"
	"$@" >> "$OUT/$name.txt" 2>&1
	echo "== $name: exit $?" >> "$OUT/$name.txt"
	tail -n 40 "$OUT/$name.txt"
}
fport() {
	$py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# config/dev.conf, every service on, on free ports, log level warn; with
# "pin", daemon and client share CPU 1 (no cross-CPU wake-up latency of
# the VM: each thread woken costs its CPU time, which shows steadily)
console_bench() {
	pin=
	[ "${1:-}" = pin ] && pin="taskset -c 1"
	dir=$(mktemp -d)
	port=$(fport)
	sed -e "s|^state_file = .*|state_file = $dir/state.json|" \
	    -e "s|^spool_dir = .*|spool_dir = $dir/spool|" \
	    -e "s|^data_dir = .*|data_dir = $dir/snmp|" \
	    -e "s|^lease_file = .*|lease_file = $dir/dhcp.lease|" \
	    -e "s|^resolv_conf = .*|resolv_conf = $dir/resolv.conf|" \
	    -e 's/^level = info/level = warn/' \
	    -e "s/^port = 2323/port = $port/" \
	    -e "s/^port = 8080/port = $(fport)/" \
	    -e "s/^port = 3487/port = $(fport)/" \
	    -e "s/^port = 1161/port = $(fport)/" \
	    -e "s/^port = 1137/port = $(fport)/" \
	    config/dev.conf > "$dir/c.conf"
	$pin "$CONVERGD" -f -c "$dir/c.conf" > "$dir/log" 2>&1 &
	pid=$!
	sleep 1
	$pin "$BUILD/bench/bench_console" -q "#H0 GAIN 1 M" "127.0.0.1:$port"
	[ -n "$pin" ] || "$BUILD/bench/bench_console" "127.0.0.1:$port"
	kill "$pid"
	wait "$pid"
	rm -rf "$dir"
}
run console console_bench
run console_pinned console_bench pin
run snmp $py bench/snmp/bench_snmp.py
run web $py bench/web/bench_web.py
run slowloris $py bench/web/bench_slowloris.py
run mail $py bench/mail/bench_mail.py 500
run ntp $py bench/ntp/bench_ntp.py
run dhcp $py bench/dhcp/bench_dhcp.py
run discovery $py bench/discovery/bench_discovery.py
run load $py bench/load/bench_load.py
run rss $py bench/rss/bench_rss.py
if [ "${SOAK:-0}" = 1 ]; then
	run soak $py bench/soak/soak.py
	run kill9 sh bench/soak/kill9.sh
fi
