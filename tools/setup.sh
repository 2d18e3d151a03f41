#!/usr/bin/env bash
# Installs everything Slipway needs on Debian 12 and builds it (Release preset).
# Run as root (or with sudo available). Idempotent: safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  g++ cmake ninja-build ccache git pkg-config tar gzip ca-certificates sqlite3
  libsqlitecpp-dev libsqlite3-dev libboost-dev libboost-system-dev
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libpoco-dev
  libgtest-dev libgmock-dev bubblewrap util-linux
  postgresql libpqxx-dev                # PgStore (libpqxx 6.4); its tests start a throwaway cluster
  clang-14 libclang-rt-14-dev llvm-14   # libFuzzer targets (tools/fuzz.sh, the fuzz preset)
  chromium                              # verify's Lighthouse runs it headless
)
# Node.js and npm run tenants' builds; keep a newer one if the machine already has it.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Lighthouse CLI verify runs, pinned by tools/node/package-lock.json (lighthouse 12.x works
# with Node 20; 13.x needs Node 22). slipwayd finds it in tools/node/node_modules/.bin.
(cd tools/node && npm ci --no-audit --no-fund --loglevel=error)

cmake --preset release
cmake --build --preset release
