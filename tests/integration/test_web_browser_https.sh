#!/bin/bash
# SPDX-License-Identifier: MIT
# The browser tests once more, over HTTPS: stunnel in front of the web
# service on loopback ports (as the package's convergd-https service),
# plain HTTP redirected to HTTPS (docs/packaging.md).
set -euo pipefail
command -v stunnel4 >/dev/null || { echo "FAIL: stunnel4 is missing"; exit 1; }
CONVERGD_BROWSER_TLS=1 exec bash "$(dirname "$0")/test_web_browser.sh"
