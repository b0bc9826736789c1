#!/usr/bin/env bash
# Make sure Debian's Chromium (and a Chinese font, for the portal's pages) is installed for
# the browser tests (Playwright drives it). Prints nothing when both are there; installs
# them with apt otherwise.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "chromium-up: /usr/bin/chromium is missing and apt-get is not available" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "chromium-up: installing Debian's chromium and a CJK font (once)" >&2
$SUDO apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium fonts-wqy-microhei >&2
