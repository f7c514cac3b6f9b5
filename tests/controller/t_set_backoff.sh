#!/usr/bin/env bash
# A controller whose SETs all fail: its write user's passphrases are wrong,
# so the configuration loads, the polls (v2c) work, and every SET comes
# back as a USM authentication failure.  The failing decisions back off
# (bounded attempts per node for the cycles run), each failure is logged
# with its error, the service is never said to be at strength and shows no
# member; a SIGHUP with the right passphrases fills the service.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
for n in 1 2 3; do start_node $n || bail "node $n did not start"; done
DIRPORT=$(free_udp_port)     # nobody answers there: an unreachable director
CTL_INTERVAL=500 CTL_TIMEOUT=400
conf() {
    write_ctl_conf "$T/ctl.conf" "1 2 3" \
        "director lvs1 127.0.0.1:$DIRPORT" \
        "service web tcp 10.0.0.1:80 nodes 2 app web director lvs1"
}
V3_AUTH=wrongauthpass V3_PRIV=wrongprivpass conf
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

cycles() { lamonctl stats | awk '$1 == "cycles" {print $2}'; }
# Enough cycles for several back-off steps: 1+2+4+8+16 = 31.
check "the controller ran 60 cycles" wait_for 120 sh -c "[ \"\$('$LAMONCTL_BIN' -s '$CTL_SOCK' stats | awk '\$1==\"cycles\"{print \$2}')\" -ge 60 ]"
C=$(cycles)
log=$(cat "$T/controller.log")
attempts() { grep -c "SET node node$1: role" <<<"$log"; }
failures() { grep -c "SET failed: node node$1: role" <<<"$log"; }
# Waits of 1, 2, 4 ... cycles (each attempt also waits for the poll after
# its failure): at most 1 + log2(C) + 1 attempts of one decision in C
# cycles, and a node has at most two decisions here (server, spare).
bound=$(awk -v c="$C" 'BEGIN { b = 2; while (2 ^ (b - 2) < c) b++; print 2 * b }')
total=0
for n in 1 2 3; do
    a=$(attempts $n); total=$((total + a))
    if [ "$a" -le "$bound" ]; then ok "node$n: $a write attempts in $C cycles (back-off bound $bound)"
    else fail "node$n: $a write attempts in $C cycles, more than the back-off allows ($bound)"; fi
done
if [ "$total" -ge 4 ]; then ok "failing writes are retried ($total attempts in all)"
else fail "only $total write attempts in $C cycles: the decisions are stuck, not backing off"; fi
for n in 1 2 3; do
    a=$(attempts $n) f=$(failures $n)
    # The last attempt's answer may still be on its way.
    if [ "$f" -ge $((a - 1)) ] && [ "$f" -ge 1 ] && [ "$f" -le "$a" ]; then
        ok "node$n: each failed attempt logged once ($f of $a)"
    else
        fail "node$n: $a attempts but $f failures logged"
    fi
done
like "$log" "SET failed: node node1: role server service 'web' .*: Authentication failure \(incorrect password, community or key\); next try in [0-9.]+ s \([0-9]+ failures? in a row\)" \
    "a failure names the SNMP error and the back-off"
unlike "$log" "at strength" "the log never says a service is at strength"
unlike "$(lamonctl services)" "member" "lamonctl services shows no member"
for n in 1 2 3; do
    is "$(nodeget $n lamonNodeRole.0)" 1 "node$n's agent is still unassigned (1)"
done

# The right passphrases, through a reload: the service fills.
conf
kill -HUP "$CTL_PID"
filled() {
    [ "$(lamonctl services | grep -c '^  member')" = 2 ] &&
    [ "$(for n in 1 2 3; do nodeget $n lamonNodeRole.0; done | sort | tr '\n' ' ')" = "2 2 3 " ]
}
if wait_for 30 filled; then ok "after the reload the service fills: two servers, one spare"
else fail "service after the reload: $(lamonctl services | tr '\n' '|') roles $(for n in 1 2 3; do nodeget $n lamonNodeRole.0; done | tr '\n' ' ')"; fi
like "$(cat "$T/controller.log")" "configuration reloaded" "the reload is logged"
log=$(sed -n '/configuration reloaded/,$p' "$T/controller.log")
# The third node becomes a spare with the claim that the service is at
# strength ("joins the spares", or "is back ... at strength without it"
# when a loaded machine made nodes flap), and only after two promotions.
like "$log" "at strength" "after the reload a node goes to the spares as the service is at strength"
claim=$(grep -n "at strength" <<<"$log" | head -1 | cut -d: -f1)
promoted=$(head -n "${claim:-0}" <<<"$log" | grep -o "SET node node[123]: role server" | sort -u | wc -l)
if [ -n "$claim" ] && [ "$promoted" -ge 2 ]; then
    ok "the at-strength claim follows the promotion of two nodes"
else
    fail "at-strength claim at line ${claim:-none} after $promoted promoted nodes"
fi
done_testing
