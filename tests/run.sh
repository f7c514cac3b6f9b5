#!/usr/bin/env bash
# Runs every test and prints the closing "N passed, N failed" line.
#
# Tests are TAP producers: cmocka unit binaries in build/tests/unit/ and
# scripts tests/<area>/t_*.sh.  Each "ok" line is a pass, each "not ok" a
# failure (a "# SKIP" directive counts as skipped).  A program that exits
# non-zero, or prints no TAP line at all, adds one failure: a test that
# cannot run must not pass silently.
#
#   TESTS="agent control"  run only these areas (default: all); an area may
#                          be one script, e.g. "controller/t_http_api"
#   VERBOSE=1              stream each test's output
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
export LAMON_ROOT=$ROOT LAMON_BUILD=$BUILD
# For SANITIZE=1 builds: report leaks (but not Net-SNMP's own), abort on UB.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

AREAS=${TESTS:-"unit style mib install agent control vm controller ha dashboards"}
passed=0 failed=0 skipped=0
failed_names=()

run_one() {  # name, log, command...
    local name=$1 log=$2; shift 2
    local start=$SECONDS rc
    echo "### $name" >&2
    if [ "${VERBOSE:-0}" = 1 ]; then
        "$@" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
    else
        "$@" >"$log" 2>&1; rc=$?
    fi
    local p f s
    p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# [Ss][Kk][Ii][Pp]')
    s=$(grep -E '^ok [0-9]+' "$log" | grep -c '# [Ss][Kk][Ii][Pp]')
    f=$(grep -cE '^not ok [0-9]+' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited with status $rc" >>"$log"; f=1
    fi
    if [ $((p + f + s)) -eq 0 ]; then
        echo "not ok - $name ran no test" >>"$log"; f=1
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    printf '%-44s %3d passed %3d failed %3d skipped  (%ds)\n' "$name" "$p" "$f" "$s" $((SECONDS - start))
    if [ "$f" -gt 0 ]; then
        failed_names+=("$name")
        echo "----- $name: failures (log $log) -----"
        grep -E -B2 -A8 '^not ok' "$log" | head -n 80
        echo "----- last lines -----"
        tail -n 25 "$log"
        echo "-----"
    fi
}

for area in $AREAS; do
    if [ "$area" = unit ]; then
        for t in "$BUILD"/tests/unit/*; do
            [ -x "$t" ] || continue
            run_one "unit/$(basename "$t")" "$LOGDIR/unit_$(basename "$t").log" \
                env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
        done
        continue
    fi
    if [[ $area == */* ]]; then
        t=$ROOT/tests/$area.sh
        [ -f "$t" ] || { run_one "$area" "$LOGDIR/missing.log" echo "not ok 1 - there is no test $t"; continue; }
        run_one "$area" "$LOGDIR/${area//\//_}.log" bash "$t"
        continue
    fi
    for t in "$ROOT"/tests/"$area"/t_*.sh; do
        [ -f "$t" ] || continue
        run_one "$area/$(basename "$t" .sh)" "$LOGDIR/${area}_$(basename "$t" .sh).log" bash "$t"
    done
done

if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
