#!/usr/bin/env bash
# Installs what the browser tests need, when missing: Debian's chromium (never a browser download) and the
# browser-tests npm packages pinned by browser-tests/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "browser tests: installing Debian's chromium" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get install -y -q chromium >/dev/null 2>&1 || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; }
fi
if [ ! -d browser-tests/node_modules/playwright-core ] || [ browser-tests/package-lock.json -nt browser-tests/node_modules/.package-lock.json ]; then
  (cd browser-tests && npm ci --no-audit --no-fund --silent)
fi
