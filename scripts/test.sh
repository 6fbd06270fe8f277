#!/usr/bin/env bash
# Runs every test: C++ unit tests (ctest), end-to-end tests (pytest) that
# drive the built binary, the client conformance suites (pygls, eglot). Installs and builds what is missing first.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"

out="$ROOT/test-output"
mkdir -p "$out"
status=0

say "unit tests (ctest)"
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)" || status=1

say "end-to-end tests (pytest)"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/e2e" \
  --junitxml="$out/e2e.xml" || status=1

say "Python package (wheel from a clean copy, runserver on Django 5.2 and 3.2)"
py_start=$SECONDS
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/python" \
  --junitxml="$out/python.xml" || status=1
say "Python package tests took $((SECONDS - py_start)) s"

# Conformance (tests/conformance): a client nobody here wrote, pygls'
# LanguageClient through pytest-lsp, in its own venv (scripts/setup.sh).
# Issue 11's defects are strict xfails: the step passes while they fail.
say "conformance (pygls LanguageClient via pytest-lsp)"
t0=$SECONDS
"$CACHE/venv-conformance/bin/python" -m pytest -q -p no:cacheprovider -c "$ROOT/tests/conformance/pytest.ini" \
  "$ROOT/tests/conformance" --junitxml="$out/conformance.xml" || status=1
say "conformance took $((SECONDS - t0)) s"

# Emacs eglot (tests/emacs): Debian's emacs-nox + elpa-eglot in batch mode.
say "Emacs eglot (batch, $(emacs --version | head -1))"
t0=$SECONDS
bash "$ROOT/tests/emacs/run.sh" || status=1
say "eglot took $((SECONDS - t0)) s"

say "fault, load and soak tests (pytest, tests/robustness; DEVWATCH_SOAK_SCALE=5 for the full soak)"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/robustness" \
  --junitxml="$out/robustness.xml" || status=1

say "Neovim plugin (headless Neovim $(nvim --version | head -1 | cut -d' ' -f2))"
bash "$ROOT/editors/nvim/tests/run.sh" || status=1

say "VS Code extension (unit, protocol, and end to end in code-server)"
bash "$ROOT/editors/vscode/scripts/test.sh" || status=1

if [ $status -ne 0 ]; then say "some tests FAILED"; else say "all tests passed"; fi
exit $status
