#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run README.md's first set-up command (install, build, run in the
# foreground with config/dev.conf), check that the console and the web
# page answer on loopback, then stop it with SIGTERM and require exit 0.
# Check's pkg-config file is hidden so that a machine that already has
# the test packages proves the same thing a fresh one would.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cmd=$(grep -m1 -E '^    bash packaging/deps.sh build' README.md | sed 's/^    //')
[ -n "$cmd" ] || { echo "readme-first: no first command in README.md" >&2; exit 1; }
echo "=== README first command: $cmd"

work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$work" "$root/run"
}
trap cleanup EXIT

# pkg-config sees every .pc file of the machine except check.pc
mkdir "$work/pc"
for dir in $(pkg-config --variable pc_path pkg-config 2>/dev/null | tr : ' ') \
    /usr/lib/x86_64-linux-gnu/pkgconfig /usr/lib/pkgconfig /usr/share/pkgconfig; do
	[ -d "$dir" ] || continue
	for pc in "$dir"/*.pc; do
		[ -e "$pc" ] && [ "$(basename "$pc")" != check.pc ] &&
			ln -sf "$pc" "$work/pc/" 2>/dev/null
	done
done
# the command is "install && configure && build && run": build part first,
# then the run part as its own process so that it gets the signal
run=${cmd##*&& }
build=${cmd% && "$run"}
case "$run" in
./build/convergd*) ;;
*) echo "readme-first: the first command does not end by running ./build/convergd" >&2; exit 1 ;;
esac
rm -rf build
PKG_CONFIG_LIBDIR=$work/pc bash -c "$build"
if grep -q '^CHECK_FOUND:INTERNAL=1' build/CMakeCache.txt; then
	echo "readme-first: the build found Check; it must not need it" >&2
	exit 1
fi
bash -c "exec $run" > "$work/out" 2>&1 &
pid=$!

# the daemon answers within seconds
answers() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for _ in $(seq 1 100); do
	if answers 2323 && answers 8080; then
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
if ! answers 2323 || ! answers 8080; then
	echo "readme-first: the daemon did not answer on 2323 and 8080" >&2
	tail -n 40 "$work/out" >&2
	exit 1
fi
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
tail -n 5 "$work/out"
if [ "$status" -ne 0 ]; then
	echo "readme-first: convergd exited $status on SIGTERM" >&2
	exit 1
fi
echo "=== README first command: built, answered on 2323 and 8080, stopped cleanly"
