#!/usr/bin/env bash
# bench/failover_time.sh cleans up on every exit path.  A director VM that
# fails to start (here: too little memory for the guest kernel) used to
# leave the network namespaces and the bridge behind (the next run then
# refused: "lamfb0 exists"); a checkout without `make deps` must be named at
# once instead of failing half-way.
. "$(dirname "$0")/../lib/tap.sh"
ROOT=${LAMON_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BENCH=$ROOT/bench/failover_time.sh
leftovers() {
    { ip -br link show lamfb0 2>/dev/null | awk '{print $1}'
      ip netns list 2>/dev/null | awk '$1 ~ /^lamfb[0-9]/ {print $1}'
      pgrep -f "qemu-system.*lamon.root=$ROOT" >/dev/null && echo qemu; } | tr '\n' ' '
}
[ -z "$(leftovers)" ] || { echo "1..0 # SKIP a failover bench is running ($(leftovers))"; exit 0; }

out=$(VM_MEM=24 timeout 300 bash "$BENCH" 1 2>&1); rc=$?
isnt() { [ "$1" != "$2" ]; }
check "the bench fails when the director VM cannot start (exit $rc)" isnt "$rc" 0
like "$out" "director VM did not start" "and says why"
is "$(leftovers)" "" "no bridge, network namespace or qemu is left behind"

# A checkout without .deps (make deps never ran): refused before anything starts.
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
cp -a "$ROOT/bench" "$ROOT/tests" "$fake/"
ln -s "$LAMON_BUILD" "$fake/build" 2>/dev/null || ln -s "$ROOT/build" "$fake/build"
start=$SECONDS
out=$(LAMON_BUILD="$fake/build" timeout 120 bash "$fake/bench/failover_time.sh" 1 2>&1); rc=$?
check "without .deps the bench fails (exit $rc)" isnt "$rc" 0
like "$out" "\.deps.*make deps" "and names the missing .deps and the command that makes it"
unlike "$out" "director VM|network namespace setup" "before it sets up anything"
is "$(leftovers)" "" "nothing is left behind"
done_testing
