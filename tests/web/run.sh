#!/usr/bin/env bash
# Builds edusearch, indexes the bundled corpus into a temporary folder, serves it on a
# free port and runs the browser test against it. The same steps as `make test-web`.
#   PROFILE=dev tests/web/run.sh   # reuse a debug build instead of building release
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
profile="${PROFILE:-release}"
if [[ "$profile" == release ]]; then
  cargo build --release -p edusearch-cli
  bin="${CARGO_TARGET_DIR:-target}/release/edusearch"
else
  cargo build -p edusearch-cli
  bin="${CARGO_TARGET_DIR:-target}/debug/edusearch"
fi

[[ -d tests/web/node_modules/playwright-core ]] || (cd tests/web && npm install --no-audit --no-fund)

work="$(mktemp -d)"
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" index corpus --index "$work/index" --quiet
# Port 0: the server picks a free port and prints the address it bound.
"$bin" serve --index "$work/index" --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -n 1 || true)"
  [[ -n "$url" ]] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.2
done
[[ -n "$url" ]] || { echo "the server did not start:"; cat "$work/serve.log"; exit 1; }
echo "testing the page at $url"
EDUSEARCH_URL="$url" node --test tests/web/
