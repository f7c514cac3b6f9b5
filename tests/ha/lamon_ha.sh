# A lamon cluster under the Pacemaker pair of cluster.sh, shared by
# tests/ha/t_pacemaker.sh and bench/ha_takeover.sh.  Source after
# tests/lib/{tap,snmpd}.sh, tests/controller/ctl_lib.sh, tests/vm/vm.sh and
# tests/ha/cluster.sh, call lamon_test_init, then:
#
#   lamon_ha_check_host     root and every program there? ($LAMON_HA_WHY if not)
#   lamon_ha_setup          bridge; agents node1-5 on $HA_NET.1-5 (snmpd on the
#                           bridge, so the Pacemaker nodes reach them); the
#                           director VM, its SNMP forwarded from $HA_HOST_IP;
#                           the two Pacemaker nodes; the resource $RSC
#                           (ocf:lamon:controller); sets ACTIVE, the node it runs on
#   ctl_log N               the controller's log file of Pacemaker node N, seen from the host
#   first_cycle_lines N     how many "first poll cycle complete:" lines it holds
#   ha_lamonctl N ARGS...   lamonctl on node N, against that node's control socket
#   ipvs_dests / ipvs_table the director's real servers / its table (ipvsadm -Sn)
#   agent_roles             every agent's role/service
LAMON_HA_AGENTS="1 2 3 4 5"
RSC=lamon
# The same configuration on both nodes; every path in it is private to the
# node that runs the controller (/run is a tmpfs per node, /var/log a
# directory per node).
HA_CTL_SOCK=/run/lamon/controller.sock
HA_CTL_LOG=/var/log/lamon/controller.log

lamon_ha_check_host() {
    local p
    if [ "$(id -u)" != 0 ]; then LAMON_HA_WHY="needs root (namespaces, a bridge, mounts)"; return 1; fi
    for p in corosync pacemakerd crm crm_mon crm_resource unshare nsenter qemu-system-x86_64 ip bc setpriv; do
        command -v "$p" >/dev/null || { LAMON_HA_WHY="no $p (scripts/install-deps.sh)"; return 1; }
    done
    [ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] && [ -x "$LAMONCTL_BIN" ] ||
        { LAMON_HA_WHY="build lamon-controller, lamonctl and lamon-agent first"; return 1; }
    [ -x "$HA_OCF_LAMON" ] || { LAMON_HA_WHY="no OCF agent $HA_OCF_LAMON"; return 1; }
    getent passwd lamon >/dev/null || { LAMON_HA_WHY="no user lamon (the controller runs as lamon)"; return 1; }
}

# The agents answer the Pacemaker nodes' addresses too.
node_snmpd_extra() { echo "rocommunity public $HA_NET.0/24"; }

lamon_ha_setup() {
    local n
    ha_net_up || return 1
    NODE_NET=$HA_NET
    for n in $LAMON_HA_AGENTS; do
        ha_host_addr "$HA_NET.$n" && start_node "$n" || { echo "# agent node$n did not start" >&2; return 1; }
    done
    VM_SNMP_HOST=$HA_HOST_IP
    vm_start "cache_ms 200" ||
        { echo "# the director VM did not start" >&2; return 1; }
    HA_CTL_CONF=$HA_DIR/lamon-controller.conf
    {
        echo "interval 1000"
        echo "timeout 800"
        echo "rise 2"
        echo "fall 3"
        echo "control $HA_CTL_SOCK"
        echo "logfile $HA_CTL_LOG"
        echo "rrddir /run/lamon/rrd"
        echo "v3user $V3_USER sha $V3_AUTH aes $V3_PRIV"
        for n in $LAMON_HA_AGENTS; do echo "node node$n $HA_NET.$n:$NODE_PORT"; done
        echo "director lvs1 $HA_HOST_IP:$VM_SNMP_PORT"
        echo "service www tcp 10.0.0.1:80 nodes 3 sched rr fwd route app web director lvs1"
    } >"$HA_CTL_CONF"
    # The controller runs as lamon (the agent's default user): it reads the
    # file, as root:lamon 0640 on a real node.
    chmod 711 "$HA_DIR" && chown root:lamon "$HA_CTL_CONF" && chmod 640 "$HA_CTL_CONF"
    reachable_bins lamon "$HA_DIR" || { echo "# cannot give lamon programs it can run" >&2; return 1; }
    # What the package's tmpfiles would make on a real node, at each boot.
    HA_BOOT_SCRIPT=$HA_DIR/boot
    printf '#!/bin/sh\ninstall -d -o lamon -g lamon /run/lamon /run/lamon/rrd /var/log/lamon\n' >"$HA_BOOT_SCRIPT"
    chmod 755 "$HA_BOOT_SCRIPT"
    ha_start || return 1
    ha_crm 1 configure primitive "$RSC" ocf:lamon:controller \
        params config="$HA_CTL_CONF" socket="$HA_CTL_SOCK" binary="$CTL_BIN" lamonctl="$LAMONCTL_BIN" \
        op start timeout=30s op stop timeout=30s op monitor interval=5s timeout=20s ||
        { echo "# cannot configure $RSC" >&2; return 1; }
    local i=0
    ACTIVE=
    while [ -z "$ACTIVE" ]; do
        for n in 1 2; do [ "$(ha_locate 1 "$RSC")" = "$(ha_name $n)" ] && ACTIVE=$n; done
        i=$((i + 1)); [ $i -ge 150 ] && { ha_node_exec 1 crm_mon -1 >&2; return 1; }
        sleep 0.2
    done
    wait_for 30 first_cycle_seen "$ACTIVE"
}

ctl_log() { echo "$HA_DIR/node$1/var-log${HA_CTL_LOG#/var/log}"; }
first_cycle_lines() {
    local f; f=$(ctl_log "$1")
    if [ -f "$f" ]; then grep -c 'first poll cycle complete:' "$f"; else echo 0; fi
}
first_cycle_seen() { [ "$(first_cycle_lines "$1")" -gt 0 ]; }
ha_lamonctl() { local n=$1; shift; ha_node_exec "$n" "$LAMONCTL_BIN" -s "$HA_CTL_SOCK" "$@"; }
ctl_cycles_at_least() {
    local c
    c=$(ha_lamonctl "$1" --json stats 2>/dev/null | sed -n 's/.*"cycles": *\([0-9]*\).*/\1/p')
    [ "${c:-0}" -ge "$2" ]
}
servers_up() {
    [ "$(ha_lamonctl "$ACTIVE" status 2>/dev/null | awk 'NR > 1 && $2 == "server" && $4 == "up"' | wc -l)" = "$1" ]
}

ipvs_dests() {
    vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk -v net="$HA_NET." '$1 == "->" && index($2, net) == 1 {print $2}' |
        sort | tr '\n' ' '
}
ipvs_table() { vm_exec ipvsadm -Sn 2>/dev/null | sort; }
agent_roles() {
    local n
    for n in $LAMON_HA_AGENTS; do printf 'node%s=%s/%s ' "$n" "$(nodeget "$n" lamonNodeRole.0)" "$(nodeget "$n" lamonNodeService.0)"; done
}
first_server() {
    local n
    for n in $LAMON_HA_AGENTS; do [ "$(nodeget "$n" lamonNodeRole.0)" = 2 ] && { echo "$n"; return; }; done
}
