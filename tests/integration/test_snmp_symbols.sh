#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libnetsnmp* export ~3,800 symbols with generic names (starttime, sinks,
# objects, strlcpy ...). A global of ours with one of those names silently
# replaces the library's and crashes init_agent() (libraries.md §5), so
# the daemon must define none of them.
. "$(dirname "$0")/lib.sh"
libs=$(ldd "$CONVERGD" | awk '/libnetsnmp/ { print $3 }')
check "convergd links net-snmp" test -n "$libs"
for l in $libs; do
	nm -D --defined-only "$l" | awk '{ print $3 }'
done | sed 's/@.*//' | sort -u > "$WORK/theirs"
# the library's own data the program uses (usmAESPrivProtocol ...) is
# copied into it by the linker (R_X86_64_COPY): those are theirs
readelf -rW "$CONVERGD" | awk '/_COPY/ { print $5 }' | sed 's/@.*//' |
	sort -u > "$WORK/copied"
nm --defined-only -g "$CONVERGD" | awk '{ print $3 }' | sed 's/@.*//' |
	sort -u | comm -23 - "$WORK/copied" > "$WORK/ours"
check "theirs and ours are both non-empty" \
	test -s "$WORK/theirs" -a -s "$WORK/ours"
clash=$(comm -12 "$WORK/ours" "$WORK/theirs")
check "no global of convergd has a net-snmp name" test -z "$clash"
[ -z "$clash" ] || echo "$clash"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
