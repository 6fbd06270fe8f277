#!/usr/bin/env bash
# Installs what devwatch needs to build and test on Debian, idempotently, then
# configures and builds it. Safe to run again: it only does what is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# watchman: tests/python reproduce pywatchman 1.4.1's failure against a real server.
apt_install build-essential g++ cmake ninja-build pkg-config ccache \
  nlohmann-json3-dev libasio-dev libspdlog-dev catch2 \
  python3 python3-venv python3-pip python3-dev python3-django inotify-tools curl neovim watchman \
  emacs-nox elpa-eglot  # emacs: the eglot client suite (tests/emacs)
# Robustness runs (docs/robustness.md): clang with libFuzzer and the sanitizer
# runtimes, clang-tidy and cppcheck for scripts/lint.sh.
apt_install clang clang-tidy libclang-rt-14-dev cppcheck
# The proxy (docs/proxy.md): Chromium for tests/browser, wrk for bench/proxy.
apt_install chromium wrk
command -v npm >/dev/null || apt_install nodejs npm

mkdir -p "$CACHE"
# venv DIR REQUIREMENTS: (re)creates the virtualenv DIR from a requirements
# file, only when it is missing or that file changed since it was made.
venv() {
  local dir="$1" req="$2" want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ ! -x "$dir/bin/python" ] || [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
    say "creating the virtualenv $dir from ${req#"$ROOT"/}"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check -r "$req"
    echo "$want" > "$dir/.requirements.sha256"
  fi
}
# The test venv: pytest and the current Django from PyPI.
venv "$VENV" "$ROOT/tests/requirements.txt"
# tests/conformance: pytest-lsp, pygls and Django, pinned in their own file
# and venv so that the e2e venv above is not rebuilt for them.
venv "$CACHE/venv-conformance" "$ROOT/tests/conformance/requirements.txt"

# tests/browser and bench/proxy drive Chromium through playwright-core (npm),
# kept in the cache; installed again only when the pinned version changes.
PLAYWRIGHT_CORE=1.65.1
if [ "$(node -p "require('$CACHE/browser/node_modules/playwright-core/package.json').version" 2>/dev/null)" != "$PLAYWRIGHT_CORE" ]; then
  say "installing playwright-core $PLAYWRIGHT_CORE into $CACHE/browser"
  mkdir -p "$CACHE/browser"
  npm install --prefix "$CACHE/browser" --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_CORE"
fi
# bench/proxy compares save-to-visible with django-browser-reload (PyPI).
venv "$CACHE/venv-browser-reload" "$ROOT/bench/proxy/requirements.txt"

cmake_args=(-S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# CI builds with -Werror so warnings cannot creep in.
[ "${CI:-}" = true ] && cmake_args+=(-DDEVWATCH_WERROR=ON)
say "configuring and building in $BUILD"
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
