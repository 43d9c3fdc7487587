# edusearch — the two commands that matter:
#   make run    build, index the bundled corpus (corpus/) into index/, serve it
#   make test   every test: Rust unit/integration/end-to-end, API, and the page in headless Chromium

CARGO   ?= cargo
ADDR    ?= 127.0.0.1:8080
INDEX   ?= index
# cargo builds into $CARGO_TARGET_DIR when it is set.
BIN     := $(or $(CARGO_TARGET_DIR),target)/release/edusearch

.PHONY: run build index serve test test-rust test-web test-tools bench bench-full lint clean

run: build index serve

build:
	$(CARGO) build --release -p edusearch-cli

index: build
	$(BIN) index corpus --index $(INDEX)

serve: build
	@echo "Open http://$(ADDR)/ in a browser (Ctrl-C stops the server)."
	$(BIN) serve --index $(INDEX) --addr $(ADDR)

test: test-tools test-rust test-web

# Installs what the page test needs when it is missing (Debian's chromium and
# fonts-noto-cjk, the npm packages of tests/web) and says what it is doing.
test-tools:
	@scripts/ensure-test-tools.sh

test-rust:
	$(CARGO) test --workspace

test-web: test-tools
	tests/web/run.sh

# About 100 k synthetic items: indexing, in-process queries, HTTP load, SQLite FTS5 side by side.
bench:
	$(CARGO) run --release -p edusearch-bench -- run --items 100000 --out bench-out

# National scale: 1.5 M items (~20 minutes on 2 cores, ~6 GB of disk).
bench-full:
	$(CARGO) run --release -p edusearch-bench -- run --items 1500000 --out bench-out

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf $(INDEX)/gen-* $(INDEX)/CURRENT test-output bench-out
