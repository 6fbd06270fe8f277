#!/usr/bin/env bash
# Runs every test: C++ unit tests (ctest), the sanitizer, fuzz and lint runs,
# end-to-end tests (pytest) that drive the built binary, the Python package,
# the client conformance suites (pygls, eglot), the fault/load/soak suite and
# both editors. Installs and builds what is missing first. Each step's wall
# time goes to test-output/timings.txt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"

out="$ROOT/test-output"
mkdir -p "$out"
: > "$out/timings.txt"
status=0

# step NAME TITLE COMMAND...: runs one labelled step and records its time.
step() {
  local name="$1" title="$2" start=$SECONDS rc=0
  shift 2
  say "$title"
  "$@" || rc=$?
  printf '%-12s %4ss  %s\n' "$name" "$((SECONDS - start))" "$([ $rc = 0 ] && echo ok || echo FAILED)" \
    | tee -a "$out/timings.txt" >&2
  [ $rc = 0 ] || status=1
}
pytest_step() {  # pytest_step NAME TITLE PYTHON DIR [ARGS...]
  local name="$1" title="$2" python="$3" dir="$4"
  shift 4
  step "$name" "$title" "$python" -m pytest -q -p no:cacheprovider "$@" "$ROOT/tests/$dir" --junitxml="$out/$name.xml"
}

step ctest "unit tests (ctest)" ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)"

# One clang build instrumented with ASan, UBSan and libFuzzer coverage serves
# both the sanitized ctest run and the fuzzers (docs/robustness.md).
step sanitizers "sanitizers: every ctest case under ASan+UBSan+LSan (build-fuzz/, clang)" \
  bash "$ROOT/scripts/sanitize.sh" --with-fuzzers
# 15 s per target replays every seed and regression input and its first
# mutations; long runs are for developers: scripts/fuzz.sh 600.
step fuzzing "fuzzing: each libFuzzer target for ${DEVWATCH_FUZZ_SECONDS:-15}s" \
  bash "$ROOT/scripts/fuzz.sh" --no-build "${DEVWATCH_FUZZ_SECONDS:-15}"
# Every folder of server/ is lint-clean: any finding fails the step.
step lint "lint: clang-tidy + cppcheck on all of server/" bash "$ROOT/scripts/lint.sh" server

pytest_step e2e "end-to-end tests (pytest)" "$VENV/bin/python" e2e
pytest_step browser "live reload in headless Chromium (playwright-core)" "$VENV/bin/python" browser
pytest_step python "Python package (wheel from a clean copy, runserver on Django 5.2 and 3.2)" "$VENV/bin/python" python
# A client nobody here wrote: pygls' LanguageClient through pytest-lsp, in its own venv.
pytest_step conformance "conformance (pygls LanguageClient via pytest-lsp)" \
  "$CACHE/venv-conformance/bin/python" conformance -c "$ROOT/tests/conformance/pytest.ini"
step eglot "Emacs eglot (batch, $(emacs --version | head -1))" bash "$ROOT/tests/emacs/run.sh"
pytest_step robustness "fault, load and soak tests (DEVWATCH_SOAK_SCALE=5 for the full soak)" \
  "$VENV/bin/python" robustness
step nvim "Neovim plugin (headless Neovim $(nvim --version | head -1 | cut -d' ' -f2))" \
  bash "$ROOT/editors/nvim/tests/run.sh"
step vscode "VS Code extension (unit, protocol, and end to end in code-server)" \
  bash "$ROOT/editors/vscode/scripts/test.sh"

if [ $status -ne 0 ]; then say "some tests FAILED"; else say "all tests passed"; fi
exit $status
