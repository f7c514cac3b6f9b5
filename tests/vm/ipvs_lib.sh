# Helpers for the IPVS tests in the VM.  Source after vm.sh.

# vs_idx PROTO ADDR PORT [FWMARK]: the lamonVsTable index of a service,
# e.g. "6.1.4.10.0.0.1.80.0"; PROTO tcp|udp|sctp|fwmark.
vs_idx() {
    $VM_PY - "$@" <<'PY'
import ipaddress, sys
proto = {"fwmark": 0, "tcp": 6, "udp": 17, "sctp": 132}[sys.argv[1]]
a = ipaddress.ip_address(sys.argv[2])
b = a.packed
mark = sys.argv[4] if len(sys.argv) > 4 else "0"
print(".".join(str(x) for x in [proto, 1 if a.version == 4 else 2, len(b), *b, int(sys.argv[3]), int(mark)]))
PY
}

# dest_idx VSIDX ADDR PORT: the lamonDestTable index of a destination.
dest_idx() {
    $VM_PY - "$@" <<'PY'
import ipaddress, sys
a = ipaddress.ip_address(sys.argv[2])
b = a.packed
print(sys.argv[1] + "." + ".".join(str(x) for x in [1 if a.version == 4 else 2, len(b), *b, int(sys.argv[3])]))
PY
}

# ipvs_snapshot: ipvsadm's view in a canonical form (rules only).
ipvs_snapshot() { vm_exec ipvsadm -Sn | sort; }

# ipvs_listing: all of ipvsadm's listings in one go, separated by markers.
ipvs_listing() {
    vm_sh 'for o in "" --stats --rate --thresholds --persistent-conn; do
             echo "=== $o"; ipvsadm -Ln --exact $o; done'
}

# ipvs_dump DIR: the walk and ipvsadm's listings that ipvs_compare.py reads.
# The kernel's counters and its rate estimator (2 s period) move on their
# own, so everything is read in one command in the guest (no host round
# trips in between), ipvsadm before and after the walk, and the dump only
# counts when both readings agree: then the agent's snapshot saw the same.
# The walk is numeric (no MIB needed in the guest).
ipvs_dump() {
    local d=$1
    mkdir -p "$d"
    vm_sh 'sleep 0.6
        l() { for o in "" --stats --rate --thresholds --persistent-conn; do
                echo "=== $o"; ipvsadm -Ln --exact $o; done; }
        l; echo "=== walk"
        MIBS= MIBDIRS=/nonexistent snmpbulkwalk -v2c -c public -r1 -t5 -Cr50 -On -OU -Oe -Oq -Ot \
            127.0.0.1 .1.3.6.1.4.1.8072.9999.9999.9999.1.5 2>/dev/null
        echo "=== after"; l' >"$d/all" || return 1
    awk -v d="$d" '/^=== after$/{after = 1}
        /^=== /{f = d "/" (after ? "after-" : "") ($2 == "" ? "ln" : $2 == "--stats" ? "stats" : $2 == "--rate" ? "rate" : $2 == "--thresholds" ? "thresh" : $2 == "walk" ? "walk" : $2 == "after" ? "x" : "pconn") ".txt"; next}
        {print > f}' "$d/all"
    local x
    for x in ln stats rate thresh pconn; do
        cmp -s "$d/$x.txt" "$d/after-$x.txt" || return 2
    done
}

# ipvs_compare DIR: every column of both tables equals ipvsadm's figure.
ipvs_compare() {
    local d=$1 i rc
    for i in 1 2 3 4 5 6 7 8; do
        ipvs_dump "$d"; rc=$?
        [ $rc -eq 1 ] && return 1
        [ $rc -eq 2 ] && continue
        $VM_PY "$VM_ROOT/tests/vm/ipvs_compare.py" "$d"
        return
    done
    # Under TCG a dump can outlast the estimator's 2 s period every time
    # (rates decay for tens of seconds after traffic): compare the last one
    # with each moving figure bounded by ipvsadm's readings before and after.
    echo "the kernel's figures never held still across a walk; comparing within before/after bounds" >&2
    $VM_PY "$VM_ROOT/tests/vm/ipvs_compare.py" --range "$d"
}

# snmpset_err ARGS...: runs snmpset (v3 authPriv); prints the error name
# (e.g. wrongValue) or "noError".
snmpset_err() {
    local out
    if out=$(vm_snmpv3 snmpset "$@" 2>&1); then echo noError; return; fi
    printf '%s\n' "$out" | sed -n 's/^Reason: \([a-zA-Z]*\).*/\1/p' | head -n 1
    printf '%s\n' "$out" | grep -q '^Reason:' || printf '%s\n' "$out" | head -n 3 >&2
}

# kernel_flags 'TCP 10.0.0.1:80': the service's lamonVsFlags as the kernel
# has them (two hex digits, from the flag words of ipvsadm -Ln).
kernel_flags() {
    vm_exec ipvsadm -Ln | $VM_PY "$VM_ROOT/tests/vm/ipvs_compare.py" --flags "$1"
}

# agent_flags IDX: lamonVsFlags of the service as the agent reads it (hex).
agent_flags() {
    local v
    v=$(vm_snmp snmpget -Ov -Ox "LAMON-MIB::lamonVsFlags.$1") || return 1
    v=$(printf '%s' "$v" | sed -n 's/^BITS: *\([0-9A-Fa-f]*\).*/\1/p' | tr 'A-F' 'a-f')
    echo "${v:-00}"
}
