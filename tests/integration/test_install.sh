#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cmake --install` puts everything where the Debian package wants it.
. "$(dirname "$0")/lib.sh"
: "${BUILD_DIR:?}"

root=$WORK/root
# a separate build tree configured for /usr, so the test tree is untouched
cmake -S "$SOURCE_DIR" -B "$WORK/b" -DCMAKE_INSTALL_PREFIX=/usr \
	-DCONVERGD_TESTS=OFF > "$WORK/cmake.log" 2>&1
cmake --build "$WORK/b" -j2 --target convergd converge-console > "$WORK/build.log" 2>&1
DESTDIR=$root cmake --install "$WORK/b" > "$WORK/install.log" 2>&1

check "daemon in /usr/sbin" test -x "$root/usr/sbin/convergd"
check "client in /usr/bin" test -x "$root/usr/bin/converge-console"
check "config in /etc/convergd" test -f "$root/etc/convergd/convergd.conf"
check "docs in /usr/share/doc/convergd" test -f "$root/usr/share/doc/convergd/configuration.md"
check "state folder /var/lib/convergd" test -d "$root/var/lib/convergd"
check "systemd unit installed" test -f "$root/usr/lib/systemd/system/convergd.service"
check "installed config is valid" "$root/usr/sbin/convergd" --check-config -c "$root/etc/convergd/convergd.conf"
finish
