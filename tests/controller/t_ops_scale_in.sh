#!/usr/bin/env bash
# lamonctl reboot of a node that the controller is draining for scale-in,
# against four real agents behind real snmpd.  The node was leaving its
# service anyway: the reboot takes the drain over, the drain ends (in
# maintenance, so that the node is never promoted while it goes down), the
# node leaves the service, reboots, and comes back as a spare; lamonctl says
# so, and the service stays at its scaled-in strength.
#
# The scale-in: nodes 1-3 are servers of www on their agents before the
# controller starts (as after a controller restart in a scaled-out service:
# it adopts 3 nodes, max 3); no connections, so the mean (0) is below low 1
# and the controller drains one member for scale-in.  The director does not
# answer, so that drain lasts drain_timeout: time for the reboot to arrive.
# reboot_cmd is a harmless argv (touch a marker file).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
DRAIN_TIMEOUT=8

node_agent_extra() {   # N DIR
    printf '%s\n' "reboot_cmd /usr/bin/touch $2/rebooted" "shutdown_cmd /usr/bin/touch $2/shut-down"
}
nodeset() {   # N OBJECT TYPE VALUE: a v3 authPriv SET on node N
    snmpset -v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" -r1 -t2 -Oqv \
        "127.0.1.$1:$NODE_PORT" "LAMON-MIB::$2" "$3" "$4" >/dev/null
}
for n in 1 2 3 4; do start_node $n || bail "node $n did not start"; done
for n in 1 2 3; do
    nodeset $n lamonNodeRole.0 i 2 && nodeset $n lamonNodeService.0 s www || bail "cannot make node$n a server"
    touch "$T/node$n/web.up"
done
DIRPORT=$(free_udp_port)     # nobody answers there: the drain waits for drain_timeout
write_ctl_conf "$T/ctl.conf" "1 2 3 4" \
    "drain_timeout $DRAIN_TIMEOUT" \
    "scale_polls 2" \
    "director lvs1 127.0.0.1:$DIRPORT" \
    "service www tcp 10.0.0.1:80 nodes 2 min 2 max 3 app web load conns high 4 low 1 director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

ctl_log() { lamonctl log; }
show_log() { ctl_log | tail -${1:-30} | sed 's/^/# /'; }
# log_order PAT...: the patterns appear in the event log in this order.
log_order() {
    ctl_log | PATS="$(printf '%s\n' "$@")" awk '
        BEGIN { n = split(ENVIRON["PATS"], p, "\n"); i = 1 }
        i <= n && $0 ~ p[i] { i++ }
        END { exit !(i > n) }'
}
role_state_is() { [ "$(nodeget $1 lamonNodeRole.0) $(nodeget $1 lamonNodeState.0)" = "$2" ]; }

scaling_in() { ctl_log | grep -q "drain node[0-9] for scale-in"; }
if wait_for 60 scaling_in; then
    ok "mean connections 0 below low 1: the controller drains a member for scale-in"
else
    show_log; bail "no scale-in"
fi
d=$(ctl_log | sed -n 's/.*drain node\([0-9]\) for scale-in.*/\1/p' | head -1)
diag "node$d is drained for scale-in"
check "node$d's agent records the scale-in drain (role spare(3), state draining(3))" wait_for 10 role_state_is $d "3 3"

# --- the operator reboots it while it drains
out=$(lamonctl reboot node$d 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# lamonctl: /'
is "$rc" 0 "reboot of node$d in a scale-in drain: exit 0"
like "$out" "node$d: was being drained for scale-in; reboot takes over the drain" "lamonctl says the reboot took the drain over"
like "$out" "node$d: drained, leaving service www" "progress: drained, leaving the service"
unlike "$out" "undone" "the drain is not reported undone"
like "$(printf '%s' "$out" | grep "^node$d: reboot done" | tail -n1)" \
    "^node$d: reboot done, exit 0; it left service www by the scale-in drain and comes back as a spare$" \
    "the final line: done, and why the node comes back as a spare"
check "reboot_cmd ran on node$d (marker)" test -e "$T/node$d/rebooted"
if log_order "drain node$d for scale-in" \
        "node node$d was being drained for scale-in of www; the reboot takes over the drain \(job [0-9]+\)" \
        "node node$d drained \(drain timeout ${DRAIN_TIMEOUT}s.*\): maintenance for job [0-9]+, which took over its scale-in drain" \
        "node node$d: left service www for the reboot" \
        "node node$d: reboot accepted as operation [0-9]+" \
        "node node$d: reboot done, exit 0"; then
    ok "event log order: scale-in drain, taken over, drained to maintenance, left the service, reboot accepted, done"
else
    fail "event log order"; show_log
fi
unlike "$(ctl_log)" "node node$d drained .*: back to the spares" "the drain did not end in the spares (where it could be promoted)"
unlike "$(ctl_log)" "promote spare node$d" "node$d was not promoted while it went down"
is "$(nodeget $d lamonNodeRole.0):$(nodeget $d lamonNodeService.0 | tr -d '"')" "3:" "node$d left the service: a spare on its agent"
is "$(nodeget $d lamonNodeState.0)" 5 "the agent shows node$d stopping(5)"
is "$(lamonctl status | awk 'NR > 1 && $2 == "server"' | wc -l | tr -d ' ')" 2 "the service stays scaled in: 2 servers"

# --- its "boot": the agent starts again, a running spare
a=$(eval "echo \$NODE_AGENT_$d"); kill "$a"; wait "$a" 2>/dev/null
"$AGENT_BIN" -f -x "$T/node$d/agentx.sock" -c "$T/node$d/agent.conf" >>"$T/node$d/agent.log" 2>&1 &
LAMON_PIDS="$LAMON_PIDS $!"
wait_for 10 node_registered "$d"
is "$(nodeget $d lamonNodeRole.0):$(nodeget $d lamonNodeState.0)" "3:2" "after its boot node$d is a running(2) spare(3)"
check "lamonctl shows node$d as an up spare" wait_for 10 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | awk '\$1==\"node$d\" && \$2==\"spare\" && \$4==\"up\"' | grep -q ."

kill "$CTL_PID"; wait "$CTL_PID"; rc=$?
is "$rc" 0 "the controller stops cleanly on SIGTERM"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "no sanitizer report from the controller"
done_testing
