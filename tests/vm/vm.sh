# A Debian kernel with real IPVS in qemu (TCG), for tests, benchmarks and the
# demo.  This machine's kernel has no IPVS (DESIGN.md, "Facts"), so the
# director runs in a small VM that shares the host's root read-only over 9p
# and runs the host's own snmpd, ipvsadm and the freshly built lamon-agent.
# Source it (after tests/lib/tap.sh if you use TAP), then:
#
#   vm_setup                 download + extract the kernel, build the initramfs
#                            (cached in $ROOT/.deps/vm; vm_start calls it)
#   vm_start [AGENT_CONF]    boot, start snmpd (+ lamon-agent with ipvs on) in
#                            the guest, wait until SNMP answers; exports
#                            VM_SNMP_PORT (host UDP port on $VM_SNMP_HOST -> guest :161)
#   vm_exec ARGV...          run a command in the guest (chroot into the host's
#                            root), print its stdout/stderr, return its status
#   vm_sh 'SCRIPT'           the same through bash -c, for pipelines
#   vm_spawn LOG ARGV...     start a daemon in the guest, output to LOG
#   vm_snmp CMD ARGS...      snmpget/snmpwalk/... v2c (public) to the guest
#   vm_snmpv3 CMD ARGS...    the same as the authPriv user lamonadmin
#                            (VM_SNMP_OPTS: extra options before the address)
#   vm_stop                  power off and wait for qemu
#
# VM_SNMP_HOST (default 127.0.0.1): the host address of the SNMP forward, e.g.
# a bridge address that network namespaces reach (tests/ha).  One forward
# only: qemu's user net sends a guest's UDP reply through the first forward
# to that guest port, so a second forward to :161 would lose its answers.
# VM_EXTRA_FWD="udp:127.0.0.1:P-:Q,..." adds hostfwd rules.  In the guest,
# /run is a tmpfs (writable state lives in /run/lamon), /tmp is the host's
# /tmp read-only, so a build dir under /tmp is visible at the same path.
VM_ROOT=${LAMON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VM_BUILD=${LAMON_BUILD:-$VM_ROOT/build}
VM_CACHE=${VM_CACHE:-$VM_ROOT/.deps/vm}
VM_PY=/usr/bin/python3
# The same MIB path as tests/lib/snmpd.sh, on the host and in the guest.
VM_MIBDIRS="$VM_ROOT/mibs:$VM_ROOT/tests/mibs:$VM_ROOT/.deps/npm/node_modules/net-snmp/lib/mibs:/usr/share/snmp/mibs"
export MIBDIRS=${MIBDIRS:-$VM_MIBDIRS} MIBS=${MIBS:-LAMON-MIB}
VM_CTL="$VM_PY $VM_ROOT/tests/vm/vmctl.py"
VM_SNMP_HOST=${VM_SNMP_HOST:-127.0.0.1}
VM_V3_USER=lamonadmin VM_V3_AUTH=lamonauthpass VM_V3_PRIV=lamonprivpass
# The modules the guest loads, in this order; modprobe pulls their dependencies.
VM_MODULES="virtio_pci virtio_net 9pnet_virtio 9p crc32c_generic ip_vs ip_vs_rr ip_vs_wrr
 ip_vs_wlc ip_vs_lc ip_vs_sh ip_vs_sed ip_vs_nq veth dummy"

_vm_log() { echo "# vm: $*" >&2; }

# The kernel version linux-image-amd64 depends on, e.g. 6.1.0-56-amd64.
_vm_kver() {
    apt-cache depends linux-image-amd64 2>/dev/null \
        | sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n 1
}

vm_setup() {
    local kver stage deb mods m
    mkdir -p "$VM_CACHE"
    kver=$(cat "$VM_CACHE/kver" 2>/dev/null)
    if [ -n "$kver" ] && [ -f "$VM_CACHE/initrd-$kver.cpio.gz" ] \
        && [ "$VM_CACHE/initrd-$kver.cpio.gz" -nt "$VM_ROOT/tests/vm/vm.sh" ]; then
        return 0
    fi
    kver=$(_vm_kver)
    [ -n "$kver" ] || { _vm_log "cannot find linux-image-amd64's kernel (apt-get update?)"; return 1; }
    if [ ! -f "$VM_CACHE/kernel/boot/vmlinuz-$kver" ]; then
        _vm_log "downloading linux-image-$kver"
        rm -rf "$VM_CACHE/kernel" && mkdir -p "$VM_CACHE/kernel"
        (cd "$VM_CACHE" && rm -f linux-image-*.deb && apt-get download "linux-image-$kver" >/dev/null 2>&1) \
            || { _vm_log "apt-get download linux-image-$kver failed"; return 1; }
        deb=$(ls "$VM_CACHE"/linux-image-"$kver"_*.deb)
        dpkg-deb -x "$deb" "$VM_CACHE/kernel" || return 1
        depmod -b "$VM_CACHE/kernel" "$kver" || return 1
    fi
    _vm_log "building initramfs for $kver"
    stage=$VM_CACHE/initrd-stage
    rm -rf "$stage"
    mkdir -p "$stage"/{bin,dev,proc,sys,host,lib/modules/"$kver"}
    cp /bin/busybox "$stage/bin/busybox" || return 1
    # Only the module closure: the whole tree makes an initrd that panics.
    mods=$(modprobe -a -D -S "$kver" -d "$VM_CACHE/kernel" $VM_MODULES 2>/dev/null \
        | awk '$1 == "insmod" {print $2}' | sort -u)
    [ -n "$mods" ] || { _vm_log "module closure is empty"; return 1; }
    for m in $mods; do
        m=${m#"$VM_CACHE/kernel"}
        mkdir -p "$stage$(dirname "$m")"
        cp "$VM_CACHE/kernel$m" "$stage$m"
    done
    cp "$VM_CACHE/kernel/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$stage/lib/modules/$kver/"
    depmod -b "$stage" "$kver" || return 1
    echo "$VM_MODULES" >"$stage/modules.list"
    cp "$VM_ROOT/tests/vm/guest-init" "$stage/init" && chmod 755 "$stage/init"
    (cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$VM_CACHE/initrd-$kver.cpio.gz.new" || return 1
    mv "$VM_CACHE/initrd-$kver.cpio.gz.new" "$VM_CACHE/initrd-$kver.cpio.gz"
    rm -rf "$stage"
    echo "$kver" >"$VM_CACHE/kver"
}

_vm_free_port() {  # PROTO: a free loopback port
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        ss -Hln"${1:0:1}" "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}

# vm_boot: boot only (no snmpd); waits for the command channel.
vm_boot() {
    local kver fwd
    vm_setup || return 1
    kver=$(cat "$VM_CACHE/kver")
    VM_DIR=$(mktemp -d /tmp/lamon-vm.XXXXXX)
    VM_SNMP_PORT=$(_vm_free_port udp)
    VM_CMD_PORT=$(_vm_free_port tcp)
    export VM_DIR VM_SNMP_PORT VM_CMD_PORT
    fwd="hostfwd=udp:$VM_SNMP_HOST:$VM_SNMP_PORT-:161,hostfwd=tcp:127.0.0.1:$VM_CMD_PORT-:7000"
    [ -n "${VM_EXTRA_FWD:-}" ] && fwd="$fwd,hostfwd=${VM_EXTRA_FWD//,/,hostfwd=}"
    # TCG on purpose: KVM hangs on these machines (DESIGN.md).
    qemu-system-x86_64 -accel tcg -machine q35 -smp 1 -m "${VM_MEM:-512}" \
        -kernel "$VM_CACHE/kernel/boot/vmlinuz-$kver" \
        -initrd "$VM_CACHE/initrd-$kver.cpio.gz" \
        -append "console=ttyS0 panic=-1 quiet lamon.root=$VM_ROOT" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -nic "user,model=virtio-net-pci,$fwd" \
        -display none -monitor none -serial "file:$VM_DIR/console.log" -no-reboot \
        >"$VM_DIR/qemu.log" 2>&1 &
    VM_QEMU_PID=$!
    export VM_QEMU_PID
    LAMON_PIDS="${LAMON_PIDS:-} $VM_QEMU_PID"
    local i=0
    until $VM_CTL ping "$VM_CMD_PORT" >/dev/null 2>&1; do
        if ! kill -0 "$VM_QEMU_PID" 2>/dev/null || [ $i -ge 1200 ]; then
            _vm_log "guest did not come up; console:"; tail -n 40 "$VM_DIR/console.log" >&2
            cat "$VM_DIR/qemu.log" >&2
            return 1
        fi
        i=$((i + 1)); sleep 0.1
    done
}

vm_exec() { $VM_CTL exec "$VM_CMD_PORT" "$@"; }
vm_sh()   { $VM_CTL exec "$VM_CMD_PORT" /bin/bash -c "$1"; }
vm_spawn() { $VM_CTL spawn "$VM_CMD_PORT" "$@"; }  # LOG ARGV...: detached

vm_snmp() {
    local cmd=$1; shift
    "$cmd" ${VM_SNMP_OPTS:-} -v2c -c public -r1 -t5 "$VM_SNMP_HOST:$VM_SNMP_PORT" "$@"
}
vm_snmpv3() {
    local cmd=$1; shift
    "$cmd" ${VM_SNMP_OPTS:-} -v3 -l authPriv -u "$VM_V3_USER" -a SHA -A "$VM_V3_AUTH" -x AES -X "$VM_V3_PRIV" \
        -r1 -t5 "$VM_SNMP_HOST:$VM_SNMP_PORT" "$@"
}

# _vm_answers OID: the guest's snmpd has a value at OID (not noSuchObject).
_vm_answers() {
    local out
    out=$(vm_snmp snmpget -r0 -t2 -Oqv "$1" 2>&1) || return 1
    ! printf '%s' "$out" | grep -q '^No Such'
}

# vm_start [AGENT_CONF_TEXT]: boot, then snmpd and lamon-agent in the guest.
vm_start() {
    vm_boot || return 1
    vm_sh "mkdir -p /run/lamon/persist /run/lamon/state && cat >/run/lamon/snmpd.conf <<CONF
agentaddress udp:161
master agentx
agentXSocket /run/lamon/agentx.sock
agentXPerms 0600 0700
agentXTimeout 10
rocommunity public
createUser $VM_V3_USER SHA \"$VM_V3_AUTH\" AES \"$VM_V3_PRIV\"
rwuser $VM_V3_USER priv
CONF
cat >/run/lamon/agent.conf <<CONF
nodename director
statedir /run/lamon/state
ipvs on
${1:-}
CONF" || return 1
    vm_spawn /run/lamon/snmpd.out /usr/bin/env SNMP_PERSISTENT_DIR=/run/lamon/persist \
        SNMPCONFPATH=/run/lamon MIBDIRS="$VM_MIBDIRS" MIBS=LAMON-MIB /usr/sbin/snmpd -f -r -Lf /run/lamon/snmpd.log -C \
        -c /run/lamon/snmpd.conf -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable || return 1
    wait_for 60 _vm_answers 1.3.6.1.2.1.1.3.0 \
        || { _vm_log "snmpd in the guest does not answer"; vm_exec cat /run/lamon/snmpd.log >&2; return 1; }
    if [ -x "$VM_BUILD/lamon-agent" ]; then
        vm_start_agent || return 1
    else
        _vm_log "no $VM_BUILD/lamon-agent: snmpd only"
    fi
}

vm_start_agent() {
    vm_spawn /run/lamon/agent.log /usr/bin/env SNMP_PERSISTENT_DIR=/run/lamon/persist \
        SNMPCONFPATH=/run/lamon MIBDIRS="$VM_MIBDIRS" MIBS=LAMON-MIB ${VM_AGENT_ENV:-} \
        "$VM_BUILD/lamon-agent" -f -x /run/lamon/agentx.sock -c /run/lamon/agent.conf || return 1
    wait_for 60 _vm_answers LAMON-MIB::lamonNodeName.0 \
        || { _vm_log "lamon-agent in the guest does not answer"; vm_exec cat /run/lamon/agent.log >&2; return 1; }
}

vm_stop() {
    [ -n "${VM_QEMU_PID:-}" ] || return 0
    $VM_CTL poweroff "$VM_CMD_PORT" >/dev/null 2>&1
    local i=0
    while kill -0 "$VM_QEMU_PID" 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
    kill "$VM_QEMU_PID" 2>/dev/null
    wait "$VM_QEMU_PID" 2>/dev/null
    if [ -n "${KEEP_TMP:-}" ]; then _vm_log "kept $VM_DIR"; else rm -rf "$VM_DIR"; fi
    VM_QEMU_PID=
}
