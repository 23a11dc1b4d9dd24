#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Debian package. The design card keeps debian/ out of the top
# level: this stages a copy of the source with packaging/debian as its
# debian/ and runs `dpkg-buildpackage -us -uc -b` there.
#
# usage: packaging/build-deb.sh [OUTDIR]     (default: build-deb/)
# Puts convergd_<version>_<arch>.deb, the -dbgsym .deb, .changes and
# .buildinfo into OUTDIR and prints the .changes path. The version is
# CMakeLists.txt's project VERSION, which must match the top entry of
# packaging/debian/changelog. CONVERGD_DEB_VERSION=V adds a changelog
# entry for V on the staged copy (CI's upgrade test builds a higher one).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$src/build-deb}" && cd "${1:-$src/build-deb}" && pwd)

version=$(sed -n 's/^project(convergd VERSION \([0-9.]*\).*/\1/p' \
	"$src/CMakeLists.txt")
logged=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
if [ -z "$version" ] || [ "$logged" != "$version" ]; then
	echo "$0: CMakeLists.txt VERSION '$version' but" \
		"packaging/debian/changelog says '$logged'" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tree=$stage/convergd-$version
mkdir "$tree"
tar -C "$src" --exclude=./.git --exclude='./build*' \
	--exclude=node_modules --exclude=./packaging/debian -cf - . |
	tar -C "$tree" -xf -
cp -r "$src/packaging/debian" "$tree/debian"
cp "$src/packaging/convergd.service" "$tree/debian/convergd.service"
cp "$src/packaging/convergd-https.service" \
	"$tree/debian/convergd.convergd-https.service"

if [ -n "${CONVERGD_DEB_VERSION:-}" ]; then
	{
		printf 'convergd (%s) unstable; urgency=medium\n\n' \
			"$CONVERGD_DEB_VERSION"
		printf '  * Rebuilt by packaging/build-deb.sh.\n\n'
		printf ' -- %s  %s\n\n' \
			"$(dpkg-parsechangelog -l "$tree/debian/changelog" \
				-S Maintainer)" "$(date -R)"
		cat "$tree/debian/changelog"
	} > "$stage/changelog"
	mv "$stage/changelog" "$tree/debian/changelog"
fi

log=$out/build.log
if ! (cd "$tree" && dpkg-buildpackage -us -uc -b) > "$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "$0: dpkg-buildpackage failed; the whole log is $log" >&2
	exit 1
fi
for f in "$stage"/*.deb "$stage"/*.changes "$stage"/*.buildinfo; do
	mv "$f" "$out/"
done
ls "$out"/*.changes | sort | tail -n 1
