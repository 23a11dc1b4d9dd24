#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package on this machine (CI runs it from .ci/run, as root):
# build it, lintian, install it, start convergd as its unit would (the
# convergd user, the unit's ambient capabilities; systemd is not PID 1
# here) and stunnel as convergd-https would, check every service answers
# on its real port (on 127.0.0.1: the test edits the installed conffile
# first, as an administrator would), upgrade to a rebuilt higher version
# and check settings and state survived, remove, purge. Everything it
# installs goes again (dpkg --purge); it refuses to run on a machine where
# convergd is already installed.
set -euo pipefail
export SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export CONVERGD=/usr/sbin/convergd
. "$SOURCE_DIR/tests/integration/lib.sh"
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: run as root (it installs the package)" >&2
	exit 2
fi
if dpkg-query -W -f='${Status}' convergd 2>/dev/null | grep -q installed ||
    getent passwd convergd >/dev/null || [ -e /etc/convergd ] ||
    [ -e /var/lib/convergd ]; then
	echo "$0: convergd (package, user or files) is already on this" \
		"machine; this test installs and purges its own" >&2
	exit 2
fi

PORTS="23 80 443 8443 161 137 3487"
TLS_PID=
POLICY=
# the package makes ssl-cert's snakeoil pair if it is missing: then the
# test removes it again
SNAKEOIL=/etc/ssl/certs/ssl-cert-snakeoil.pem
[ -e "$SNAKEOIL" ] && SNAKEOIL=
unit=/lib/systemd/system/convergd.service
conf=/etc/convergd/convergd.conf

deb_cleanup() {
	if [ -n "$TLS_PID" ]; then
		kill -KILL "$TLS_PID" 2>/dev/null || true
		wait "$TLS_PID" 2>/dev/null || true
	fi
	cleanup
	if dpkg-query -W convergd >/dev/null 2>&1; then
		dpkg --purge convergd >/dev/null 2>&1 || true
	fi
	# only ours: the test refused to start if the user was there
	if getent passwd convergd >/dev/null; then
		deluser --system --quiet convergd || true
	fi
	if getent group convergd >/dev/null; then
		delgroup --system --quiet convergd || true
	fi
	rm -rf /run/convergd
	[ -z "$POLICY" ] || rm -f "$POLICY"
	if [ -n "$SNAKEOIL" ]; then
		find /etc/ssl/certs -lname '*ssl-cert-snakeoil.pem' -delete
		rm -f "$SNAKEOIL" /etc/ssl/private/ssl-cert-snakeoil.key
	fi
}
trap deb_cleanup EXIT

# Installing must start nothing (systemd as PID 1 would start convergd on
# the real interface): refuse every start, as deps.sh does.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	POLICY=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' > "$POLICY"
	chmod 755 "$POLICY"
fi

busy=
for p in $PORTS; do
	if ss -Hltun "sport = :$p" | grep -q .; then busy="$busy $p"; fi
done
if [ -n "$busy" ]; then
	echo "$0: ports in use:$busy (the package's real ports)" >&2
	exit 1
fi

version=$(dpkg-parsechangelog -l "$SOURCE_DIR/packaging/debian/changelog" \
	-S Version)
arch=$(dpkg --print-architecture)

# ---- build and lintian ----
changes=$("$SOURCE_DIR/packaging/build-deb.sh" "$WORK/v1")
deb=$WORK/v1/convergd_${version}_$arch.deb
check "package built: convergd_${version}_$arch.deb" test -f "$deb"
check "debug symbols built: convergd-dbgsym_${version}_$arch.deb" \
	test -f "$WORK/v1/convergd-dbgsym_${version}_$arch.deb"
if lintian --fail-on error,warning "$changes" > "$WORK/lintian.log" 2>&1
then ok "lintian: no errors, no warnings"
else fail "lintian: no errors, no warnings"; cat "$WORK/lintian.log"; fi

