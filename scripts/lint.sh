#!/usr/bin/env bash
# Static analysis: clang-tidy (.clang-tidy) and cppcheck
# (scripts/cppcheck-suppressions.txt) over the compile database of a
# configure-only build in build-lint/. Findings are counted per check and
# written to test-output/lint/; the script fails if any finding lies in the
# folders given (default: every folder of server/).
#   scripts/lint.sh [--tidy-only|--cppcheck-only] [--exclude=GLOB]... [FOLDER...]
#   e.g. scripts/lint.sh server/rpc server/paths
#        scripts/lint.sh --exclude='server/common/clock*' server/common
#   DEVWATCH_JOBS  parallel clang-tidy processes (default: nproc)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_tidy=1
run_cppcheck=1
folders=()
excludes=()
for arg in "$@"; do
  case "$arg" in
    --tidy-only) run_cppcheck=0 ;;
    --cppcheck-only) run_tidy=0 ;;
    --exclude=*) excludes+=("${arg#--exclude=}") ;;
    -*) die "unknown option $arg" ;;
    *) folders+=("${arg%/}") ;;
  esac
done
[ ${#folders[@]} -eq 0 ] && folders=(server)
jobs="${DEVWATCH_JOBS:-$(nproc)}"
build="${DEVWATCH_LINT_BUILD_DIR:-$ROOT/build-lint}"
out="$ROOT/test-output/lint"
mkdir -p "$out"

command -v clang-tidy >/dev/null || die "clang-tidy is missing (scripts/setup.sh installs it)"
command -v cppcheck >/dev/null || die "cppcheck is missing (scripts/setup.sh installs it)"
# Configure only: the compile database and generated headers are all lint needs.
# clang as the compiler so the database holds flags clang-tidy understands.
cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null

# The translation units under the folders, from the compile database.
mapfile -t files < <(EXCLUDES="$(printf '%s\n' "${excludes[@]}")" \
  python3 - "$build/compile_commands.json" "$ROOT" "${folders[@]}" <<'PY'
import fnmatch, json, os, sys
db, root, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
prefixes = [os.path.join(root, f) + "/" for f in folders]
excludes = [e for e in os.environ["EXCLUDES"].split("\n") if e]
seen = set()
for entry in json.load(open(db)):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, root)
    if any(fnmatch.fnmatch(rel, e) for e in excludes):
        continue
    if any(path.startswith(p) for p in prefixes) and path not in seen:
        seen.add(path)
        print(path)
PY
)
[ ${#files[@]} -gt 0 ] || die "no translation units under: ${folders[*]}"

# Keeps findings located in the folders (headers of other modules included by
# these files are those modules' business) and makes paths relative.
in_folders() {
  local re
  re="$(printf '%s\n' "${folders[@]}" | sed "s|^|^|; s|\$|/|" | paste -sd'|')"
  sed "s|^$ROOT/||" | grep -E "($re)" | sort -u | while IFS= read -r line; do
    local skip=0 e
    for e in "${excludes[@]}"; do
      # shellcheck disable=SC2053  # $e is a glob on purpose
      [[ "${line%%:*}" == $e ]] && skip=1
    done
    [ $skip = 1 ] || printf '%s\n' "$line"
  done
}

status=0
if [ $run_tidy = 1 ]; then
  say "clang-tidy on ${#files[@]} files in ${folders[*]}"
  printf '%s\n' "${files[@]}" |
    xargs -P "$jobs" -n 4 clang-tidy -p "$build" --quiet 2>/dev/null |
    grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' | in_folders > "$out/clang-tidy.txt" || true
  n="$(wc -l < "$out/clang-tidy.txt")"
  sed -E 's/.*\[([^]]+)\]$/\1/' "$out/clang-tidy.txt" | sort | uniq -c | sort -rn > "$out/clang-tidy-counts.txt"
  say "clang-tidy: $n findings"
  cat "$out/clang-tidy-counts.txt" >&2
  [ "$n" -eq 0 ] || status=1
fi

if [ $run_cppcheck = 1 ]; then
  say "cppcheck on ${#files[@]} files in ${folders[*]}"
  filters=()
  # cppcheck matches filters against paths relative to the working directory.
  for f in "${files[@]}"; do filters+=("--file-filter=*${f#"$ROOT"/}"); done
  (cd "$ROOT" && cppcheck --project="$build/compile_commands.json" "${filters[@]}" -j "$jobs" -q \
    --std=c++20 --enable=warning,style,performance,portability --inline-suppr \
    --suppressions-list="$ROOT/scripts/cppcheck-suppressions.txt" \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' 2> "$out/cppcheck-raw.txt" >/dev/null) || true
  grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$out/cppcheck-raw.txt" | in_folders > "$out/cppcheck.txt" || true
  n="$(wc -l < "$out/cppcheck.txt")"
  sed -E 's/.*\[([^]]+)\]$/\1/' "$out/cppcheck.txt" | sort | uniq -c | sort -rn > "$out/cppcheck-counts.txt"
  say "cppcheck: $n findings"
  cat "$out/cppcheck-counts.txt" >&2
  [ "$n" -eq 0 ] || status=1
fi

[ $status -eq 0 ] && say "lint clean: ${folders[*]}" || say "lint findings in ${folders[*]}: see $out"
exit $status
