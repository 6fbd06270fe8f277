#!/usr/bin/env bash
# Installs the reload benchmark's peers, idempotently, outside the repo:
#   Debian:    watchman (WatchmanReloader's server), entr
#   PyPI:      django 5.2 (the newest for Python 3.11), django-watchfiles, pywatchman (current:
#              Debian's 4.9 client is years older) -> $CACHE/reload-venv
#   npm:       nodemon                              -> $CACHE/npm/node_modules
#   crates.io: watchexec-cli, built from source     -> $CACHE/cargo/bin/watchexec
#              (slow the first time: several minutes on 2 cores; cached after)
# CACHE = ${DEVWATCH_CACHE:-$HOME/.cache/devwatch-dev}/bench
# Set SKIP_WATCHEXEC=1 to skip the cargo build. A peer that fails to install
# is reported; the others are still installed.
# apt_install, say and the cache location come from the project's scripts.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
set +e  # a peer that fails to install is reported; the others still install
CACHE="$CACHE/bench"
mkdir -p "$CACHE"
failed=()

apt_install watchman || failed+=("watchman (apt)")
apt_install entr || failed+=("entr (apt)")

V="$CACHE/reload-venv"
if [ ! -x "$V/bin/python" ]; then
  /usr/bin/python3 -m venv "$V" || failed+=("venv (apt-get install python3-venv)")
fi
if [ -x "$V/bin/python" ] && ! "$V/bin/python" -c 'import django, django_watchfiles, pywatchman; assert django.VERSION >= (5, 2)' 2>/dev/null; then
  "$V/bin/pip" install -q --upgrade "django>=5.2,<6" django-watchfiles pywatchman || failed+=("django/django-watchfiles/pywatchman (pip)")
fi

if command -v npm >/dev/null; then
  mkdir -p "$CACHE/npm"
  if [ ! -x "$CACHE/npm/node_modules/.bin/nodemon" ]; then
    ( cd "$CACHE/npm" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --loglevel=error nodemon ) || failed+=("nodemon (npm)")
  fi
else
  failed+=("npm not found: nodemon skipped")
fi

if [ -z "${SKIP_WATCHEXEC:-}" ] && [ ! -x "$CACHE/cargo/bin/watchexec" ]; then
  if command -v cargo >/dev/null; then
    echo "building watchexec-cli from source (cargo install, -j2)..." >&2
    cargo install --locked --quiet --root "$CACHE/cargo" -j2 watchexec-cli || failed+=("watchexec-cli (cargo)")
  else
    failed+=("cargo not found: watchexec skipped")
  fi
fi

echo "peers in $CACHE:"
echo "  watchman:  $(command -v watchman || echo missing)"
echo "  entr:      $(command -v entr || echo missing)"
echo "  python:    $("$V/bin/python" -c 'import django, django_watchfiles, pywatchman; print("django", django.get_version(), "+ django-watchfiles + pywatchman")' 2>&1 | tail -1)"
echo "  nodemon:   $(ls "$CACHE/npm/node_modules/.bin/nodemon" 2>/dev/null || echo missing)"
echo "  watchexec: $(ls "$CACHE/cargo/bin/watchexec" 2>/dev/null || echo missing)"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'not installed: %s\n' "${failed[@]}" >&2
  exit 1
fi