# ---- install ----
dpkg -i "$deb" > "$WORK/install.log" 2>&1 || cat "$WORK/install.log"
check "installed" grep -q "install ok installed" \
	<(dpkg-query -W -f='${Status}' convergd)
check "system user convergd" getent passwd convergd
check "state folder owned by convergd" \
	test "$(stat -c %U /var/lib/convergd)" = convergd
check "spool folder" test -d /var/lib/convergd/spool
check "conffiles registered" grep -qx "$conf" /var/lib/dpkg/info/convergd.conffiles
check "man pages installed" test -f /usr/share/man/man8/convergd.8.gz \
	-a -f /usr/share/man/man5/convergd.conf.5.gz \
	-a -f /usr/share/man/man1/converge-console.1.gz
check "convergd-https unit installed" \
	test -f /lib/systemd/system/convergd-https.service

# What an administrator of this test machine would set: every service on
# 127.0.0.1, no interface (the DHCP client idles), the clock left alone.
sed -i -e 's/^interface = .*/interface =/' -e 's/^target = .*/target = stderr/' \
	-e 's/^set_clock = yes/set_clock = no/' \
	-e 's/^\[\(console\|web\|discovery\|snmp\|netbios\)\]$/&\nbind = 127.0.0.1/' \
	"$conf"
sed -i 's/^accept = 443$/accept = 127.0.0.1:443/' /etc/convergd/stunnel.conf

