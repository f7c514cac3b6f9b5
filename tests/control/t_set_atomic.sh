#!/usr/bin/env bash
# A SET with several varbinds is judged as a whole: two writes of one request
# that aim at the same target (an application, the boot loader, the package
# system, the node) are refused with inconsistentValue and nothing is created;
# a write that creates its row at an index of the agent's choosing
# (lamonAppAdminStatus, lamonKernelNextBoot) never takes the index that an
# explicit createAndGo of the same request names.  And a walk of lamonOpTable
# sees every row, well past 1,024 of them.
# apt-get, the applications' commands and reboot_cmd are recorder scripts.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

printf '#!/bin/sh\necho "$@" >>%s/apt.calls\n' "$T" >"$T/apt-recorder"
printf '#!/bin/sh\necho "$@" >>%s/app.calls\n' "$T" >"$T/app-recorder"
printf '#!/bin/sh\necho reboot >>%s/reboot.calls\n' "$T" >"$T/reboot-recorder"
chmod +x "$T/apt-recorder" "$T/app-recorder" "$T/reboot-recorder"
NAPPS=40      # applications a1..a40 for the walk: one appStart each per request
BATCHES=27    # 27 requests × 40 rows = 1,080 rows
{
    base_conf
    cat <<CONF
apt_get $T/apt-recorder
reboot_cmd $T/reboot-recorder
app web 1
app_start web $T/app-recorder start web
app_stop web $T/app-recorder stop web
app db 2
app_start db $T/app-recorder start db
app_stop db $T/app-recorder stop db
op_keep 3600 5000
CONF
    for i in $(seq "$NAPPS"); do
        echo "app a$i $((30000 + i))"
        echo "app_start a$i /bin/true"
    done
} >"$T/agent.conf"
start_snmpd || bail "snmpd did not start"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"
W=$(implied web) D=$(implied db) K=$(implied 0.0.1-test)
grubenv_sum=$(md5sum <"$T/grubenv")
# row INDEX TYPE ARG: the three varbinds of a createAndGo
row() { echo "$OPT.2.$1 i $2 $OPT.3.$1 s $3 $OPT.9.$1 i 4"; }

# --- conflicting writes in one request: inconsistentValue, nothing created
# shellcheck disable=SC2046
is "$(set_err $(row 10 1 web) $(row 11 1 web))" inconsistentValue \
    "two appStart rows for one application: inconsistentValue"
is "$(set_err $(row 12 1 web) $(row 13 2 web))" inconsistentValue \
    "appStart and appStop rows for one application: inconsistentValue"
is "$(set_err "$APPT.5$W" i 1 $(row 14 2 web))" inconsistentValue \
    "lamonAppAdminStatus and an appStop row on the same application: inconsistentValue"
is "$(set_err $(row 15 1 web) "$APPT.5$W" i 2)" inconsistentValue \
    "the same, the row first: inconsistentValue"
is "$(set_err "$APPT.5$D" i 1 "$APPT.5$W" i 2 "$APPT.5$D" i 3)" inconsistentValue \
    "two lamonAppAdminStatus writes on one application: inconsistentValue"
is "$(set_err "$KT.4$K" i 1 $(row 200 6 0.0.1-test))" inconsistentValue \
    "lamonKernelNextBoot and a kernelSelect row: inconsistentValue"
is "$(set_err $(row 300 7 lamon-ok) $(row 301 9 lamon-other))" inconsistentValue \
    "two package operations: inconsistentValue"
is "$(set_err "$OPT.2.400" i 4 "$OPT.9.400" i 4 $(row 401 7 lamon-ok))" inconsistentValue \
    "a reboot with another operation: inconsistentValue"
is "$(set_err $(row 501 7 lamon-ok) "$OPT.2.500" i 4 "$OPT.9.500" i 4)" inconsistentValue \
    "the same in the other order: inconsistentValue"
is "$(set_err "$OPT.2.600" i 1 "$OPT.3.600" s web "$OPT.9.600" i 4 "$OPT.3.600" s db)" inconsistentValue \
    "one column twice for one row: inconsistentValue"
sleep 1   # anything wrongly queued would have run by now
is "$(rows)" "" "none of them created a row"
[ ! -e "$T/app.calls" ] && ok "no application command ran" || fail "an application command ran: $(cat "$T/app.calls")"
[ ! -e "$T/apt.calls" ] && ok "apt-get never ran" || fail "apt-get ran: $(cat "$T/apt.calls")"
[ ! -e "$T/reboot.calls" ] && ok "reboot_cmd never ran" || fail "reboot_cmd ran"
is "$(md5sum <"$T/grubenv")" "$grubenv_sum" "the grubenv is unchanged"

