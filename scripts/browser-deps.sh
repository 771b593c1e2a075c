#!/usr/bin/env bash
# Installs what the register's browser test needs when missing: Debian's chromium and its
# chromedriver (apt), and axe-core at the version pinned in tests/browser/package-lock.json (npm).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(chromium chromium-driver)
command -v npm >/dev/null || packages+=(nodejs npm)
bash scripts/system-deps.sh "${packages[@]}"
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
