#!/usr/bin/env bash
# Builds the libFuzzer targets (the "fuzz" preset: clang-14, ASan + UBSan) and runs each for a
# bounded time, one after the other, on a copy of its seed corpus (tests/fuzz/corpus/<target>),
# so the repository stays clean, after replaying its tests/fuzz/regressions/<target>/ inputs. Exits non-zero when a target crashes, leaks, times out or
# does not build; the failing input is kept under build/fuzz/artifacts/<target>/.
#
#   tools/fuzz.sh                       # every target, FUZZ_SECONDS (default 20) each
#   FUZZ_SECONDS=600 tools/fuzz.sh fuzz_redact fuzz_site_url
#   FUZZ_RUNS=10000000 FUZZ_SECONDS=0 tools/fuzz.sh fuzz_redact   # until 10 M executions
#
# Settings (environment): FUZZ_SECONDS per target (0: no time bound); FUZZ_RUNS, a bound on
# executions (default none); FUZZ_MAX_LEN, the longest input libFuzzer
# makes (default: its own, max(4096, largest seed)); FUZZ_TIMEOUT, seconds one input may take
# before it counts as a hang (default 10; raise it for long runs on a busy machine, where a
# starved process is not a hung one); FUZZ_KEEP_CORPUS=1 copies what the run
# found back into tests/fuzz/corpus (to grow the seeds; review before committing).
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${FUZZ_SECONDS:-20}"
BIN_DIR=build/fuzz/tests/fuzz
ARTIFACTS=build/fuzz/artifacts
ALL_TARGETS=(fuzz_request_head fuzz_json_body fuzz_workflow_input fuzz_build_output
             fuzz_site_url fuzz_autofix_reply fuzz_redact)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")

if ! command -v clang++-14 >/dev/null; then
  echo "fuzz.sh: clang++-14 is missing (apt-get install clang-14 libclang-rt-14-dev llvm-14)" >&2
  exit 2
fi
cmake --preset fuzz >/dev/null || exit 2
cmake --build --preset fuzz || exit 2

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failed=()
printf '%-22s %12s %10s %8s %s\n' target execs "execs/s" seconds result
for t in "${TARGETS[@]}"; do
  if [ ! -x "$BIN_DIR/$t" ]; then echo "fuzz.sh: no target $t" >&2; failed+=("$t"); continue; fi
  mkdir -p "$WORK/$t/corpus" "$ARTIFACTS/$t"
  # Long inputs that once crashed the target run once each first; they stay out of the corpus
  # because a 40 KB seed raises libFuzzer's input size limit and slows the target 20-fold.
  regressions=(tests/fuzz/regressions/"$t"/*)
  if [ -e "${regressions[0]}" ] && ! "$BIN_DIR/$t" "${regressions[@]}" >"$WORK/$t/log" 2>&1; then
    cp "$WORK/$t/log" "$ARTIFACTS/$t/log"
    grep -m1 -E 'ERROR: (libFuzzer|AddressSanitizer)|runtime error' "$WORK/$t/log" >&2
    printf '%-22s %12s %10s %8s %s\n' "$t" - - - "FAILED (tests/fuzz/regressions/$t)"
    failed+=("$t")
    continue
  fi
  cp -R "tests/fuzz/corpus/$t/." "$WORK/$t/corpus/" 2>/dev/null
  args=(-max_total_time="$SECONDS_EACH" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$ARTIFACTS/$t/")
  [ -n "${FUZZ_MAX_LEN:-}" ] && args+=(-max_len="$FUZZ_MAX_LEN")
  [ -n "${FUZZ_RUNS:-}" ] && args+=(-runs="$FUZZ_RUNS")
  start=$(date +%s)
  "$BIN_DIR/$t" "${args[@]}" "$WORK/$t/corpus" >"$WORK/$t/log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$t/log" | tail -1)
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc)"
    failed+=("$t")
    cp "$WORK/$t/log" "$ARTIFACTS/$t/log"
    grep -m1 -E 'ERROR: (libFuzzer|AddressSanitizer)|runtime error' "$WORK/$t/log" >&2
    echo "  input and log: $ARTIFACTS/$t/" >&2
  fi
  printf '%-22s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$elapsed" "$result"
  if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
    "$BIN_DIR/$t" -merge=1 "tests/fuzz/corpus/$t" "$WORK/$t/corpus" >/dev/null 2>&1
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
