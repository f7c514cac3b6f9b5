# TAP helpers for test scripts.  Source it, call the checks, end with done_testing.
# Every check prints exactly one "ok N" or "not ok N" line.
_tap_n=0
_tap_failed=0

ok()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
diag() { echo "# $*"; }

# check DESC CMD...: passes when CMD exits 0; its output is shown on failure.
check() {
    local desc=$1 out; shift
    if out=$("$@" 2>&1); then ok "$desc"; else fail "$desc"; printf '%s\n' "$out" | sed 's/^/#   /' | head -n 30; fi
}
# check_fails DESC CMD...: passes when CMD exits non-zero.
check_fails() {
    local desc=$1 out; shift
    if out=$("$@" 2>&1); then fail "$desc (command succeeded)"; printf '%s\n' "$out" | sed 's/^/#   /' | head -n 30; else ok "$desc"; fi
}
# is GOT EXPECTED DESC
is() {
    if [ "$1" = "$2" ]; then ok "$3"; else fail "$3"; diag "  got:      '$1'"; diag "  expected: '$2'"; fi
}
# like GOT REGEX DESC (extended regex)
like() {
    if printf '%s' "$1" | grep -Eq -- "$2"; then ok "$3"; else fail "$3"; diag "  got:      '$1'"; diag "  expected to match: /$2/"; fi
}
# unlike GOT REGEX DESC
unlike() {
    if printf '%s' "$1" | grep -Eq -- "$2"; then fail "$3"; diag "  got:      '$1'"; diag "  expected not to match: /$2/"; else ok "$3"; fi
}
# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds; returns 1 on timeout.
wait_for() {
    local limit=$1 i=0; shift
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -ge $((limit * 10)) ] && return 1; sleep 0.1
    done
}
done_testing() {
    echo "1..$_tap_n"
    [ "$_tap_failed" -eq 0 ]
}
# bail DESC: a setup step failed; report it and stop the script.
bail() { fail "$*"; done_testing; exit 1; }
