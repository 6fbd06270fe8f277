#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang in build-fuzz/ and
# runs each for SECONDS (default 60) on its checked-in seed corpus plus the
# corpus grown by earlier runs. Fails if any target crashes, leaks, hits
# undefined behaviour, breaks a property or times out on one input; the
# input that did it is kept as test-output/fuzz/<target>/crash-* (or leak-*,
# timeout-*, oom-*). A finding becomes a unit test plus a corpus file
# (docs/robustness.md, "When a fuzzer finds something").
#   scripts/fuzz.sh [--no-build] [SECONDS] [TARGET...]   e.g. scripts/fuzz.sh 30 glob uri
#   DEVWATCH_FUZZ_BUILD_DIR  build directory (default build-fuzz/)
#   DEVWATCH_JOBS            build jobs (default: nproc)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# -O1 -g1: ASan's documented minimum for reasonable speed, line tables are
# all a symbolized stack needs (cheaper to build than full -g), and without
# NDEBUG assert() stays on.

build_first=1
if [ "${1:-}" = --no-build ]; then build_first=0; shift; fi  # run what build-fuzz/ holds
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(framing endpoint glob gitignore config uri traceback)
build="${DEVWATCH_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
jobs="${DEVWATCH_JOBS:-$(nproc)}"
out="$ROOT/test-output/fuzz"
seeds="$ROOT/tests/fuzz/corpus"
mkdir -p "$out"

if [ $build_first = 1 ]; then
  command -v clang++ >/dev/null || die "clang++ is missing (scripts/setup.sh installs clang)"
  say "configuring $build (clang, -fsanitize=fuzzer,address,undefined)"
  cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DCMAKE_CXX_COMPILER=clang++ -DDEVWATCH_FUZZ=ON >/dev/null
  say "building the fuzz targets"
  cmake --build "$build" --target devwatch_fuzz -j"$jobs"
fi

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

status=0
summary="$out/summary.txt"
printf '%-10s %8s %10s %9s %8s %s\n' target seconds execs exec/s corpus result > "$summary"
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  [ -x "$bin" ] || die "no fuzz target '$t' (have: framing endpoint glob gitignore config uri traceback)"
  work="$out/$t/corpus"   # grows across runs; the checked-in seeds stay untouched
  mkdir -p "$work"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1
        -artifact_prefix="$out/$t/")
  [ -f "$ROOT/tests/fuzz/dict/$t.dict" ] && args+=(-dict="$ROOT/tests/fuzz/dict/$t.dict")
  say "fuzzing $t for ${seconds}s"
  log="$out/$t/log.txt"
  if "$bin" "${args[@]}" "$work" "$seeds/$t" >"$log" 2>&1; then result=ok; else result=FAILED; status=1; fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  size="$(grep -o "corp: [0-9]*/[0-9A-Za-z]*" "$log" | tail -1 | cut -d" " -f2)"
  printf '%-10s %8s %10s %9s %8s %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$size" "$result" >> "$summary"
  if [ "$result" = FAILED ]; then
    grep -E 'ERROR:|property failed|runtime error|SUMMARY' "$log" | head -5 >&2 || true
    ls "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/timeout-* "$out/$t"/oom-* 2>/dev/null >&2 || true
    say "$t FAILED: see $log"
  fi
done
cat "$summary" >&2
exit $status
