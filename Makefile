# What the README tells a newcomer to type.
.PHONY: run test bench setup demo lint ui app bindings screenshots test-ui test-rust check-bindings e2e package

CARGO ?= cargo
TICKMARK = target/debug/tickmark
APP = target/debug/tickmark-app
DEMO = $(HOME)/.local/share/tickmark/demo.tickmark
# Every cargo command of `make test` builds the workspace with the features the shipped app has
# (the UI served from inside the binary), so the Tauri crates are compiled once, not once for the
# tests and again for the app.
APP_FEATURES = --features tickmark-app/custom-protocol

setup:
	@bash scripts/setup.sh

## make run: install what is missing, build the UI and the desktop app, and open it on the
## demo engagement (Acme Cloud, Inc.).
run: app
	$(APP) --demo

## The web front end (ui/dist), embedded in the app at build time.
ui: setup
	cd ui && npm run build

## The desktop app with the built UI inside (no dev server needed).
app: ui
	$(CARGO) build -p tickmark-app $(APP_FEATURES) --locked

## make demo: the demo engagement through the command line.
demo: setup
	$(CARGO) build --bin tickmark
	$(TICKMARK) demo --force
	@echo
	$(TICKMARK) controls list $(DEMO)
	@echo
	$(TICKMARK) population show $(DEMO) --control CC8.1-01

## make test: formatting and clippy (-D warnings), every test (engine, CLI, import, sampling
## vectors, the desktop shell's commands, the UI's logic), the UI's type check, the generated
## TypeScript bindings being current, and the end-to-end walk through the real app.
test: setup lint test-rust test-ui check-bindings e2e

## The shell's tests are built with the UI inside, as the app is: build the UI first.
test-rust: ui
	$(CARGO) test --workspace $(APP_FEATURES) --locked

test-ui:
	cd ui && npm test && npm run check

check-bindings:
	@bash scripts/check-bindings.sh

## make e2e: the real app driven through WebDriver (tauri-driver + WebKitWebDriver) under its
## own Xvfb: one demo control walked from import through sampling, testing with an exception,
## conclusion, both sign-offs and the xlsx export, which is read back (e2e/tests/walk.rs); and a
## returned working copy merged on the merge screen once its conflict is resolved (e2e/tests/merge.rs). A failed
## step names itself and leaves a screenshot in target/e2e/.
## The app is copied first: a build without the UI inside may replace target/debug/tickmark-app.
## The walk is built with the workspace's features, so it is the binary `make test-rust` built.
e2e: app
	mkdir -p target/e2e && cp $(APP) target/e2e/tickmark-app
	TICKMARK_APP=target/e2e/tickmark-app $(CARGO) test --workspace $(APP_FEATURES) --locked --test walk --test merge -- --ignored --nocapture

## Regenerate ui/src/lib/bindings from the shell's Rust transport types.
bindings:
	rm -rf ui/src/lib/bindings
	$(CARGO) test -p tickmark-app $(APP_FEATURES) --locked export_bindings

## make package: an installable .deb (Tauri's bundler, the CLI from ui's devDependencies) in
## target/release/bundle/deb/: the app, its icons, a desktop entry and the .tickmark file type.
package: ui
	ui/node_modules/.bin/tauri build --bundles deb --ci --config '{"build":{"beforeBuildCommand":""}}'
	@ls -1 target/release/bundle/deb/*.deb

## Screenshots of the main screens, from the real app under Xvfb, into docs/screenshots/.
screenshots:
	@bash scripts/screenshots.sh

## make bench: one markdown table of speed against the reference measured in the same run
## (import against sqlite3 .import, alternating; selection, the AICPA grids, export against their
## targets), with peak memory (benches/table.sh). The criterion benches stay for profiling a
## change: cargo bench -p tickmark --bench sampling|export.
bench: setup
	bash benches/table.sh

## make lint: formatting and clippy with warnings as errors (part of make test). Clippy needs
## ui/dist like any build with the UI inside.
lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets $(APP_FEATURES) --locked -- -D warnings