# ---- start as the units do ----
unit_key() { sed -n "s/^$1=//p" "$2" | tail -n 1; }
caps() {
	local c out=
	for c in $1; do out="$out,+$(echo "${c#CAP_}" | tr A-Z a-z)"; done
	echo "${out#,}"
}
start_convergd() {
	local user amb
	user=$(unit_key User "$unit")
	amb=$(caps "$(unit_key AmbientCapabilities "$unit")")
	# RuntimeDirectory=convergd
	install -d -o "$user" -g "$user" -m 0755 /run/convergd
	# shellcheck disable=SC2046 # ExecStart is words
	(umask "$(unit_key UMask "$unit")" &&
	    exec setpriv --reuid="$user" --regid="$user" --init-groups \
		--inh-caps="$amb" --ambient-caps="$amb" \
		--bounding-set=-all,"$amb" --no-new-privs -- \
		$(unit_key ExecStart "$unit")) > "$WORK/convergd.log" 2>&1 &
	DAEMON_PID=$!
}
start_tls() {
	local u=/lib/systemd/system/convergd-https.service amb
	amb=$(caps "$(unit_key AmbientCapabilities "$u")")
	# DynamicUser=yes: an unprivileged user of no files (nobody)
	# shellcheck disable=SC2046
	setpriv --reuid=nobody --regid=nogroup --groups=ssl-cert \
		--inh-caps="$amb" --ambient-caps="$amb" \
		--bounding-set=-all,"$amb" --no-new-privs -- \
		$(unit_key ExecStart "$u") > "$WORK/stunnel.log" 2>&1 &
	TLS_PID=$!
}
web_up() { curl -fso /dev/null "$@"; }
console() {
	converge-console -t 5 send 127.0.0.1:23 "$@" > "$WORK/console.out"
}

start_convergd
check "convergd answers on 80" wait_for 20 web_up http://127.0.0.1/
start_tls
check "HTTPS answers on 443" wait_for 20 web_up -k https://127.0.0.1/
check "convergd runs as user convergd" \
	test "$(ps -o user= -p "$DAEMON_PID")" = convergd
check "every service on: it keeps the unit's four capabilities" \
	grep -q "^CapEff:[[:space:]]*0000000002003400$" "/proc/$DAEMON_PID/status"
wait_for 10 test -f /var/lib/convergd/state.json || true
check "state file written by the convergd user" \
	test "$(stat -c %U /var/lib/convergd/state.json)" = convergd

check "console on 23" console "#** VER"
check "SNMP on 161" snmpget -v2c -c public -t 2 -r 1 127.0.0.1:161 \
	1.3.6.1.2.1.1.1.0
check "NetBIOS on 137" nmblookup -U 127.0.0.1 -A 127.0.0.1
check "discovery on 3487" converge-console discover --timeout 2000 \
	127.0.0.1:3487
login=$(curl -sk -D - -o "$WORK/session.json" -H 'Content-Type: application/json' \
	-d '{"user":"clearone","password":"converge"}' \
	https://127.0.0.1/api/v1/session)
check "login over HTTPS gets a Secure cookie" \
	grep -qi '^set-cookie: convergd_session=.*; Secure' <<< "$login"
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' <<< "$login")
curl -sk -b "$cookie" https://127.0.0.1/api/v1/status > "$WORK/status.json"
check "every service running" /usr/bin/python3 -c '
import json, sys
svcs = json.load(open(sys.argv[1]))["services"]
bad = [s["name"] for s in svcs if s["state"] != "running"]
print("not running:", bad) if bad else None
sys.exit(1 if bad or len(svcs) < 9 else 0)' "$WORK/status.json"

check "a runtime setting is saved" console "#H0 NETBIOSNAME CITEST1"
stop_daemon TERM
check "convergd stops cleanly (exit 0)" test "$STOP_STATUS" -eq 0

# ---- upgrade to a rebuilt, higher version ----
next="$version+ci1"
CONVERGD_DEB_VERSION=$next "$SOURCE_DIR/packaging/build-deb.sh" "$WORK/v2" \
	> /dev/null
dpkg -i --force-confold "$WORK/v2/convergd_${next}_$arch.deb" \
	> "$WORK/upgrade.log" 2>&1 || cat "$WORK/upgrade.log"
check "upgraded to $next" \
	test "$(dpkg-query -W -f='${Version}' convergd)" = "$next"
check "upgrade kept the edited conffile" grep -q "^bind = 127.0.0.1" "$conf"
check "upgrade kept the state file" test -f /var/lib/convergd/state.json
# with the clock and address services off, only CAP_NET_BIND_SERVICE stays
sed -i -e '/^\[ntp\]/,/^enabled/ s/^enabled = yes/enabled = no/' \
	-e '/^\[dhcp\]/,/^enabled/ s/^enabled = yes/enabled = no/' "$conf"
start_convergd
check "convergd answers after the upgrade" wait_for 20 web_up http://127.0.0.1/
check "without ntp and dhcp it keeps only CAP_NET_BIND_SERVICE" \
	grep -q "^CapEff:[[:space:]]*0000000000000400$" "/proc/$DAEMON_PID/status"
console "#H0 NETBIOSNAME" || true
check "the setting survived the upgrade" grep -q CITEST1 "$WORK/console.out"
stop_daemon TERM
kill -TERM "$TLS_PID" 2>/dev/null || true	# it may have ended
wait "$TLS_PID" 2>/dev/null || true
TLS_PID=

# ---- remove keeps settings, purge deletes ----
dpkg -r convergd > "$WORK/remove.log" 2>&1 || cat "$WORK/remove.log"
check "removed: no daemon" test ! -e /usr/sbin/convergd
check "remove keeps the configuration" test -f "$conf"
check "remove keeps the state" test -f /var/lib/convergd/state.json
dpkg --purge convergd > "$WORK/purge.log" 2>&1 || cat "$WORK/purge.log"
check "purged: package gone" test -z "$(dpkg-query -W -f='${Status}' convergd 2>/dev/null)"
check "purge deletes /etc/convergd" test ! -e /etc/convergd
check "purge deletes /var/lib/convergd" test ! -e /var/lib/convergd
check "purge deletes the convergd user" test -z "$(getent passwd convergd)"
check "purge deletes the convergd group" test -z "$(getent group convergd)"
check "no unit left enabled" test -z "$(find /etc/systemd -name 'convergd*')"
finish
