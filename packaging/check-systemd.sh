#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The package under a real systemd, which the CI test cannot have (systemd
# is not PID 1 in its container): systemd-nspawn boots this machine's own
# root through an overlay on a tmpfs (nothing reaches the disk) with a
# private network, installs the .deb, starts convergd.service and
# convergd-https.service as systemd does, with every sandbox setting, and
# checks they answer. Needs root and systemd-container; not run by CI.
#
# usage: packaging/check-systemd.sh build-deb/convergd_<version>_<arch>.deb
set -euo pipefail
deb=$(realpath "${1:?usage: $0 DEB}")
command -v systemd-nspawn >/dev/null ||
	{ echo "$0: apt-get install systemd-container" >&2; exit 2; }

work=$(mktemp -d /tmp/convergd-nspawn-XXXXXX)
root=$work/root
nspawn_run_made=
[ -e /run/systemd/nspawn ] || nspawn_run_made=1
cleanup() {
	mountpoint -q "$root" && umount "$root"
	mountpoint -q "$work/rw" && umount "$work/rw"
	rm -rf "$work"
	[ -z "$nspawn_run_made" ] || rm -rf /run/systemd/nspawn
}
trap cleanup EXIT

mkdir -p "$work/rw" "$root" "$work/out" "$work/in"
mount -t tmpfs -o size=512m tmpfs "$work/rw"
mkdir "$work/rw/upper" "$work/rw/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/rw/upper,workdir=$work/rw/work" "$root"
cp "$deb" "$work/in/convergd.deb"

cat > "$work/in/check.sh" <<'EOF'
#!/bin/bash
# inside the container, as a oneshot unit; results to /out/log
exec > /out/log 2>&1
passed=0 failed=0
check() {
	local what=$1; shift
	if "$@"; then passed=$((passed + 1)); echo "ok   - $what"
	else failed=$((failed + 1)); echo "FAIL - $what"; fi
}
# the image's own daemons would hold the unit's ports
systemctl stop snmpd nmbd smbd chrony dnsmasq 2>/dev/null
dpkg -i /in/convergd.deb > /out/dpkg.log 2>&1
# no interface here (private network), and never the host's clock
sed -i -e 's/^interface = .*/interface =/' \
	-e 's/^set_clock = yes/set_clock = no/' /etc/convergd/convergd.conf
systemctl restart convergd convergd-https
for i in $(seq 1 50); do
	curl -fsko /dev/null https://127.0.0.1/ && break
	sleep 0.2
done
pid=$(systemctl show -p MainPID --value convergd)
check "convergd.service active" systemctl -q is-active convergd
check "Type=notify: ready, status 'running'" \
	test "$(systemctl show -p StatusText --value convergd)" = running
check "convergd-https.service active" systemctl -q is-active convergd-https
check "runs as user convergd" test "$(ps -o user= -p "$pid")" = convergd
check "no new privileges, seccomp filter on" \
	grep -qzE 'NoNewPrivs:\s+1.*Seccomp:\s+2' "/proc/$pid/status"
check "root file system read-only (ProtectSystem=strict)" \
	grep -qE '^[0-9]+ [0-9]+ [^ ]+ / / ro[, ]' "/proc/$pid/mountinfo"
check "web on 80" curl -fso /dev/null http://127.0.0.1/
check "HTTPS on 443 (stunnel, snakeoil)" curl -fsko /dev/null https://127.0.0.1/
check "console on 23" converge-console send 127.0.0.1:23 '#** VER'
check "SNMP on 161" snmpget -v2c -c public -t 2 -r 1 127.0.0.1 \
	1.3.6.1.2.1.1.1.0
# node status for "*" (nmblookup wants a broadcast interface: none here)
check "NetBIOS on 137" /usr/bin/python3 -c '
import socket
name = b"*" + b"\0" * 15
enc = b"".join(bytes([0x41 + (c >> 4), 0x41 + (c & 15)]) for c in name)
q = b"\x12\x34\0\0\0\x01\0\0\0\0\0\0\x20" + enc + b"\0\0\x21\0\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, ("127.0.0.1", 137))
r = s.recv(1500)
raise SystemExit(0 if r[:2] == b"\x12\x34" else 1)'
check "state file owned by convergd" \
	test "$(stat -c %U /var/lib/convergd/state.json)" = convergd
converge-console send 127.0.0.1:23 '#H0 NETBIOSNAME NSPAWN1' > /dev/null
systemctl reload convergd
check "reload (SIGHUP) keeps it active" systemctl -q is-active convergd
systemctl restart convergd
sleep 2
check "a setting survives a restart" grep -q NSPAWN1 \
	<(converge-console send 127.0.0.1:23 '#H0 NETBIOSNAME')
journalctl -u convergd -u convergd-https --no-pager > /out/journal.log
echo "$passed passed, $failed failed"
systemctl poweroff --no-block
EOF
chmod +x "$work/in/check.sh"
cat > "$work/in/convergd-check.service" <<'EOF'
[Unit]
Description=convergd package check
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/in/check.sh
EOF

timeout 300 systemd-nspawn -q -D "$root" --register=no --link-journal=no \
	--keep-unit --private-network --bind-ro="$work/in:/in" \
	--bind="$work/out:/out" \
	--bind-ro="$work/in/convergd-check.service:/etc/systemd/system/convergd-check.service" \
	-b systemd.wants=convergd-check.service > "$work/boot.log" 2>&1 || true
if [ ! -s "$work/out/log" ]; then
	tail -n 30 "$work/boot.log" >&2
	echo "$0: the container did not run the check" >&2
	exit 1
fi
cat "$work/out/log"
grep -q "^FAIL" "$work/out/log" && { tail -n 40 "$work/out/journal.log"; exit 1; }
exit 0
