#!/usr/bin/env bash
# Screenshots of Tickmark's main screens, from the real desktop app under Xvfb, saved into
# docs/screenshots/. Each screen is reached with the app's own start-up options
# (--demo --screen NAME --control ID) on a demo engagement built in a throwaway directory,
# so the pictures never depend on the user's own engagements.
#
#   scripts/screenshots.sh            build the app (make app), then take the screenshots
#   APP=path/to/tickmark-app scripts/screenshots.sh    use an already built app
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
missing=()
have Xvfb || missing+=(xvfb)
have xauth || missing+=(xauth)
# Debian's `convert` may be a stand-in; ImageMagick's `import` is what grabs the screen.
have import || missing+=(imagemagick)
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "${APP:-}" ]; then
  make app
  APP=target/debug/tickmark-app
fi

out=docs/screenshots
mkdir -p "$out"
data=$(mktemp -d)
display=:99
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
app=""
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
export DISPLAY=$display
# No accessibility bus or GPU under Xvfb: keep WebKitGTK quiet and on software rendering.
export NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
sleep 1

# shot NAME [app options...]: starts the app on a screen, waits for it to draw, saves NAME.png.
shot() {
  local name=$1
  shift
  "$APP" --data-dir "$data" "$@" >/dev/null 2>&1 &
  app=$!
  # The first start builds the demo engagement; later ones only open it.
  sleep "${WAIT:-6}"
  if ! kill -0 "$app" 2>/dev/null; then
    echo "screenshots: the app exited before drawing $name" >&2
    exit 1
  fi
  import -window root "$out/$name.png"
  kill "$app"
  wait "$app" 2>/dev/null || true
  app=""
  echo "screenshots: $out/$name.png"
}

WAIT=10 shot controls --demo --screen controls
shot engagements --demo --screen engagements
shot population-report --demo --screen population --control CC8.1-01
shot population-to-accept --demo --screen population --control CC6.3-01
shot population-grid --demo --screen grid --control CC8.1-01
shot sampling-empty-state --demo --screen sampling --control CC6.3-01
shot audit-trail --demo --screen trail
