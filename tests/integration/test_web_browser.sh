#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the headless Chromium tests of the web page (tests/integration/web):
# needs apt chromium, node and npm; playwright-core comes from npm
# (package-lock.json) and never downloads a browser.
set -euo pipefail
: "${CONVERGD:?path of the convergd binary}"
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "FAIL: node is not installed"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL: apt chromium is missing"; exit 1; }
cd "$here/web"
if [ ! -d node_modules/playwright-core ]; then
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit \
	    --no-fund
fi
export CONVERGD
exec timeout 180 node browser.test.mjs
