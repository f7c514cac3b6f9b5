#!/usr/bin/env bash
# Next-boot kernel over SNMP: lamonKernelTable lists a scratch boot dir's
# vmlinuz-* files; SET lamonKernelNextBoot.RELEASE = true runs the real
# grub-editenv on a scratch grubenv (created with grub-editenv create);
# bad writes get their SNMP error and change nothing.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

RUNNING=$(uname -r)
K1=6.1.0-10-amd64 K2=6.1.0-26-amd64
mkdir -p "$T/state" "$T/boot"
for k in "$K1" "$K2" "$RUNNING"; do echo fake >"$T/boot/vmlinuz-$k"; done
echo fake >"$T/boot/config-$K1"            # not a kernel
echo fake >"$T/boot/vmlinuz-bad;name"      # not a valid release: skipped
grub-editenv "$T/grubenv" create || bail "grub-editenv create failed"
cat >"$T/agent.conf" <<CONF
nodename ctl-node
statedir $T/state
boot_dir $T/boot
grub_env $T/grubenv
grub_editenv /usr/bin/grub-editenv
CONF
start_snmpd || bail "snmpd did not start"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"

nb() { get "$KT.4$(implied "$1")"; }
grubenv() { grub-editenv "$T/grubenv" list; }
entry="Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux"

labels=$(snmp snmpwalk -Oqv "$KT.2" | tr -d '"' | tr '\n' ' ')
expected=$(printf '%s\n' "$K1" "$K2" "$RUNNING" | LC_ALL=C sort -u | tr '\n' ' ')
is "$labels" "$expected" "lamonKernelTable lists the vmlinuz-* releases in index order, invalid names skipped"
is "$(get "$KT.3$(implied "$RUNNING")")" 1 "the running kernel is marked running"
is "$(get "$KT.3$(implied "$K1")")" 2 "another kernel is not running"
is "$(nb "$K1"):$(nb "$K2")" 2:2 "no next-boot kernel in an empty grubenv"
is "$(get LAMON-MIB::lamonNodeKernelRunning.0)" "$RUNNING" "lamonNodeKernelRunning is uname -r"

is "$(set_err "$KT.4$(implied "$K1")" i 1)" noError "SET lamonKernelNextBoot.$K1 = true"
is "$(rows)" 1 "a kernelSelect operation was recorded"
is "$(op 2 1):$(op 3 1)" "6:$K1" "type kernelSelect(6), argument the release"
wait_op 1 || fail "operation 1 did not end"
is "$(op 4 1):$(op 5 1)" 3:0 "kernelSelect succeeded"
like "$(grubenv)" "^saved_entry=$entry $K1\$" "grub-editenv list shows the new saved_entry"
is "$(nb "$K1"):$(nb "$K2")" 1:2 "lamonKernelNextBoot follows the grubenv"
is "$(get LAMON-MIB::lamonNodeKernelNext.0)" "$K1" "lamonNodeKernelNext follows"

# a one-time choice (grub-reboot) takes precedence; selecting clears it
grub-editenv "$T/grubenv" set "next_entry=$entry $K2"
is "$(nb "$K1"):$(nb "$K2")" 2:1 "next_entry set by hand wins for the next boot"
grub-editenv "$T/grubenv" unset next_entry
grub-editenv "$T/grubenv" set "saved_entry=gnulinux-$K2-advanced-0a1b2c3d"
is "$(nb "$K2")" 1 "an id-form saved_entry (grub-set-default) is recognised"
is "$(set_err "$KT.4$(implied "$K1")" i 1)" noError "SET $K1 again"
wait_op 2 || fail "operation 2 did not end"
grub-editenv "$T/grubenv" set "next_entry=$entry $K2"
is "$(set_err "$KT.4$(implied "$K1")" i 1)" noError "SET $K1 with a pending one-time entry"
wait_op 3 || fail "operation 3 did not end"
unlike "$(grubenv)" "next_entry" "selecting a kernel removes the one-time next_entry"
is "$(nb "$K1")" 1 "and $K1 boots next"

# bad input: each gets its error, and neither the grubenv nor the table changes
before=$(md5sum <"$T/grubenv")
rows_before=$(rows)
is "$(set_err "$KT.4$(implied 9.9.9-unknown)" i 1)" noCreation "unknown kernel: noCreation"
is "$(set_err "$KT.4$(implied "$K2")" i 2)" wrongValue "false(2): wrongValue"
is "$(set_err "$KT.4$(implied "$K2")" i 3)" wrongValue "out-of-range TruthValue 3: wrongValue"
is "$(raw_set_err "$KT.4$(implied "$K2")" s true)" wrongType "a string: wrongType"
is "$(set_err "$KT.2$(implied "$K2")" s x)" notWritable "lamonKernelLabel: notWritable"
is "$(set_err "$KT.4$(implied "../$K2")" i 1)" noCreation "path in the index: noCreation"
is "$(create_op 50 6 9.9.9-unknown)" inconsistentValue "createAndGo kernelSelect of an unknown release: inconsistentValue"
is "$(create_op 51 6 '../../etc/passwd')" wrongValue "createAndGo kernelSelect with a path: wrongValue"
is "$(create_op 52 6)" inconsistentValue "createAndGo kernelSelect without argument: inconsistentValue"
sleep 0.5
is "$(md5sum <"$T/grubenv")" "$before" "the grubenv did not change"
is "$(rows)" "$rows_before" "no operation row was added"
done_testing
