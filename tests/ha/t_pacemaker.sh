#!/usr/bin/env bash
# The controller as a Pacemaker resource, all of it real: a two-node
# Corosync/Pacemaker cluster (tests/ha/cluster.sh: namespaces on this host),
# ocf:lamon:controller (ha/ocf/controller) running the built controller,
# five real agents (snmpd + lamon-agent) and the real IPVS director in the
# qemu VM.  The active controller's node is killed (every process at once);
# the controller must come up on the other node, adopt the cluster as it is
# (the IPVS table and the agents' roles unchanged, zero SETs), and still
# replace a server node killed afterwards with a spare.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/../controller/ctl_lib.sh"
. "$(dirname "$0")/../vm/vm.sh"
. "$(dirname "$0")/cluster.sh"
. "$(dirname "$0")/lamon_ha.sh"
lamon_test_init
trap 'ha_stop; vm_stop; lamon_test_cleanup' EXIT
# Killed (a CI timeout, ^C): still take the nodes, the bridge and the VM down.
trap 'exit 1' INT TERM
lamon_ha_check_host || bail "$LAMON_HA_WHY"

lamon_ha_setup || bail "the cluster did not come up"
ok "two Pacemaker nodes online, 5 agents, the director VM; $RSC started on $(ha_name "$ACTIVE")"

full_table() { [ "$(ipvs_dests | wc -w)" = 3 ]; }
if wait_for 90 full_table; then
    ok "the controller on $(ha_name "$ACTIVE") filled IPVS with 3 destinations: $(ipvs_dests)"
else
    fail "IPVS destinations: '$(ipvs_dests)'"; tail -n 20 "$(ctl_log "$ACTIVE")" | sed 's/^/# /'
    bail "no initial assignment"
fi
wait_for 60 servers_up 3 || fail "servers not all up: $(ha_lamonctl "$ACTIVE" status)"
like "$(grep 'first poll cycle complete:' "$(ctl_log "$ACTIVE")")" \
    '^[^ ]+ first poll cycle complete: 5 of 5 nodes answered, 1 of 1 directors walked' \
    "the active controller logged its first complete poll cycle"
table_before=$(ipvs_table)
roles_before=$(agent_roles)
diag "IPVS before: $(echo "$table_before" | tr '\n' ';')"
diag "roles before: $roles_before"

# Kill the active node: corosync, pacemaker and the controller die at once.
SURVIVOR=$((3 - ACTIVE))
before=$(first_cycle_lines "$SURVIVOR")
t_kill=$(date +%s.%N)
ha_kill_node "$ACTIVE"
new_first_cycle() { [ "$(first_cycle_lines "$SURVIVOR")" -gt "$before" ]; }
if wait_for 60 new_first_cycle; then
    t_up=$(date +%s.%N)
    ok "a controller started on $(ha_name "$SURVIVOR") and completed a poll cycle"
    diag "takeover: $(echo "$t_up - $t_kill" | bc) s from the kill to the new controller's first complete poll cycle"
else
    fail "no controller on $(ha_name "$SURVIVOR") after the kill"
    ha_node_exec "$SURVIVOR" crm_mon -1 2>&1 | sed 's/^/# /'
fi
is "$(ha_locate "$SURVIVOR" "$RSC")" "$(ha_name "$SURVIVOR")" "crm_resource --locate: $RSC runs on the survivor"
is "$(ha_node_exec "$SURVIVOR" ps -C lamon-controller -o user= | tr -d ' ')" lamon \
    "ocf:lamon:controller runs it there as the user lamon"
like "$(ha_node_exec "$SURVIVOR" crm_mon -1 2>&1)" "OFFLINE: \[ $(ha_name "$ACTIVE") \]" \
    "crm_mon on the survivor shows the killed node offline"
like "$(grep 'first poll cycle complete:' "$(ctl_log "$SURVIVOR")" | tail -n 1)" \
    'first poll cycle complete: 5 of 5 nodes answered, 1 of 1 directors walked' \
    "the new controller's first cycle saw every node and the director"

# Zero changes: let it run past rise (2) and a few decisions.
wait_for 30 ctl_cycles_at_least "$SURVIVOR" 6 || diag "stats: $(ha_lamonctl "$SURVIVOR" --json stats)"
stats=$(ha_lamonctl "$SURVIVOR" --json stats)
like "$stats" '"sets": 0[,}]' "the new controller made zero SETs (lamonctl --json stats)"
is "$(ipvs_table)" "$table_before" "the director's IPVS table (services, real servers, weights) is unchanged"
is "$(agent_roles)" "$roles_before" "every agent's role and service are unchanged"
unlike "$(cat "$(ctl_log "$SURVIVOR")")" 'promote|remove |demote|assign ' \
    "the new controller's log has no promotion, removal or assignment"

# A server node dies afterwards: the new controller replaces it with a spare.
k=$(first_server)
stop_node "$k"
replaced() { local d; d=$(ipvs_dests); [[ " $d " != *" $NODE_NET.$k:80 "* ]] && [ "$(echo $d | wc -w)" = 3 ]; }
if wait_for 90 replaced; then
    ok "node$k (a server) killed: gone from IPVS in the VM, 3 destinations again: $(ipvs_dests)"
else
    fail "after node$k died IPVS has: '$(ipvs_dests)'"; tail -n 20 "$(ctl_log "$SURVIVOR")" | sed 's/^/# /'
fi
like "$(cat "$(ctl_log "$SURVIVOR")")" "promote spare node[0-9] to service www" \
    "the new controller's log gives the promotion"
p=$(sed -n 's/.*promote spare node\([0-9]\) to service www.*/\1/p' "$(ctl_log "$SURVIVOR")" | tail -n 1)
is "$(nodeget "${p:-0}" lamonNodeRole.0)" 2 "the promoted node's agent says role server"
done_testing
