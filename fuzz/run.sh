#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the libFuzzer tree (clang, CONVERGD_FUZZ=ON: the daemon and the
# tests are built there too, so a fuzz build that breaks them fails here)
# and run every fuzz/<name> target, one after the other, each bounded by
# time (--seconds, the CI step) or by executions (--runs; 10M is 10
# million). Prints one line per target (executions, exec/s, new corpus
# inputs) and exits non-zero if any target found a crash, a leak, UB or a
# timeout; the input that did it is kept in BUILD/fuzz-artifacts/<name>/.
# See docs/fuzzing.md.
#
#   fuzz/run.sh [--seconds N | --runs N[M]] [--build DIR] [--no-build]
#               [NAME...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '12,13p' "$0" | sed 's/^# //' >&2
	exit 2
}

seconds=20 runs= build=$root/build-fuzz do_build=1 names=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:?}; runs=; shift 2 ;;
	--runs) runs=${2:?}; seconds=; shift 2 ;;
	--build) build=${2:?}; shift 2 ;;
	--no-build) do_build=; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) names+=("$1"); shift ;;
	esac
done
case $runs in *M) runs=$((${runs%M} * 1000000)) ;; esac	# --runs 10M
[[ ${seconds}${runs} =~ ^[0-9]+$ ]] || usage
case $build in /*) ;; *) build=$PWD/$build ;; esac

if [ ${#names[@]} -eq 0 ]; then
	for src in "$root"/fuzz/*/fuzz_*.c; do
		names+=("$(basename "$(dirname "$src")")")
	done
fi
for name in "${names[@]}"; do
	[ -f "$root/fuzz/$name/fuzz_$name.c" ] || {
		echo "fuzz/run.sh: no target fuzz/$name" >&2
		exit 2
	}
done

if [ -n "$do_build" ]; then
	echo "=== fuzz build (clang, libFuzzer, ASan+UBSan) in $build ==="
	CC=${FUZZ_CC:-clang} cmake -S "$root" -B "$build" -DCONVERGD_FUZZ=ON \
		-DCONVERGD_WERROR=ON -DCONVERGD_TESTS=ON >/dev/null
	cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)"
fi

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
limit=(-max_total_time="${seconds:-0}")
[ -n "$runs" ] && limit=(-runs="$runs")
failed=()
printf '%-16s %12s %10s %8s  %s\n' target executions exec/s new result
for name in "${names[@]}"; do
	exe=$build/fuzz/fuzz_$name
	work=$build/fuzz-corpus/$name	# new inputs; the seeds stay as they are
	art=$build/fuzz-artifacts/$name/
	log=$build/fuzz-logs/$name.log
	mkdir -p "$work" "$art" "$(dirname "$log")"
	dict=()
	[ -f "$root/fuzz/$name/$name.dict" ] &&
		dict=(-dict="$root/fuzz/$name/$name.dict")
	before=$(find "$work" -type f | wc -l)
	rc=0
	"$exe" "${limit[@]}" "${dict[@]}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art" \
		"$work" "$root/fuzz/$name/corpus" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	new=$(($(find "$work" -type f | wc -l) - before))
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc): $log"
		failed+=("$name")
	fi
	printf '%-16s %12s %10s %8s  %s\n' "$name" "${execs:-?}" "${rate:-?}" \
		"$new" "$result"
done
for name in "${failed[@]}"; do
	echo "=== $name ==="
	grep -E 'ERROR|SUMMARY|Test unit written' "$build/fuzz-logs/$name.log" |
		head -20
done
echo "fuzz: $((${#names[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
