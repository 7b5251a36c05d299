# What the README tells a newcomer to type.
.PHONY: run test bench setup demo lint

CARGO ?= cargo
TICKMARK = target/debug/tickmark
DEMO = $(HOME)/.local/share/tickmark/demo.tickmark

setup:
	@bash scripts/setup.sh

## make run: install what is missing, build, and open the demo engagement (Acme Cloud, Inc.).
run: setup
	$(CARGO) build --bin tickmark
	$(TICKMARK) demo --force
	@echo
	$(TICKMARK) controls list $(DEMO)
	@echo
	$(TICKMARK) population show $(DEMO) --control CC8.1-01

## make test: every test (engine unit tests, CLI and import integration tests, sampling vectors).
test: setup
	$(CARGO) test --workspace --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
