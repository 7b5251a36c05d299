#!/usr/bin/env bash
# Regenerates the UI's TypeScript types from the desktop shell's Rust transport types (ts-rs)
# and fails when they differ from the committed ones: a Rust type changed without its
# TypeScript twin being regenerated and committed (`make bindings`).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=ui/src/lib/bindings
# Start from nothing, so a type that was removed in Rust shows up as a deleted file.
rm -rf "$dir"
cargo test -p tickmark-app --features tickmark-app/custom-protocol --locked --quiet export_bindings >/dev/null

if ! git diff --exit-code --stat -- "$dir" || [ -n "$(git ls-files --others --exclude-standard -- "$dir")" ]; then
  git ls-files --others --exclude-standard -- "$dir" | sed 's/^/new, not committed: /' >&2
  echo "check-bindings: $dir is stale; run 'make bindings' and commit the result." >&2
  exit 1
fi
echo "check-bindings: $dir matches the Rust transport types."
