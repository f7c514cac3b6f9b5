#!/usr/bin/env bash
# Runs every libFuzzer target in $FUZZ_BUILD/fuzz for $FUZZ_SECONDS on a
# scratch copy of its saved corpus (fuzz/corpus/NAME), never writing to the
# saved one unless FUZZ_MERGE=1.  Prints one line per target with its
# executions, executions per second, coverage (edges) and corpus size, and
# exits non-zero at the first target that crashes, leaks or times out; the
# crashing input is kept in $FUZZ_BUILD/fuzz/artifacts/.
#
#   FUZZ_TARGETS="agent_validate ctl_config"   run only these
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
case $FUZZ_BUILD in /*) ;; *) FUZZ_BUILD=$ROOT/$FUZZ_BUILD ;; esac
SECONDS_EACH=${FUZZ_SECONDS:-20}
BIN=$FUZZ_BUILD/fuzz
ART=$BIN/artifacts
mkdir -p "$ART"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

targets=${FUZZ_TARGETS:-$(cd "$ROOT/fuzz" && ls *.c | sed 's/\.c$//')}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
for t in $targets; do
    exe=$BIN/$t
    [ -x "$exe" ] || { echo "fuzz: $t: $exe not built" >&2; exit 1; }
    saved=$ROOT/fuzz/corpus/$t
    mkdir -p "$saved" "$scratch/$t"
    cp -a "$saved/." "$scratch/$t/" 2>/dev/null || true
    opts=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
          -artifact_prefix="$ART/$t-" -close_fd_mask=3)
    [ -f "$ROOT/fuzz/$t.dict" ] && opts+=(-dict="$ROOT/fuzz/$t.dict")
    log=$scratch/$t.log
    echo "fuzz: $t for ${SECONDS_EACH}s on $(ls "$saved" | wc -l) saved inputs" >&2
    if ! (cd "$scratch" && "$exe" "${opts[@]}" "$scratch/$t") >"$log" 2>&1; then
        echo "fuzz: $t FAILED; input and log in $ART" >&2
        cp "$log" "$ART/$t.log"
        grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|Test unit written' "$log" | head -n 30 >&2
        failed=1
        break
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
    printf 'fuzz: %-22s %10s execs %7s/s  cov %5s edges  corpus %s\n' \
        "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$(ls "$scratch/$t" | wc -l)"
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        (cd "$scratch" && "$exe" -merge=1 -close_fd_mask=3 "$saved" "$scratch/$t") >/dev/null 2>&1
        echo "fuzz: $t: saved corpus now $(ls "$saved" | wc -l) inputs" >&2
    fi
done
exit $failed
