#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what convergd needs on Debian 12: `build` (to build and run the
# daemon) or `test` (build + every test's real peers and tools).
set -euo pipefail

build_packages=(
	build-essential cmake pkg-config
	libinih-dev libjansson-dev libsystemd-dev libcrypt-dev
	libcivetweb-dev libssl-dev libesmtp-dev libsnmp-dev libmnl-dev
)
test_packages=(
	check libsubunit-dev
	expect inetutils-telnet socat procps iproute2 psmisc
	python3 python3-pexpect
	chromium
	wrk xxd
	python3-aiosmtpd openssl
	snmp snmptrapd snmpd smitools
	samba samba-common-bin
	chrony libfaketime ntpsec-ntpdig
	dnsmasq-base udhcpc busybox tshark
	stunnel4 ssl-cert curl
	debhelper lintian adduser
	clang libclang-rt-14-dev llvm
)

case "${1:-}" in
build) packages=("${build_packages[@]}") ;;
test)
	packages=("${build_packages[@]}" "${test_packages[@]}")
	# browser tests drive Chromium with playwright-core from npm; keep a
	# Node.js that is already there (Debian's nodejs conflicts with others)
	command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
	;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: run as root (apt-get install)" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# Packages must not start services while they install (no systemd here,
# and a test machine must not grow daemons): refuse every start.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
