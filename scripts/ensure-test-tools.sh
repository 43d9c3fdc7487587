#!/usr/bin/env bash
# Makes sure the tools the page test needs are present, installing what is missing:
# Debian's chromium and fonts-noto-cjk (so Chinese text renders in screenshots) and the
# npm packages of tests/web. Prints what it does; does nothing when all is there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

missing=()
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if ((${#missing[@]})); then
  echo "installing Debian packages for the page test: ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
  echo "installed: ${missing[*]}"
fi

if [[ ! -d "$root/tests/web/node_modules/playwright-core" ]]; then
  echo "installing the npm packages of tests/web (playwright-core)"
  (cd "$root/tests/web" && npm ci --no-audit --no-fund --loglevel=error)
fi
