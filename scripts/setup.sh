#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and test Tickmark: the engine
# (a C compiler for the bundled SQLite), the desktop app (WebKitGTK and friends for Tauri) and
# the UI (Node.js and the npm packages in ui/package-lock.json).
# Idempotent: does nothing when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_missing() { ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_updated=""
apt_install() {
  echo "setup: installing $*" >&2
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A C compiler for the bundled SQLite; pkg-config for -sys crates; WebKitGTK 4.1, librsvg and
# OpenSSL headers for the Tauri desktop shell (src-tauri); WebKitWebDriver, Xvfb and xauth for
# the end-to-end tests (make e2e) and the screenshots.
for p in build-essential pkg-config libwebkit2gtk-4.1-dev librsvg2-dev libssl-dev \
  webkit2gtk-driver xvfb xauth; do
  if have dpkg-query && pkg_missing "$p"; then need_apt+=("$p"); fi
done
if ((${#need_apt[@]})); then apt_install "${need_apt[@]}"; fi

if ! have cargo; then
  echo "setup: Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# tauri-driver, the WebDriver server in front of WebKitWebDriver for the end-to-end tests
# (about a minute to build; npm has only a third-party fork, @crabnebula/tauri-driver).
if ! have tauri-driver && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver (cargo install)" >&2
  cargo install tauri-driver --locked --version "^2" --quiet
fi

# Node.js for the UI build and its tests. Vite 8 needs Node 20.19+ (or 22.12+). Debian 12's own
# nodejs package is 18.x, too old; it is tried only when there is no node at all, and refused
# below with a clear message if it is what we got.
node_ok() {
  have node && node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)'
}
if ! have node || ! have npm; then
  if have apt-get; then apt_install nodejs npm; fi
fi
if ! node_ok; then
  echo "setup: the UI needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "setup: Debian 12's nodejs package is 18.x; install Node 20 or 22 (e.g. from NodeSource) and run this again." >&2
  exit 1
fi

# The UI's packages, exactly as locked; reinstalled only when the lock file changed.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing the UI's npm packages (npm ci)" >&2
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
