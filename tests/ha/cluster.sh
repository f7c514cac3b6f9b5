# A real two-node Pacemaker/Corosync cluster on this host, for tests and
# benchmarks (tests/ha/README.md says why namespaces and what is real).
# Source it (after tests/lib/tap.sh), then:
#
#   ha_net_up               the bridge $HA_BR with the host's $HA_HOST_IP
#                           (call before vm_start when the VM must be reached
#                           from the nodes: its forwards bind that address)
#   ha_start                both nodes (corosync + pacemakerd), waits until
#                           both are online and configures the cluster
#   ha_node_exec NODE CMD...  CMD in every namespace of NODE (1 or 2)
#   ha_crm NODE ARGS...     crm ARGS on NODE
#   ha_kill_node NODE       SIGKILL to the node's PID 1: all of it dies at once
#   ha_restart_node NODE    start a killed node again (keeps its CIB and logs)
#   ha_wait_online NODE... TIMEOUT   the nodes are online, seen from the first
#   ha_wait_resource_on NODE RSC TIMEOUT   RSC runs on NODE (seen from NODE)
#   ha_locate FROM RSC      the node name RSC runs on, seen from node FROM
#   ha_stop                 everything gone: nodes, bridge, directory
#
# Node N is named $HA_NAME_PREFIX$N (its hostname, which is its Pacemaker
# node name), has address $HA_NET.20N on eth0 (the host is $HA_NET.254, and
# $HA_NET.1-199 are free for host addresses of the test: ha_host_addr), and keeps its disk in
# $HA_DIR/nodeN: etc-corosync, etc-pacemaker, var-lib-corosync,
# var-lib-pacemaker, var-log (cluster/corosync.log, pacemaker/pacemaker.log).
# HA_OCF_LAMON: the file the nodes see as /usr/lib/ocf/resource.d/lamon/controller.
# HA_BOOT_SCRIPT: run by each node at every boot before corosync (what
# tmpfiles would make on a real node; its /run is empty at each boot).
HA_ROOT=${LAMON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HA_NAME_PREFIX=${HA_NAME_PREFIX:-lamonha}
HA_OCF_LAMON=${HA_OCF_LAMON:-$HA_ROOT/ha/ocf/controller}
HA_INIT_PIDS=()

_ha_log() { echo "# ha: $*" >&2; }

# A 10.231.X.0/24 no interface of the host uses, and a bridge name of our own.
_ha_pick_net() {
    local x
    for _ in $(seq 1 50); do
        x=$((RANDOM % 250 + 1))
        ip -4 -o addr show | grep -q " 10\.231\.$x\." || { echo "10.231.$x"; return 0; }
    done
    return 1
}

ha_net_up() {
    [ -n "${HA_BR:-}" ] && return 0
    HA_DIR=${HA_DIR:-$(mktemp -d /tmp/lamon-ha.XXXXXX)}
    HA_NET=$(_ha_pick_net) || { _ha_log "no free 10.231.X.0/24"; return 1; }
    HA_BR=lmha${HA_NET##*.}
    HA_HOST_IP=$HA_NET.254
    export HA_DIR HA_NET HA_BR HA_HOST_IP
    ip link add "$HA_BR" type bridge || { HA_BR=; return 1; }
    ip addr add "$HA_HOST_IP/24" dev "$HA_BR" && ip link set "$HA_BR" up
}

# ha_host_addr ADDRESS: one more host address on the bridge (agents listen there).
ha_host_addr() { ip addr add "$1/32" dev "$HA_BR"; }

ha_name() { echo "$HA_NAME_PREFIX$1"; }
ha_addr() { echo "$HA_NET.20$1"; }

_ha_write_conf() {
    local d=$HA_DIR/corosync.conf n
    {
        cat <<CONF
# Corosync 3 (knet) with every timing at its default: the token is 3000 ms
# (consensus 1.2 x token), the figure the issue's takeover target assumes.
totem {
    version: 2
    cluster_name: lamonha
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
}
nodelist {
CONF
        for n in 1 2; do
            printf '    node {\n        ring0_addr: %s\n        name: %s\n        nodeid: %s\n    }\n' \
                "$(ha_addr $n)" "$(ha_name $n)" "$n"
        done
        cat <<CONF
}
# two_node: the survivor of a pair keeps quorum (wait_for_all, implied,
# makes a starting pair wait until it has seen both once).
quorum {
    provider: corosync_votequorum
    two_node: 1
}
logging {
    to_logfile: yes
    logfile: /var/log/cluster/corosync.log
    to_syslog: no
    to_stderr: no
    timestamp: hires
}
CONF
    } >"$d"
    # One key for both nodes, made for this cluster only.
    dd if=/dev/urandom of="$HA_DIR/corosync.authkey" bs=256 count=1 status=none
    dd if=/dev/urandom of="$HA_DIR/pacemaker.authkey" bs=4096 count=1 status=none
    # The cluster's options are in the CIB both nodes start from:
    # - stonith-enabled=false: a test has no fencing device.  Without one,
    #   Pacemaker takes a lost node for down, which is true here (all its
    #   processes are gone); a real pair needs fencing (docs/ha.md).
    # - no-quorum-policy=stop (the default, said aloud): with two_node the
    #   survivor keeps quorum, so resources stop only when neither node has
    #   seen the other since start (wait_for_all).
    # - dc-deadtime=5s (default 20s): how long a starting node waits for a
    #   DC before an election, i.e. only how fast the test's cluster forms.
    #   Takeover does not wait for it: a lost DC is noticed through
    #   corosync's membership, at the token timeout, left at its default.
    # - resource-stickiness: a resource stays where it runs when the other
    #   node comes back, instead of moving (another takeover) for nothing.
    cat >"$HA_DIR/cib.xml" <<'CIB'
<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
        <nvpair id="cib-bootstrap-options-no-quorum-policy" name="no-quorum-policy" value="stop"/>
        <nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="5s"/>
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>
    <rsc_defaults>
      <meta_attributes id="rsc-options">
        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/>
      </meta_attributes>
    </rsc_defaults>
  </configuration>
  <status/>
</cib>
CIB
}

# _ha_node_dirs N: node N's "disk".
_ha_node_dirs() {
    local d=$HA_DIR/node$1
    mkdir -p "$d"/{etc-corosync,etc-pacemaker,var-lib-corosync,ocf-upper,ocf-work} \
        "$d"/var-lib-pacemaker/{cib,pengine,blackbox,cores} "$d"/var-log/{cluster,pacemaker,crmsh,lamon}
    chown -R hacluster:haclient "$d/var-lib-pacemaker" "$d/var-log/pacemaker"
    chmod 750 "$d"/var-lib-pacemaker/*
    chmod 770 "$d/var-log/pacemaker"
    install -m 644 "$HA_DIR/corosync.conf" "$d/etc-corosync/corosync.conf"
    install -m 400 "$HA_DIR/corosync.authkey" "$d/etc-corosync/authkey"
    install -m 640 -o hacluster -g haclient "$HA_DIR/pacemaker.authkey" "$d/etc-pacemaker/authkey"
    [ -e "$d/var-lib-pacemaker/cib/cib.xml" ] ||
        install -m 600 -o hacluster -g haclient "$HA_DIR/cib.xml" "$d/var-lib-pacemaker/cib/cib.xml"
}

# _ha_boot N: node N's namespaces and its PID 1 (tests/ha/node-init).
_ha_boot() {
    local n=$1 d=$HA_DIR/node$1 upid pid c i=0
    unshare --uts --mount --net --ipc --pid --fork --mount-proc \
        "$HA_ROOT/tests/ha/node-init" "$(ha_name "$n")" "$(ha_addr "$n")/24" "$d" "$HA_OCF_LAMON" "${HA_BOOT_SCRIPT:-}" \
        </dev/null >>"$d/unshare.out" 2>&1 &
    upid=$!
    # The node's PID 1: the child of unshare that is 1 in its own PID
    # namespace (unshare may fork a short-lived helper first).
    while :; do
        pid=
        for c in $(cat "/proc/$upid/task/$upid/children" 2>/dev/null); do
            grep -Eq '^NSpid:[[:space:]]+[0-9]+[[:space:]]+1$' "/proc/$c/status" 2>/dev/null && pid=$c
        done
        [ -n "$pid" ] && break
        i=$((i + 1)); [ $i -ge 100 ] && { _ha_log "node $n: no PID 1"; return 1; }
        sleep 0.05
    done
    HA_INIT_PIDS[$n]=$pid
    eval "HA_UNSHARE_PID_$n=$upid"
    echo "$pid" >"$d/init.pid"
    # Its cable: a veth from the bridge into the node's network namespace.
    ip link del "lmha${HA_NET##*.}n$n" 2>/dev/null
    ip link add "lmha${HA_NET##*.}n$n" type veth peer name eth0 netns "$pid" || return 1
    ip link set "lmha${HA_NET##*.}n$n" master "$HA_BR" up
}

ha_node_pid() { echo "${HA_INIT_PIDS[$1]:-}"; }

ha_node_exec() {
    local pid; pid=$(ha_node_pid "$1"); shift
    [ -n "$pid" ] || return 1
    nsenter -t "$pid" -m -u -i -n -p -- "$@"
}

ha_crm() { local n=$1; shift; ha_node_exec "$n" crm "$@"; }

# ha_online_nodes FROM: the node names crm_mon on FROM shows online.
ha_online_nodes() {
    ha_node_exec "$1" crm_mon -1 -X 2>/dev/null \
        | sed -n 's/.*<node name="\([^"]*\)".*online="true".*/\1/p' | sort | tr '\n' ' '
}

# ha_wait_online FROM NODE... TIMEOUT
ha_wait_online() {
    local from=$1 want="" n limit i=0; shift
    limit=${*: -1}
    for n in "${@:1:$#-1}"; do want="$want$(ha_name "$n") "; done
    want=$(echo "$want" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
    while [ "$(ha_online_nodes "$from")" != "$want" ]; do
        i=$((i + 1)); [ $i -ge $((limit * 5)) ] && return 1; sleep 0.2
    done
}

ha_locate() {
    ha_node_exec "$1" crm_resource --locate --resource "$2" 2>/dev/null \
        | sed -n 's/.*is running on: \([^ ]*\).*/\1/p' | head -n 1
}

ha_wait_resource_on() {
    local n=$1 rsc=$2 limit=$3 i=0 name
    name=$(ha_name "$n")
    while [ "$(ha_locate "$n" "$rsc")" != "$name" ]; do
        i=$((i + 1)); [ $i -ge $((limit * 5)) ] && return 1; sleep 0.2
    done
}

ha_start() {
    ha_net_up || return 1
    _ha_write_conf
    local n
    for n in 1 2; do
        _ha_node_dirs $n && _ha_boot $n || { _ha_log "node $n did not boot"; return 1; }
    done
    ha_wait_online 1 1 2 120 || { _ha_log "nodes not online: $(ha_node_exec 1 crm_mon -1 2>&1)"; return 1; }
}

ha_kill_node() {
    local n=$1 pid upid
    pid=$(ha_node_pid "$n"); [ -n "$pid" ] || return 1
    kill -KILL "$pid"
    upid=$(eval "echo \${HA_UNSHARE_PID_$n:-}")
    [ -n "$upid" ] && wait "$upid" 2>/dev/null
    HA_INIT_PIDS[$n]=
    return 0
}

ha_restart_node() {
    local n=$1
    [ -z "$(ha_node_pid "$n")" ] || ha_kill_node "$n"
    _ha_boot "$n"
}

ha_stop() {
    local n
    for n in 1 2; do [ -n "$(ha_node_pid "$n")" ] && ha_kill_node "$n"; done
    [ -n "${HA_BR:-}" ] && ip link del "$HA_BR" 2>/dev/null
    HA_BR=
    if [ -n "${HA_DIR:-}" ] && [ -d "$HA_DIR" ]; then
        if [ -n "${KEEP_TMP:-}" ]; then _ha_log "kept $HA_DIR"; else rm -rf "$HA_DIR"; fi
    fi
    return 0
}
