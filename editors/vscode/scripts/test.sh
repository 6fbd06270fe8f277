#!/usr/bin/env bash
# The VS Code extension's tests: unit (no VS Code), protocol (vscode-jsonrpc
# against the real devwatch binary and the example Django project) and e2e
# (the real VS Code: code-server + playwright-core + Debian's Chromium), and
# the packages (the platform .vsix bundles the binary; both carry the LICENSE).
#
#   DEVWATCH_BIN=path   the binary under test (default: $DEVWATCH_BUILD_DIR/server/devwatch, build/ in the repo)
#   DEVWATCH_E2E=0      skip the e2e layer (default 1: it runs)
#   DEVWATCH_CACHE=dir  npm cache and code-server install (default ~/.cache/devwatch-dev)
# Screenshots: test-output/vscode/. Exits non-zero when a test fails.
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${DEVWATCH_CACHE:-$HOME/.cache/devwatch-dev}
BUILD=${DEVWATCH_BUILD_DIR:-$REPO/build}
export DEVWATCH_BIN=${DEVWATCH_BIN:-$BUILD/server/devwatch}
export npm_config_cache=$CACHE/npm npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
cd "$HERE"
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

if [[ ! -x $DEVWATCH_BIN ]]; then
  if [[ -f $BUILD/CMakeCache.txt ]]; then
    step "building devwatch ($BUILD)"
    cmake --build "$BUILD" --target devwatch -j2
  fi
  [[ -x $DEVWATCH_BIN ]] || { echo "devwatch binary not found at $DEVWATCH_BIN: build it (scripts/test.sh at the repo root) or set DEVWATCH_BIN" >&2; exit 1; }
fi

# Test a snapshot: a rebuild of the binary while the tests run (the linker
# rewriting it) must not make a spawn fail half-way through.
snapshot=$(mktemp -d "${TMPDIR:-/tmp}/devwatch-vscode-bin-XXXXXX")
trap 'rm -rf "$snapshot"' EXIT
cp "$DEVWATCH_BIN" "$snapshot/devwatch"
echo "testing $DEVWATCH_BIN (snapshot: $snapshot/devwatch)"
export DEVWATCH_BIN=$snapshot/devwatch

step "npm dependencies"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.devwatch-lock-sum || $(cat node_modules/.devwatch-lock-sum) != "$lock_sum" ]]; then
  npm ci --loglevel=error
  echo "$lock_sum" > node_modules/.devwatch-lock-sum
else
  echo "up to date (package-lock.json unchanged)"
fi

step "type-check and compile tests"
npx tsc -p .
step "bundle and package the .vsix"
npm run --silent package

export DEVWATCH_VSIX=$HERE/devwatch.vsix
suites=(out/test/unit/ out/test/protocol/ out/test/package/)
if [[ ${DEVWATCH_E2E:-1} != 0 ]]; then
  step "code-server for e2e"
  DEVWATCH_CODE_SERVER=$(bash scripts/install-code-server.sh)
  export DEVWATCH_CODE_SERVER
  suites+=(out/test/e2e/)
fi

step "tests: ${suites[*]}"
# One at a time: the protocol and e2e suites start real servers on a 2-core machine.
node --test --test-concurrency=1 --test-reporter=spec "${suites[@]}"
step "done"
