#!/usr/bin/env bash
# Screenshots of Tickmark's main screens, from the real desktop app under Xvfb, saved into
# docs/screenshots/. Each screen is reached with the app's own start-up options
# (--demo --screen NAME --control ID) on a demo engagement built in a throwaway directory,
# so the pictures never depend on the user's own engagements.
#
#   scripts/screenshots.sh            build the app (make app), then take the screenshots
#   APP=path/to/tickmark-app scripts/screenshots.sh    use an already built app (a debug build)
#   SHOTS='requests|rollforward' scripts/screenshots.sh   only the screenshots whose names match
#   XVFB_DISPLAY=:42 scripts/screenshots.sh            another display than :99 (another run holds it)
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
missing=()
have Xvfb || missing+=(xvfb)
have xauth || missing+=(xauth)
# Debian's `convert` may be a stand-in; ImageMagick's `import` is what grabs the screen.
have import || missing+=(imagemagick)
# A key pressed in the app for the screenshots that show what an action did.
have xdotool || missing+=(xdotool)
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "${APP:-}" ]; then
  make app
  APP=target/debug/tickmark-app
fi
# Three screens are reached through a file dialog the app answers from TICKMARK_E2E_OPEN, which
# only a debug build reads (src-tauri/src/files.rs): a release build shows the native dialog,
# and the screenshot would be of that.
case "$APP" in
  */release/*)
    echo "screenshots: $APP is a release build, which shows native file dialogs; use a debug build (make app)" >&2
    exit 2
    ;;
esac

out=docs/screenshots
mkdir -p "$out"
data=$(mktemp -d)
# The signing identities the fieldwork below creates stay in the throwaway directory too.
export TICKMARK_CONFIG_DIR="$data/config"
display=${XVFB_DISPLAY:-:99}
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
  [[ "$name" =~ ^(${SHOTS:-.*})$ ]] || return 0
  "$APP" --data-dir "$data" "$@" >/dev/null 2>&1 &
  app=$!
  # The first start builds the demo engagement; later ones only open it.
  sleep "${WAIT:-6}"
  if ! kill -0 "$app" 2>/dev/null; then
    echo "screenshots: the app exited before drawing $name" >&2
    exit 1
  fi
  # KEYS: shortcuts pressed once the screen is drawn (after a click on its title, for focus).
  if [ -n "${KEYS:-}" ]; then
    xdotool mousemove 100 66 click 1
    for k in $KEYS; do
      xdotool key "$k"
      sleep 0.5
    done
    sleep 3
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
shot scope-frame --demo --screen scope --control CC8.1-01
shot population-grid --demo --screen grid --control CC8.1-01
shot sampling-empty-state --demo --screen sampling --control CC6.3-01
shot audit-trail --demo --screen trail

# fieldwork TICKMARK ENGAGEMENT: results on the demo's sample of CC8.1-01 (item 3 was voided
# and replaced by item 26 in the demo) with one exception, and a test of one on CC8.1-02
# concluded and signed off by both (an earlier sign-off cleared).
fieldwork() {
  local t=$1 e=$2
  for i in 1 2 4 5 6 26; do
    for a in A B C; do
      if [ "$i" = 4 ] && [ "$a" = B ]; then
        "$t" --by "Dana Whitfield" result "$e" --control CC8.1-01 --item "$i" --attribute "$a" \
          --exception "No evidence of testing attached to the ticket; the developer confirmed none was done." >/dev/null
      else
        "$t" --by "Dana Whitfield" result "$e" --control CC8.1-01 --item "$i" --attribute "$a" --pass >/dev/null
      fi
    done
  done
  "$t" --by "Dana Whitfield" result "$e" --control CC8.1-01 --item 7 --attribute A --pass >/dev/null
  "$t" --by "Dana Whitfield" exception "$e" --control CC8.1-01 --item 4 --cause "Hotfix released outside the normal release train" \
    --narrative "No evidence of testing before deployment." --isolated yes \
    --response "Hotfix procedure updated to require a test record." >/dev/null
  local d=CC8.1-02
  "$t" --by "Dana Whitfield" sample "$e" --control $d --seed 77120398455102376614 \
    --test-of-one "pipeline configuration inspected; change management (CC8.1-01) tested." >/dev/null
  for a in A B C; do "$t" --by "Dana Whitfield" result "$e" --control $d --item 1 --attribute $a --pass >/dev/null; done
  "$t" --by "Dana Whitfield" conclude "$e" --control $d >/dev/null
  "$t" --by "Dana Whitfield" signoff "$e" --control $d --as preparer >/dev/null
  "$t" --by "Dana Whitfield" result "$e" --control $d --item 1 --attribute C --pass --comment "Branch protection settings screenshot PBC-031." >/dev/null
  "$t" --by "Dana Whitfield" conclude "$e" --control $d >/dev/null
  "$t" --by "Dana Whitfield" signoff "$e" --control $d --as preparer >/dev/null
  "$t" --by "Marcus Oyelaran" note add "$e" --control $d --text "Tie the pipeline run to the deployment ID in the workpaper." >/dev/null
  "$t" --by "Dana Whitfield" note answer "$e" --id 1 --text "Added: run 8841 deployed DEP-2231 (PBC-031)." >/dev/null
  "$t" --by "Marcus Oyelaran" note clear "$e" --id 1 >/dev/null
  "$t" --by "Marcus Oyelaran" signoff "$e" --control $d --as reviewer >/dev/null
}

# The fieldwork screens need fieldwork: recorded through the command line on the same demo.
TICKMARK=${TICKMARK:-target/debug/tickmark}
[ -x "$TICKMARK" ] || cargo build --bin tickmark --locked
# The first shot builds the demo; when SHOTS left it out, the command line builds the same one.
[ -f "$data/demo.tickmark" ] || "$TICKMARK" demo --out "$data/demo.tickmark" >/dev/null
fieldwork "$TICKMARK" "$data/demo.tickmark"
shot sampling --demo --screen sampling --control CC8.1-01
shot testing --demo --screen testing --control CC8.1-01
shot conclusion --demo --screen conclusion --control CC8.1-02
shot dashboard --demo --screen dashboard
shot coverage --demo --screen coverage
shot design --demo --screen design --control CC6.1-01

# requests TICKMARK ENGAGEMENT: client requests on the same demo, made three weeks ago and due a
# week ago (so the open ones are overdue), the rest made today; the client's folder returned
# CC8.1-01's first items and its policy; one accepted, one rejected with the reason.
requests() {
  local t=$1 e=$2 back=$data/returned
  local made due
  made=$(date -u -d '21 days ago' +%Y-%m-%dT09:00:00Z)
  due=$(date -u -d '7 days ago' +%Y-%m-%d)
  TICKMARK_NOW=$made "$t" --by "Dana Whitfield" requests "$e" --control CC8.1-01 --due "$due" --out "$data/requests-cc8.xlsx" >/dev/null
  TICKMARK_NOW=$made "$t" --by "Dana Whitfield" requests "$e" --control CC6.1-01 --due "$due" --out "$data/requests-cc6.xlsx" >/dev/null
  "$t" --by "Dana Whitfield" requests "$e" --due "$(date -u -d '14 days' +%Y-%m-%d)" --out "$data/requests.xlsx" >/dev/null
  mkdir -p "$back"
  printf 'ACME-1003 approval by the change manager' >"$back/CC8.1-01-01 approval.png"
  printf 'ACME-1003 approval by the change manager' >"$back/CC8.1-01-01 approval (2).png"
  printf 'ACME-1011 approval and test record' >"$back/CC8.1-01-02 approval and tests.pdf"
  printf 'ACME-1020 test evidence' >"$back/CC8.1-01-04 test run.png"
  printf 'ACME-1034 approval' >"$back/CC8.1-01-05 approval.png"
  printf 'Change management policy v3.2' >"$back/CC8.1-01-C change policy.pdf"
  printf 'from the client' >"$back/cover note.txt"
  TICKMARK_NOW=$(date -u -d '3 days ago' +%Y-%m-%dT14:00:00Z) "$t" --by "Dana Whitfield" requests receive "$e" "$back" >/dev/null
  "$t" --by "Dana Whitfield" requests accept "$e" --id CC8.1-01-02 >/dev/null
  "$t" --by "Dana Whitfield" requests accept "$e" --id CC8.1-01-C >/dev/null
  "$t" --by "Dana Whitfield" requests reject "$e" --id CC8.1-01-01 \
    --reason "The approval screenshot shows no date: send the ticket's history with the approval timestamp." >/dev/null
}
requests "$TICKMARK" "$data/demo.tickmark"
shot requests --demo --screen requests --control CC8.1-01
# A second folder received in the app (Alt+R; the folder dialog answered with it): new files,
# one already stored, one named after no request.
back2=$data/returned-again
mkdir -p "$back2"
printf 'ACME-1003 approval by the change manager' >"$back2/CC8.1-01-01 approval.png"
printf 'ACME-1041 approval' >"$back2/CC8.1-01-06 approval.png"
printf 'ACME-1049 test evidence' >"$back2/CC8.1-01-07 test run.png"
printf 'ACME-1052 approval and deployment log' >"$back2/CC8.1-01-08 deployment.pdf"
printf 'Q3 review workbook' >"$back2/CC6.1-01-03 Q3 review.xlsx"
printf 'a scan' >"$back2/scan0042.pdf"
export TICKMARK_E2E_OPEN=$back2
KEYS="alt+r" shot requests-received --demo --screen requests --control CC8.1-01
unset TICKMARK_E2E_OPEN
# The roll-forward form on the demo: the open dialog is answered with the demo file itself.
export TICKMARK_E2E_OPEN="$data/demo.tickmark"
shot rollforward --demo --screen rollforward
unset TICKMARK_E2E_OPEN
# team TICKMARK ENGAGEMENT COPY: Sam's and Ravi's keys pinned by the in-charge; Sam's copy of
# CC6.1-01 returned and merged, one of CC7.2-01 recalled; CC8.1-01 out with Ravi, who re-tests
# items 4 and 7 in his copy while the in-charge records the same attributes in the engagement.
team() {
  local t=$1 e=$2 copy=$3 sams=$data/demo.sam-ortiz.tickmark
  for who in "Ravi Patel" "Sam Ortiz"; do
    "$t" --by "$who" identity export --out "$data/$who.pub" >/dev/null
    "$t" --by "Dana Whitfield" identity import "$e" "$data/$who.pub" >/dev/null
  done
  "$t" --by "Dana Whitfield" handoff "$e" --to "Sam Ortiz" --controls CC6.1-01 --out "$sams" >/dev/null
  "$t" --by "Sam Ortiz" evidence add "$sams" --control CC6.1-01 --reference "PBC-044 Q3 access review sign-off" >/dev/null
  "$t" --by "Dana Whitfield" merge "$e" "$sams" >/dev/null
  rm -f "$sams"
  "$t" --by "Dana Whitfield" handoff "$e" --to "Sam Ortiz" --controls CC7.2-01 --out "$sams" >/dev/null
  "$t" --by "Dana Whitfield" handoff recall "$e" --copy "Sam Ortiz" --reason "Laptop left on the train; the copy was never opened" >/dev/null
  "$t" --by "Dana Whitfield" handoff "$e" --to "Ravi Patel" --controls CC8.1-01 --out "$copy" >/dev/null
  "$t" --by "Ravi Patel" result "$copy" --control CC8.1-01 --item 4 --attribute B --pass \
    --comment "Test run CI-5531 is linked from the hotfix pull request: tested before deployment." >/dev/null
  "$t" --by "Ravi Patel" result "$copy" --control CC8.1-01 --item 7 --attribute B --exception "No test record on the ticket." >/dev/null
  "$t" --by "Ravi Patel" result "$copy" --control CC8.1-01 --item 7 --attribute C --pass >/dev/null
  for i in 8 9 10; do
    for a in A B C; do "$t" --by "Ravi Patel" result "$copy" --control CC8.1-01 --item "$i" --attribute "$a" --pass >/dev/null; done
  done
  "$t" --by "Dana Whitfield" result "$e" --control CC8.1-01 --item 4 --attribute B \
    --exception "No evidence of testing attached to the ticket; the developer confirmed none was done (re-confirmed 14 Nov)." >/dev/null
  "$t" --by "Dana Whitfield" result "$e" --control CC8.1-01 --item 7 --attribute B --pass >/dev/null
}
team "$TICKMARK" "$data/demo.tickmark" "$data/demo.ravi-patel.tickmark"
shot team --demo --screen team
shot working-copy --screen testing --control CC6.1-01 "$data/demo.ravi-patel.tickmark"
TICKMARK_E2E_OPEN="$data/demo.ravi-patel.tickmark" shot merge --demo --screen merge
