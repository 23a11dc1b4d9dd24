#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/CONVERGD-MIB.txt: smilint at level 6 prints nothing (smilint exits
# 0 even on errors, so its output is what is tested; a broken copy proves
# the check can fail), and net-snmp's snmptranslate loads the module and
# puts its names on the OIDs the agent serves. The SMIv2 base modules
# are test-only stand-ins in tests/mibs/base (Debian main has none).
. "$(dirname "$0")/lib.sh"
MIB=$SOURCE_DIR/docs/CONVERGD-MIB.txt
BASE=$SOURCE_DIR/tests/mibs/base
export SNMP_PERSISTENT_DIR=$WORK/tools MIBS=""
# made here, so the tools do not print "Created directory"
mkdir -p "$WORK/tools/cert_indexes"

lint() { SMIPATH=$BASE smilint -c /dev/null -l 6 -s "$1" 2>&1; }

out=$(lint "$MIB")
check "smilint -l 6 prints nothing for CONVERGD-MIB" test -z "$out"
[ -z "$out" ] || echo "$out"

sed 's/cvChGainMax }/cvChGainMaks }/' "$MIB" > "$WORK/CONVERGD-MIB"
out=$(lint "$WORK/CONVERGD-MIB")
check "smilint reports a broken copy" grep -q "cvChGainMaks" <<<"$out"

translate() {
	snmptranslate -M "$BASE:$SOURCE_DIR/docs" -m CONVERGD-MIB "$@" 2>&1
}
check "snmptranslate: cvChGain is the agent's gain column" \
	test "$(translate -On CONVERGD-MIB::cvChGain)" = \
	".1.3.6.1.4.1.21831.10.1.4.4.1.5"
check "snmptranslate: cvAudioNotification is notification 3" \
	test "$(translate -On CONVERGD-MIB::cvAudioNotification)" = \
	".1.3.6.1.4.1.21831.10.0.3"
check "snmptranslate: sysObjectID value is cvProductConvergd" \
	test "$(translate -Os .1.3.6.1.4.1.21831.10.3.1)" = "cvProductConvergd"
# every object the agent registers (snmp_mib.c) has its name in the MIB
for oid in 1.1.1 1.1.7 1.2.1 1.2.6 1.3.1 1.3.2 1.3.3 1.3.7 1.3.11 1.3.14 \
	1.4.1 1.4.2 1.4.3 \
	1.4.4.1.2 1.4.4.1.8 1.5.1.1.2 1.5.1.1.5 1.6.1.1.2 1.6.1.1.6 1.7.1 \
	1.7.3 1.8.1 1.8.5 1.8.6 1.9.1 1.9.9 0.1 0.4; do
	name=$(translate -Os ".1.3.6.1.4.1.21831.10.$oid")
	check "$oid has a name ($name)" grep -q '^cv[A-Za-z0-9]*$' <<<"$name"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
