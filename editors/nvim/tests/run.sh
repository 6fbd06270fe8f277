#!/usr/bin/env bash
# Runs every tests/cases/*_test.lua in its own headless Neovim with isolated XDG dirs, a fresh copy of
# examples/django-blog and a free port, then checks that no devwatch or dev-server process outlived it.
#   DEVWATCH_BIN=build/server/devwatch bash editors/nvim/tests/run.sh [name-filter]
#   NVIM=/path/to/nvim  runs the suite with another Neovim (default: nvim from $PATH)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
NVIM=${NVIM:-nvim}
DEVWATCH_BIN=${DEVWATCH_BIN:-$repo/build/server/devwatch}
PYTHON=${DW_PYTHON:-/usr/bin/python3}
filter=${1:-}

case "$DEVWATCH_BIN" in /*) ;; *) DEVWATCH_BIN=$(cd "$(dirname "$DEVWATCH_BIN")" && pwd)/$(basename "$DEVWATCH_BIN") ;; esac
if [[ ! -x "$DEVWATCH_BIN" ]]; then
  echo "devwatch binary not found: $DEVWATCH_BIN (set DEVWATCH_BIN)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if ! command -v "$NVIM" >/dev/null; then
  echo "nvim not found: $NVIM (set NVIM)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
echo "nvim: $("$NVIM" --version | head -1)   devwatch: $DEVWATCH_BIN"

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints the pids from $1 that still run (zombies waiting for their reaper count as gone).
alive() {
  local pid stat
  [[ -f "$1" ]] || return 0
  sort -u "$1" | while read -r pid; do
    [[ -n "$pid" ]] || continue
    stat=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ')
    [[ -n "$stat" && "$stat" != Z* ]] && echo "$pid"
  done
}

passed=0
failed=0
suite_start=$(date +%s%N)
for case_file in "$here"/cases/*_test.lua; do
  name=$(basename "$case_file" .lua)
  [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
  sandbox=$(mktemp -d "${TMPDIR:-/tmp}/devwatch-nvim.XXXXXX")
  mkdir -p "$sandbox"/{config,data,state,cache}
  cp -r "$repo/examples/django-blog" "$sandbox/ws"
  rm -rf "$sandbox/ws/db.sqlite3"
  find "$sandbox/ws" -name __pycache__ -prune -exec rm -rf {} +
  port=$(free_port)
  cat >"$sandbox/ws/devwatch.json" <<JSON
{
  "servers": {
    "web": {
      "command": ["$PYTHON", "manage.py", "runserver", "--noreload", "127.0.0.1:$port"],
      "ready": {"port": $port},
      "restartOn": ["**/*.py", "**/templates/**"],
      "stopTimeoutMs": 3000
    }
  }
}
JSON
  start=$(date +%s%N)
  (
    cd "$sandbox/ws" &&
      env XDG_CONFIG_HOME="$sandbox/config" XDG_DATA_HOME="$sandbox/data" XDG_STATE_HOME="$sandbox/state" \
        XDG_CACHE_HOME="$sandbox/cache" DW_WS="$sandbox/ws" DW_PORT="$port" DW_SANDBOX="$sandbox" \
        DEVWATCH_BIN="$DEVWATCH_BIN" PYTHONDONTWRITEBYTECODE=1 \
        timeout -k 5 120 "$NVIM" --headless --noplugin -i NONE -u "$here/minimal_init.lua" \
        -c "lua require('harness').run('$case_file')"
  ) >"$sandbox/output.txt" 2>&1 </dev/null
  rc=$?
  problem=""
  [[ $rc -ne 0 ]] && problem="nvim exited with $rc"
  left=$(alive "$sandbox/pids"; pgrep -f "127.0.0.1:$port" || true)
  if [[ -n "$left" ]]; then
    problem="${problem:+$problem; }processes left after quitting: $(echo $left)"
    for _ in $(seq 100); do
      left=$(alive "$sandbox/pids"; pgrep -f "127.0.0.1:$port" || true)
      [[ -z "$left" ]] && break
      sleep 0.1
    done
    [[ -n "$left" ]] && kill -9 $left 2>/dev/null
  fi
  ms=$((($(date +%s%N) - start) / 1000000))
  if [[ -z "$problem" ]]; then
    passed=$((passed + 1))
    printf 'PASS %-28s %6d ms\n' "$name" "$ms"
    rm -rf "$sandbox"
  else
    failed=$((failed + 1))
    printf 'FAIL %-28s %6d ms  %s (kept %s)\n' "$name" "$ms" "$problem" "$sandbox"
    sed 's/^/    /' "$sandbox/output.txt"
  fi
done
total=$((($(date +%s%N) - suite_start) / 1000000))
echo "suite took $((total / 1000)).$(((total % 1000) / 100)) s"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
