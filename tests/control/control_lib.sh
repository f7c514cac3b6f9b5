# Helpers for the node-control tests (tests/control).  Source after
# tests/lib/tap.sh and tests/lib/snmpd.sh.
L=LAMON-MIB
OPT=.1.3.6.1.4.1.8072.9999.9999.9999.1.4.2.1   # lamonOpEntry
APPT=.1.3.6.1.4.1.8072.9999.9999.9999.1.2.1.1  # lamonAppEntry
KT=.1.3.6.1.4.1.8072.9999.9999.9999.1.3.1.1    # lamonKernelEntry
PY=/usr/bin/python3

# implied STRING: the sub-identifiers of an IMPLIED string index (.119.101.98)
implied() { printf '%s' "$1" | od -An -tu1 -v | tr -s ' \n' '..' | sed 's/\.$//'; }


# get OID: the value alone, enums as numbers, strings without quotes
get() { snmp snmpget -Oqve "$1" 2>&1 | sed 's/^"//; s/"$//'; }
# op COL INDEX: a column of lamonOpTable (2 type .. 9 rowstatus)
op() { get "$OPT.$1.$2"; }
op_done() { local s; s=$(op 4 "$1"); [ "$s" = 3 ] || [ "$s" = 4 ]; }
# wait_op INDEX [SECONDS]: until the operation ended
wait_op() { wait_for "${2:-30}" op_done "$1"; }
# set_err ARGS...: runs snmpset as the admin user and prints the error status
# name (e.g. inconsistentValue) or "noError"
set_err() {
    local out
    out=$(snmpv3 snmpset "$@" 2>&1)
    if printf '%s' "$out" | grep -q 'Reason: '; then
        printf '%s' "$out" | sed -n 's/.*Reason: \([A-Za-z]*\).*/\1/p' | head -n1
    elif printf '%s' "$out" | grep -q ' = '; then
        echo noError
    else
        printf '%s' "$out" | head -n1
    fi
}
# raw_set_err ARGS...: set_err without MIBs, so snmpset sends any type as given
raw_set_err() { MIBDIRS=/nonexistent MIBS= set_err "$@" 2>/dev/null; }
# create_op INDEX TYPE [ARG]: createAndGo, prints the error status name
create_op() {
    if [ $# -ge 3 ]; then
        set_err "$OPT.2.$1" i "$2" "$OPT.3.$1" s "$3" "$OPT.9.$1" i 4
    else
        set_err "$OPT.2.$1" i "$2" "$OPT.9.$1" i 4
    fi
}
# rows: the indexes of lamonOpTable, space separated
rows() { snmp snmpwalk -On "$OPT.9" 2>/dev/null | sed -n "s/^$OPT\.9\.\([0-9]*\) .*/\1/p" | tr '\n' ' ' | sed 's/ $//'; }
next_index() { get "$L::lamonOpNextIndex.0"; }
# start_control_agent CONF: start_agent, then wait until the control tables
# are registered too (start_agent only waits for lamonNodeName, and AgentX
# registrations reach the master one after another).
start_control_agent() {
    start_agent "$1" || return 1
    wait_for 10 snmp snmpget "$L::lamonOpNextIndex.0" || return 1
    # the kernel table registers last; base_conf gives it at least one row
    wait_for 10 sh -c "snmpgetnext -v2c -c public -r0 -t1 127.0.0.1:$SNMP_PORT $KT | grep -q '^LAMON-MIB::lamonKernel'"
}
# base_conf: prints the configuration lines every control test shares and
# makes their directories: state dir, a scratch boot dir with one kernel,
# a scratch grubenv.
base_conf() {
    mkdir -p "$T/state" "$T/boot"
    [ -n "$(ls "$T/boot")" ] || echo fake >"$T/boot/vmlinuz-0.0.1-test"
    [ -f "$T/grubenv" ] || grub-editenv "$T/grubenv" create
    printf '%s\n' "nodename ctl-node" "statedir $T/state" "boot_dir $T/boot" "grub_env $T/grubenv" \
        "grub_editenv /usr/bin/grub-editenv"
}
