#!/usr/bin/env bash
# The systemd units in docs/systemd/ keep their sandboxing: each one's
# exposure as scored by systemd-analyze security --offline=true stays at or
# below its goal, systemd reads every line of it without a complaint, and the
# controller runs as lamon with no capability at all.  Debian's keepalived,
# ldirectord and snmpd units score 9.6; so did ours before issue 11.
. "$(dirname "$0")/../lib/tap.sh"
ROOT=${LAMON_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${LAMON_BUILD:-$ROOT/build}
D=$(mktemp -d /tmp/lamon-units.XXXXXX)
trap 'rm -rf "$D"' EXIT
# ASCII marks: "+" passed, "-" failed, "->" the overall line.
export LC_ALL=C

# Goals, in tenths (systemd-analyze prints one decimal): issue 11.  A unit
# added to docs/systemd/ without a goal here fails.
declare -A GOAL=([lamon-controller.service]=20 [lamon-agent.service]=50)

if ! command -v systemd-analyze >/dev/null; then
    fail "systemd-analyze is installed (make deps: package systemd)"
    done_testing
    exit 0
fi

# Substituted as make install does (Makefile: sed 's|@SBINDIR@|...|'), but
# pointing at the built binaries, which verify wants to find executable.
units=("$ROOT"/docs/systemd/*.service)
[ ${#units[@]} -ge 2 ] && ok "docs/systemd holds the units (${#units[@]})" || fail "docs/systemd holds the units"
for u in "${units[@]}"; do
    sed "s|@SBINDIR@|$BUILD|g" "$u" >"$D/$(basename "$u")"
done

for u in "${units[@]}"; do
    name=$(basename "$u")
    f=$D/$name
    unlike "$(cat "$f")" '@[A-Z]+@' "$name: no placeholder left that make install does not fill"

    goal=${GOAL[$name]:-}
    if [ -z "$goal" ]; then
        fail "$name has an exposure goal in $(basename "$0")"
        continue
    fi
    out=$(cd "$D" && systemd-analyze security --offline=true "$name" 2>&1)
    line=$(printf '%s\n' "$out" | grep 'Overall exposure level')
    diag "$line"
    score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\)\.\([0-9]\) .*/\1\2/p')
    if [ -n "$score" ] && [ "$((10#$score))" -le "$goal" ]; then
        ok "$name: exposure ${score%?}.${score: -1} is at most $((goal / 10)).$((goal % 10))"
    else
        fail "$name: exposure '${line:-none}' is at most $((goal / 10)).$((goal % 10))"
    fi
    # security reads the file itself: a misspelt key would be dropped silently
    # from the score, but systemd warns about it here.
    unlike "$(printf '%s\n' "$out" | grep -v -E '^(  NAME|[-+ ] |-> |$)')" '.' \
           "$name: systemd-analyze security has no complaint about a line"

    # verify prints problems (unknown keys, bad values, missing binaries) as
    # warnings and still exits 0, so any output is a failure.
    vout=$(cd "$D" && systemd-analyze verify --man=no "$f" 2>&1)
    vrc=$?
    if [ "$vrc" -eq 0 ] && [ -z "$vout" ]; then
        ok "$name: systemd-analyze verify is silent"
    else
        fail "$name: systemd-analyze verify is silent"
        diag "exit $vrc: $vout"
    fi
done

# The controller: as lamon, nothing in its bounding set, nothing ambient.
c=$D/lamon-controller.service
is "$(sed -n 's/^User=//p' "$c")" lamon "the controller runs as user lamon"
is "$(grep -c '^CapabilityBoundingSet=$' "$c")/$(grep -c '^CapabilityBoundingSet=.' "$c")" "1/0" \
   "the controller's capability bounding set is empty"
is "$(cd "$D" && systemd-analyze security --offline=true lamon-controller.service 2>&1 |
      grep -c '^- CapabilityBoundingSet')" 0 "systemd-analyze finds no capability in the controller's unit"
done_testing
