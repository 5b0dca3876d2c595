#!/usr/bin/env bash
# The tests again on Node 24: Node 20 is past its end of life and users run 22 or 24. The npm
# registry's `node` package brings the binary (no other download), into a folder of its own;
# node_modules is rebuilt for it (node-pty is native) and left that way.
# All but the Chromium tests (test/ui*.test.ts): they check the pages, which Node does not
# change, and the server code under them runs here in the HTTP and socket tests. Leaving them
# out keeps CI's two runs together well under 20 minutes.
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
npx vitest run --exclude 'test/ui*.test.ts' \
  --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json
node test/check-no-skips.mjs
