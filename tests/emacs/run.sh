#!/usr/bin/env bash
# Emacs eglot (Debian emacs-nox + elpa-eglot) against devwatch, in batch.
# Copies examples/django-blog to a temp git repository (eglot roots its
# workspace at the repository), writes devwatch.json with a free port and the
# test venv's Django, and runs tests/emacs/devwatch-eglot-test.el with an
# isolated HOME and user-emacs-directory, under a timeout. Its last line is
# "eglot: N passed, N failed"; the exit code is non-zero on an unexpected
# result only (issue 11's known failures are reported as expected).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${DEVWATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devwatch-dev}"
BIN="${DEVWATCH_BIN:-$ROOT/build/server/devwatch}"
PYTHON="${DEVWATCH_TEST_PYTHON:-$CACHE/venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=/usr/bin/python3   # Debian's python3-django
command -v emacs >/dev/null || { echo "emacs not installed (apt: emacs-nox elpa-eglot)"; exit 1; }
[ -x "$BIN" ] || { echo "devwatch not built at $BIN (bash scripts/setup.sh)"; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/devwatch-eglot.XXXXXX")"
trap 'rm -rf "$work"' EXIT
project="$work/blog"
cp -r "$ROOT/examples/django-blog" "$project"
rm -rf "$project"/db.sqlite3 && find "$project" -name __pycache__ -prune -exec rm -rf {} +
port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$project/devwatch.json" <<JSON
{"servers": {"django": {
  "command": ["$PYTHON", "manage.py", "runserver", "--noreload", "127.0.0.1:$port"],
  "env": {"PYTHONUNBUFFERED": "1"}, "ready": {"port": $port},
  "restartOn": ["**/*.py", "**/templates/**"], "ignore": ["**/static/**"],
  "autoStart": false, "autoRestart": false}}}
JSON
git -C "$project" init -q && git -C "$project" add -A \
  && git -C "$project" -c user.email=t@t -c user.name=t commit -qm example

mkdir -p "$work/home/.emacs.d"
start=$(date +%s)
status=0
HOME="$work/home" DEVWATCH_BIN="$BIN" DEVWATCH_TEST_PROJECT="$project" DEVWATCH_TEST_PORT="$port" \
  timeout --kill-after=10 "${DEVWATCH_EMACS_TIMEOUT:-600}" \
  emacs --batch --eval "(setq user-emacs-directory \"$work/home/.emacs.d/\")" \
        -l "$HERE/devwatch-eglot-test.el" || status=$?
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
  echo "eglot suite timed out"; echo "eglot: 0 passed, 1 failed"
fi
echo "(eglot suite: $(( $(date +%s) - start )) s)"
exit $status
