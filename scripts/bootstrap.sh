#!/usr/bin/env bash
# Makes a fresh clone runnable: Debian's Chromium and Firefox ESR (tests never download a
# browser) and the workspace's packages through the pinned pnpm. Idempotent and quiet when done.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")

MISSING=()
[ -x /usr/bin/chromium ] || MISSING+=(chromium)
[ -x /usr/bin/firefox-esr ] || MISSING+=(firefox-esr)
if [ ${#MISSING[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian ${MISSING[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi

# Playwright must never fetch its own browser; we point it at /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  npx -y "pnpm@${PNPM_VERSION}" install --frozen-lockfile --reporter=append-only >&2
fi
