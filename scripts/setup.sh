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

mkdir -p "$CACHE"
# The test venv: pytest and the current Django from PyPI. Reinstalled only
# when the requirements change.
req="$ROOT/tests/requirements.txt"
stamp="$VENV/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "creating the test virtualenv in $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

# Conformance venv (tests/conformance): pytest-lsp, pygls and Django, pinned in
# their own requirements file and venv so that the e2e venv above is not
# rebuilt for them. Reinstalled only when that file changes.
CONFORMANCE_VENV="$CACHE/venv-conformance"
creq="$ROOT/tests/conformance/requirements.txt"
cstamp="$CONFORMANCE_VENV/.requirements.sha256"
cwant="$(sha256sum "$creq" | cut -d' ' -f1)"
if [ ! -x "$CONFORMANCE_VENV/bin/python" ] || [ "$(cat "$cstamp" 2>/dev/null)" != "$cwant" ]; then
  say "creating the conformance virtualenv in $CONFORMANCE_VENV"
  rm -rf "$CONFORMANCE_VENV"
  python3 -m venv "$CONFORMANCE_VENV"
  "$CONFORMANCE_VENV/bin/pip" install -q --disable-pip-version-check -r "$creq"
  echo "$cwant" > "$cstamp"
fi

cmake_args=(-S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# CI builds with -Werror so warnings cannot creep in.
[ "${CI:-}" = true ] && cmake_args+=(-DDEVWATCH_WERROR=ON)
say "configuring and building in $BUILD"
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