# --- an implicit row never takes an explicit index of the same request
N=$(next_index)
is "$(set_err "$KT.4$K" i 1 $(row "$N" 7 lamon-ok))" noError \
    "lamonKernelNextBoot + pkgInstall createAndGo at lamonOpNextIndex ($N): noError"
is "$(op 2 "$N"):$(op 3 "$N")" "7:lamon-ok" "row $N is the pkgInstall"
wait_op "$N"
is "$(op 4 "$N")" 3 "the pkgInstall succeeded"
like "$(tail -n1 "$T/apt.calls" 2>/dev/null)" 'install lamon-ok:native$' "apt-get ran for it"
is "$(op 2 $((N + 1))):$(op 3 $((N + 1)))" "6:0.0.1-test" "the kernelSelect took the next index, $((N + 1))"
wait_op $((N + 1))
is "$(op 4 $((N + 1)))" 3 "the kernelSelect succeeded"
N=$(next_index)
is "$(set_err $(row "$N" 8 lamon-ok) "$KT.4$K" i 1)" noError "the same with the row first: noError"
is "$(op 2 "$N"):$(op 2 $((N + 1)))" "8:6" "row $N is the pkgUpdate, $((N + 1)) the kernelSelect"
wait_op "$N"; wait_op $((N + 1))

# --- a valid multi-row request: every row at its index with its type
N=$(next_index)
is "$(set_err "$APPT.5$D" i 1 $(row "$N" 1 web) $(row $((N + 1)) 7 lamon-ok))" noError \
    "appStart web at $N + pkgInstall at $((N + 1)) + lamonAppAdminStatus db up: noError"
is "$(op 2 "$N"):$(op 3 "$N")" "1:web" "row $N is appStart web"
is "$(op 2 $((N + 1))):$(op 3 $((N + 1)))" "7:lamon-ok" "row $((N + 1)) is pkgInstall lamon-ok"
is "$(op 2 $((N + 2))):$(op 3 $((N + 2)))" "1:db" "the admin write's appStart db is at $((N + 2))"
for i in "$N" $((N + 1)) $((N + 2)); do wait_op "$i"; done
is "$(op 4 "$N"):$(op 4 $((N + 1))):$(op 4 $((N + 2)))" "3:3:3" "all three succeeded"
is "$(grep -c '^start ' "$T/app.calls" 2>/dev/null)" 2 "both start commands ran"

# --- a walk sees every row, past 1,024
before=$(rows | wc -w) first=$(rows | cut -d' ' -f1)
base=1000
for b in $(seq 0 $((BATCHES - 1))); do
    args=() idx=()
    for i in $(seq "$NAPPS"); do
        n=$((base + b * NAPPS + i))
        args+=("$OPT.2.$n" i 1 "$OPT.3.$n" s "a$i" "$OPT.9.$n" i 4)
        idx+=("$OPT.4.$n")
    done
    r=$(set_err "${args[@]}")
    [ "$r" = noError ] || { fail "batch $b of appStart rows: $r"; break; }
    # the next batch starts the same applications again: wait for this one
    wait_for 30 sh -c "! snmpget -v2c -c public -Oqve -r1 -t2 127.0.0.1:$SNMP_PORT ${idx[*]} | grep -qE '^(1|2)$'" \
        || { fail "batch $b did not finish"; break; }
done
total=$(snmp snmpbulkwalk -Cr50 -On "$OPT.9" 2>/dev/null | grep -c "^$OPT\.9\.")
want=$((before + BATCHES * NAPPS))
is "$total" "$want" "a walk of lamonOpRowStatus sees all $want rows"
last=$((base + BATCHES * NAPPS))
is "$(snmp snmpgetnext -On "$OPT.9.$((last - 1))" | sed 's/ = .*//')" "$OPT.9.$last" "GETNEXT inside the table"
unlike "$(snmp snmpgetnext -On "$OPT.9.$last" | sed 's/ = .*//')" "^$OPT\." "GETNEXT after the last row leaves the table"
is "$(snmp snmpgetnext -On "$OPT.2.4294967295" | sed 's/ = .*//')" "$OPT.3.$first" \
    "GETNEXT past the largest index goes to the next column's first row"
is "$(snmp snmpgetnext -On "$OPT" | sed 's/ = .*//')" "$OPT.2.$first" \
    "GETNEXT of the entry is the first column's first row"
is "$(op 3 $((last - 7)))" "a$((NAPPS - 7))" "GET of a row past the 1,024th"
done_testing
