#!/usr/bin/env bash
# Install the browser libraries pinned in package-lock.json from the npm registry and copy
# their minified builds (with their licences) into the package's static/vendor/ folder,
# which the server serves as /static/vendor/. Run at build time only: the server never
# fetches anything, and pages still work (without graphs and partial updates) if this was
# never run. Installs Debian's nodejs and npm with apt where npm is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/../../src/fraudlink/web/static/vendor"
if ! command -v npm >/dev/null; then
    if ! command -v apt-get >/dev/null; then
        echo "frontend: npm is missing and apt-get is not available" >&2
        exit 1
    fi
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "frontend: installing Debian's nodejs and npm (once)" >&2
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm >&2
fi
cd "$here"
# ci: exactly the lock file's versions and hashes; no scripts run from the packages.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
tmp="$vendor.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
cp node_modules/htmx.org/dist/htmx.min.js "$tmp/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$tmp/htmx.LICENSE.txt"
cp node_modules/cytoscape/dist/cytoscape.min.js "$tmp/cytoscape.min.js"
cp node_modules/cytoscape/LICENSE "$tmp/cytoscape.LICENSE.txt"
# Swapped in whole, so a server running meanwhile never serves half a library.
rm -rf "$vendor"
mv "$tmp" "$vendor"
