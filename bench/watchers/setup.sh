#!/usr/bin/env bash
# Installs the watcher benchmark's peers, idempotently, outside the repo:
#   Debian: inotify-tools (inotifywait), watchman
#   npm:    @parcel/watcher, chokidar   -> $CACHE/npm/node_modules
#   PyPI:   watchdog, watchfiles        -> $CACHE/venv
# CACHE = ${DEVWATCH_CACHE:-$HOME/.cache/devwatch-dev}/bench
# A peer that fails to install is reported here and by run.py; the others
# are still installed.
# apt_install, say and the cache location come from the project's scripts.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
set +e  # a peer that fails to install is reported; the others still install
CACHE="$CACHE/bench"
mkdir -p "$CACHE"
failed=()

apt_install inotify-tools || failed+=("inotify-tools (apt)")
apt_install watchman || failed+=("watchman (apt)")

if command -v npm >/dev/null; then
  mkdir -p "$CACHE/npm"
  if [ ! -d "$CACHE/npm/node_modules/@parcel/watcher" ] || [ ! -d "$CACHE/npm/node_modules/chokidar" ]; then
    ( cd "$CACHE/npm" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --loglevel=error @parcel/watcher chokidar ) ||
      failed+=("@parcel/watcher/chokidar (npm)")
  fi
else
  failed+=("npm not found: @parcel/watcher and chokidar skipped")
fi

if [ ! -x "$CACHE/venv/bin/python" ]; then
  python3 -m venv "$CACHE/venv" || failed+=("venv (python3 -m venv; Debian: apt-get install python3-venv)")
fi
if [ -x "$CACHE/venv/bin/python" ] && ! "$CACHE/venv/bin/python" -c 'import watchdog, watchfiles' 2>/dev/null; then
  "$CACHE/venv/bin/pip" install -q watchdog watchfiles || failed+=("watchdog/watchfiles (pip)")
fi

echo "peers in $CACHE:"
echo "  inotifywait: $(command -v inotifywait || echo missing)"
echo "  watchman:    $(command -v watchman || echo missing)"
echo "  node:        $(ls -d "$CACHE"/npm/node_modules/@parcel/watcher "$CACHE"/npm/node_modules/chokidar 2>/dev/null | tr '\n' ' ')"
echo "  python:      $("$CACHE/venv/bin/python" -c 'import watchdog, watchfiles; print("watchdog", watchdog.__version__ if hasattr(watchdog, "__version__") else "", "watchfiles", watchfiles.__version__)' 2>/dev/null || echo missing)"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'not installed: %s\n' "${failed[@]}" >&2
  exit 1
fi
