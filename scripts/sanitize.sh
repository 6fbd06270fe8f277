#!/usr/bin/env bash
# Builds devwatch and its C++ tests with AddressSanitizer + UndefinedBehavior-
# Sanitizer (LeakSanitizer included) in a separate build directory and runs
# the whole ctest suite under it. Any report fails the run.
#   DEVWATCH_ASAN_BUILD_DIR  build directory (default build-asan/)
#   DEVWATCH_SANITIZE_CXX    compiler (default g++; clang++ works too)
#   DEVWATCH_JOBS            parallel build/test jobs (default: nproc)
#   --with-fuzzers           clang, build-fuzz/, and the libFuzzer targets too:
#                            one instrumented build serves this run and
#                            scripts/fuzz.sh (what scripts/test.sh does)
# Other arguments go to ctest (e.g. -R devwatch_paths_tests).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# -O1 -g1: ASan's documented minimum for reasonable speed, line tables are
# all a symbolized stack needs (cheaper to build than full -g), and without
# NDEBUG assert() stays on.

fuzz=OFF
if [ "${1:-}" = --with-fuzzers ]; then fuzz=ON; shift; fi
if [ $fuzz = ON ]; then
  build="${DEVWATCH_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
  cxx=clang++
else
  build="${DEVWATCH_ASAN_BUILD_DIR:-$ROOT/build-asan}"
  cxx="${DEVWATCH_SANITIZE_CXX:-g++}"
fi
jobs="${DEVWATCH_JOBS:-$(nproc)}"

# Every finding is fatal and leaves a stack; the suppressions file lists the
# few third-party reports we accept, each with its reason.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

say "configuring $build with $cxx and -fsanitize=address,undefined"
cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCMAKE_CXX_COMPILER="$cxx" -DDEVWATCH_SANITIZE=address,undefined -DDEVWATCH_FUZZ=$fuzz >/dev/null
say "building (sanitized)"
cmake --build "$build" -j"$jobs"
say "ctest under ASan+UBSan"
ctest --test-dir "$build" --output-on-failure -j"$jobs" "$@"
