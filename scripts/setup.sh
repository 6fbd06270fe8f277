#!/usr/bin/env bash
# Installs what devwatch needs to build and test on Debian, idempotently, then
# configures and builds it. Safe to run again: it only does what is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

apt_install build-essential g++ cmake ninja-build pkg-config \
  nlohmann-json3-dev libasio-dev libspdlog-dev catch2 \
  python3 python3-venv python3-pip python3-django inotify-tools curl neovim
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

cmake_args=(-S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# CI builds with -Werror so warnings cannot creep in.
[ "${CI:-}" = true ] && cmake_args+=(-DDEVWATCH_WERROR=ON)
say "configuring and building in $BUILD"
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
