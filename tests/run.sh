#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build from scratch and run every test three times: a -Werror build, an
# AddressSanitizer+UBSan build and a ThreadSanitizer build; then every
# fuzz target for 20 s (docs/fuzzing.md) and the Debian package test
# (build, lintian, install on this machine, upgrade, purge:
# tests/package/test_deb.sh; as root). Exit non-zero on any failure.
# Build trees go to build-test-*/ and build-fuzz/ in the source folder.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc 2>/dev/null || echo 2)

# Browser tests use playwright-core from npm (no browser download).
if [ -f tests/integration/web/package.json ]; then
	(cd tests/integration/web && npm ci --no-audit --no-fund --loglevel=error)
fi

run_tree() {
	local name=$1 sanitize=$2 dir=$root/build-test-$1
	echo "=== $name build (sanitize: ${sanitize:-none}) ==="
	rm -rf "$dir"
	cmake -S "$root" -B "$dir" -DCONVERGD_WERROR=ON -DCONVERGD_TESTS=ON \
		-DCONVERGD_SANITIZE="$sanitize" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$dir" -j"$jobs"
	echo "=== $name tests ==="
	(cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 900)
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

run_tree plain ""
run_tree asan "address,undefined"
run_tree tsan "thread"
echo "=== fuzz targets, 20 s each ==="
bash "$root/fuzz/run.sh" --seconds 20
echo "=== Debian package ==="
bash "$root/tests/package/test_deb.sh"
echo "=== all test runs passed ==="
