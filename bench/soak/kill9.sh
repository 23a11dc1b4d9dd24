#!/bin/sh
# SPDX-License-Identifier: MIT
# kill -9 during 1000 settings writes, 20 times (issue 18): the long form
# of tests/integration/test_kill9.py (which runs 100 writes per round).
# Run: CONVERGD=build/convergd bench/soak/kill9.sh [SEED]
set -eu
here=$(dirname "$0")
: "${CONVERGD:?set CONVERGD to the daemon binary}"
export CONVERGD KILL9_WRITES="${KILL9_WRITES:-1000}" \
    KILL9_ROUNDS="${KILL9_ROUNDS:-20}"
[ $# -gt 0 ] && export KILL9_SEED="$1"
exec /usr/bin/python3 "$here/../../tests/integration/test_kill9.py"
