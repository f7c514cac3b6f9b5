#!/usr/bin/env bash
# Bad SET input: each case gets its exact SNMP error, and nothing runs and
# nothing changes (no process started, no row added, grubenv untouched).
# apt-get and the start command are recorder scripts: any run leaves a file.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

printf '#!/bin/sh\necho "$@" >>%s/apt.calls\n' "$T" >"$T/apt-recorder"
printf '#!/bin/sh\necho "$@" >>%s/app.calls\n' "$T" >"$T/app-recorder"
chmod +x "$T/apt-recorder" "$T/app-recorder"
base_conf >"$T/agent.conf"
cat >>"$T/agent.conf" <<CONF
apt_get $T/apt-recorder
app web 1
app_start web $T/app-recorder start
app_stop web $T/app-recorder stop
CONF
start_snmpd || bail "snmpd did not start"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"
grubenv_sum=$(md5sum <"$T/grubenv")
W=$(implied web)
admin_before=$(get "$APPT.5$W")

long=$(printf 'a%.0s' $(seq 129))
longer=$(printf 'b%.0s' $(seq 300))
# Names that must never reach apt-get.
bad_names=('foo;rm -rf /' '$(id)' '`id`' 'foo bar' '-oAPT::Get::x=1' 'Foo' '../x' 'foo-'
           'foo|cat' 'foo&&id' "foo'" 'foo"' 'foo>x' 'a' 'foo=1;id' 'foo=$(id)' 'foo:amd64'
           'foo=1.0+' 'foo=1.0-')   # a version's last + or - is apt-get's modifier
i=100
for n in "${bad_names[@]}"; do
    is "$(create_op $i 7 "$n")" wrongValue "pkgInstall '$n': wrongValue"
    i=$((i + 1))
done
is "$(create_op 150 9 'foo;id')" wrongValue "pkgRemove 'foo;id': wrongValue"
is "$(create_op 151 8 '$(id)')" wrongValue "pkgUpdate '\$(id)': wrongValue"
is "$(create_op 152 7)" inconsistentValue "pkgInstall without argument: inconsistentValue"
is "$(create_op 153 7 '')" inconsistentValue "pkgInstall with an empty argument: inconsistentValue"
is "$(raw_set_err "$OPT.2.154" i 7 "$OPT.3.154" s "$long" "$OPT.9.154" i 4)" wrongLength \
    "a 129-byte argument: wrongLength"
is "$(raw_set_err "$OPT.2.155" i 7 "$OPT.3.155" s "$longer" "$OPT.9.155" i 4)" wrongLength \
    "a 300-byte argument: wrongLength"
is "$(raw_set_err "$OPT.2.156" s 7 "$OPT.3.156" s foo "$OPT.9.156" i 4)" wrongType "lamonOpType as a string: wrongType"
is "$(raw_set_err "$OPT.2.157" i 7 "$OPT.3.157" i 5 "$OPT.9.157" i 4)" wrongType "lamonOpArgument as an integer: wrongType"
is "$(raw_set_err "$OPT.2.158" i 7 "$OPT.3.158" s foo "$OPT.9.158" s 4)" wrongType "lamonOpRowStatus as a string: wrongType"
is "$(raw_set_err "$OPT.2.159" i 0 "$OPT.9.159" i 4)" wrongValue "lamonOpType 0: wrongValue"
is "$(raw_set_err "$OPT.2.160" i 10 "$OPT.9.160" i 4)" wrongValue "lamonOpType 10: wrongValue"
is "$(raw_set_err "$OPT.2.161" i 1 "$OPT.3.161" s web "$OPT.9.161" i 7)" wrongValue "lamonOpRowStatus 7: wrongValue"
is "$(raw_set_err "$OPT.2.0" i 1 "$OPT.3.0" s web "$OPT.9.0" i 4)" noCreation "index 0: noCreation"
is "$(create_op 162 1 nosuchapp)" inconsistentValue "appStart of an unknown application: inconsistentValue"
is "$(create_op 163 1 'web;id')" wrongValue "appStart of a malformed application name: wrongValue"
is "$(create_op 164 6 9.9.9-unknown)" inconsistentValue "kernelSelect of an unknown kernel: inconsistentValue"
is "$(set_err "$KT.4$(implied 9.9.9-unknown)" i 1)" noCreation "lamonKernelNextBoot of an unknown kernel: noCreation"
is "$(raw_set_err "$APPT.5$W" s up)" wrongType "lamonAppAdminStatus as a string: wrongType"
is "$(raw_set_err "$APPT.5$W" i 4)" wrongValue "lamonAppAdminStatus 4: wrongValue"
is "$(raw_set_err "$APPT.5$W" i 0)" wrongValue "lamonAppAdminStatus 0: wrongValue"
is "$(set_err "$APPT.5$(implied nosuchapp)" i 1)" noCreation "lamonAppAdminStatus of an unknown application: noCreation"

# one bad varbind spoils the whole request: the good ones are not applied
is "$(set_err "$APPT.5$W" i 2 "$OPT.2.170" i 7 "$OPT.3.170" s 'bad;name' "$OPT.9.170" i 4)" wrongValue \
    "multi-varbind: app down + bad package: wrongValue"
is "$(set_err "$OPT.2.171" i 1 "$OPT.3.171" s web "$OPT.9.171" i 4 \
              "$OPT.2.172" i 7 "$OPT.3.172" s lamon-ok "$OPT.9.172" i 4 \
              "$KT.4$(implied 0.0.1-test)" i 2)" wrongValue \
    "multi-varbind: two good rows + kernel false: wrongValue"
is "$(set_err "$OPT.2.173" i 7 "$OPT.3.173" s lamon-ok "$OPT.9.173" i 4 \
              "$OPT.2.174" i 1 "$OPT.3.174" s nosuchapp "$OPT.9.174" i 4)" inconsistentValue \
    "multi-varbind: good package + unknown application: inconsistentValue"

sleep 1   # anything wrongly queued would have started by now
is "$(rows)" "" "no operation row was created by any of them"
[ ! -e "$T/apt.calls" ] && ok "apt-get never ran" || fail "apt-get ran: $(cat "$T/apt.calls")"
[ ! -e "$T/app.calls" ] && ok "the application's commands never ran" || fail "an application command ran: $(cat "$T/app.calls")"
is "$(md5sum <"$T/grubenv")" "$grubenv_sum" "the grubenv is unchanged"
is "$(get "$APPT.5$W")" "$admin_before" "lamonAppAdminStatus is unchanged"

# and the recorders do work: a good request runs them
is "$(create_op 180 7 lamon-ok=1.0)" noError "a valid pkgInstall is accepted"
wait_op 180
like "$(cat "$T/apt.calls" 2>/dev/null | tail -n1)" '-o APT::Cmd::Pattern-Only=true -q -y --allow-downgrades install lamon-ok:native=1.0$' \
    "apt-get ran with the exact name (no pattern, arch-qualified) as one argument"
done_testing
