# Shared by setup.sh, test.sh and demo.sh. Sourced, not run.
# Everything heavy (the Python venv, npm caches, editor test downloads) lives
# in a cache outside the repository so re-runs and fresh clones reuse it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${DEVWATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devwatch-dev}"
BUILD="${DEVWATCH_BUILD_DIR:-$ROOT/build}"
VENV="$CACHE/venv"
export DEVWATCH_BIN="$BUILD/server/devwatch"
# Every build (the main one, the sanitized/fuzz one, the wheel's) goes
# through ccache when it is there, so a re-run recompiles only what changed.
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}"
  # Relative paths everywhere, as tests/python's wheel builds use: a build in
  # a copy of the tree or an unpacked sdist hits the entries ./build made.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-/}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root for: $* (run as root or install sudo)"; fi
}

# Installs the Debian packages that are missing, and only those.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # apt-get update only when the package lists are missing or older than a day.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    as_root apt-get update -qq
  fi
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
