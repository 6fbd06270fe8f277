#!/usr/bin/env bash
# Installs code-server (VS Code in the browser, from npm) for the e2e tests,
# into a cache outside the repo, once. Prints the path of its launcher.
# Needs the Debian packages listed in DEBS (installed with apt-get when missing).
set -euo pipefail

VERSION=4.100.3   # the newest code-server that runs on Node 20 (VS Code 1.100.3)
CACHE=${DEVWATCH_CACHE:-$HOME/.cache/devwatch-dev}
PREFIX=$CACHE/code-server/$VERSION
BIN=$PREFIX/node_modules/.bin/code-server
DEBS=(build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium)

if [[ -x $BIN && -f $PREFIX/.complete ]]; then echo "$BIN"; exit 0; fi

missing=()
for p in "${DEBS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "install-code-server: installing ${missing[*]} with apt-get" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# @vscode/ripgrep downloads a prebuilt rg from outside the registries, which
# cannot be reached here: seed its download cache with Debian's rg instead.
tmp=${TMPDIR:-/tmp}
seed=$tmp/vscode-ripgrep-cache-1.15.11
mkdir -p "$seed"
if [[ ! -f $seed/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ]]; then
  work=$(mktemp -d)
  cp "$(command -v rg)" "$work/rg"
  tar -C "$work" -czf "$seed/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
  rm -rf "$work"
fi

echo "install-code-server: installing code-server $VERSION into $PREFIX" >&2
mkdir -p "$PREFIX"
[[ -f $PREFIX/package.json ]] || echo '{"private": true}' > "$PREFIX/package.json"
npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_yes=true \
  npm_config_cache=$CACHE/npm \
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "code-server@$VERSION" >&2
touch "$PREFIX/.complete"
echo "$BIN"
