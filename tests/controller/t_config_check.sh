#!/usr/bin/env bash
# lamon-controller -t: checks the configuration and exits (0 good, 1 not),
# every problem on stderr as "FILE: line N: ...", the paths in force on
# stdout; it creates nothing: no control socket, no log file, no RRD, not
# even Net-SNMP's persistent directory.  The OCF agent's validate-all and
# start rely on it (ha/ocf/controller).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] || bail "build lamon-controller first"

like "$("$CTL_BIN" -h)" "-t +check the configuration" "-h describes -t"

# Everything a start would create lives under $T/run; the rrd directory
# exists (the controller never creates it) and must stay empty.
mkdir -p "$T/run/rrd"
P=$T/run/snmp-persist     # Net-SNMP's persistent dir, created by init_snmp
write_ctl_conf "$T/good.conf" "1 2" "rrddir $T/run/rrd" "logfile $T/run/controller.log" \
    "control $T/run/ctl.sock"
out=$(SNMP_PERSISTENT_DIR=$P timeout 10 "$CTL_BIN" -t -c "$T/good.conf" 2>"$T/good.err"); rc=$?
is "$rc" 0 "a good configuration: exit status 0"
like "$(cat "$T/good.err")" "$T/good.conf: configuration OK" "... and stderr says the file is OK"
is "$out" "control $T/run/ctl.sock
logfile $T/run/controller.log
rrddir $T/run/rrd" "... stdout has the paths in force (the last control line wins)"
is "$(cd "$T/run" && find . -mindepth 1 | sort | tr '\n' ' ')" "./rrd " \
   "... and nothing was created: no socket, no log file, no RRD, no persistent dir"

# The defaults: the socket is /run/lamon/controller.sock, no log file, no RRDs.
printf 'interval 1000\n' >"$T/min.conf"
is "$(timeout 10 "$CTL_BIN" -t -c "$T/min.conf" 2>/dev/null)" "control /run/lamon/controller.sock" \
   "a configuration without control: the default socket path is printed"

# Three problems on three lines: every one is reported, with file and line.
write_ctl_conf "$T/bad.conf" "1" "rise many" "node node1 127.0.1.9" "bogus 1" "control $T/run/bad.sock" \
    "logfile $T/run/bad.log"
n=$(wc -l <"$T/bad.conf")
out=$(SNMP_PERSISTENT_DIR=$P timeout 10 "$CTL_BIN" -t -c "$T/bad.conf" 2>"$T/bad.err"); rc=$?
err=$(cat "$T/bad.err")
is "$rc" 1 "a bad configuration: exit status 1"
like "$err" "^$T/bad.conf: line $((n - 4)): Error: rise needs one number" "... the bad number, with its file and line"
like "$err" "$T/bad.conf: line $((n - 3)): Error: node node1 is declared twice" "... the node declared twice, with its line"
like "$err" "$T/bad.conf: line $((n - 2)): Warning: Unknown token: bogus" "... the unknown token, with its line"
is "$out" "" "... nothing on stdout"
is "$(cd "$T/run" && find . -mindepth 1 | sort | tr '\n' ' ')" "./rrd " "... and nothing was created"

out=$(timeout 10 "$CTL_BIN" -t -c "$T/missing.conf" 2>&1); rc=$?
is "$rc" 1 "a missing file: exit status 1"
like "$out" "$T/missing.conf: cannot open" "... naming the file"
printf 'interval 1000\ninclude /etc/passwd\n' >"$T/inc.conf"
out=$(timeout 10 "$CTL_BIN" -t -c "$T/inc.conf" 2>&1); rc=$?
is "$rc" 1 "an include line: exit status 1"
like "$out" "$T/inc.conf: line 2: " "... with the file and line"
done_testing
