#!/usr/bin/env bash
# Every test again on Node 24: Node 20 is past its end of life and users run 22 or 24. The npm
# registry's `node` package brings the binary (no other download), into a folder of its own;
# node_modules is rebuilt for it (node-pty is native) and left that way.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${AURA_NODE24_DIR:-/tmp/aura-node24}"
if [ ! -x "$dir/node_modules/.bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null && npm i --no-audit --no-fund --loglevel=error node@24 >/dev/null)
fi
export PATH="$dir/node_modules/.bin:$PATH"
echo "Node $(node --version)"
npm ci --no-audit --no-fund --loglevel=error
npm test
