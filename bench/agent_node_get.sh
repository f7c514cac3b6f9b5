#!/usr/bin/env bash
# Benchmarks of lamon-agent through a private snmpd (never part of make check):
#  1. one GET of the whole lamonNode group (18 varbinds): median and p99
#     latency, against the same 18 values served by Net-SNMP's `extend`
#     (a /bin/sh script reading /proc) in the same snmpd, same run;
#  2. agent CPU time and RSS per 1,000 such polls;
#  3. re-registration time after kill -9 + restart of snmpd.
# Each GET is one snmpget process, for both sides alike, so the figures
# include the client's start-up; the ratio is what matters.
#   N=500 bench/agent_node_get.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/snmpd.sh"
N=${N:-500}
lamon_test_init
cat >"$T/node.sh" <<'SH'
#!/bin/sh
# The lamonNode figures the way an extend script gets them.
read l1 l5 l15 rest </proc/loadavg
hostname
echo 2; echo 1; echo ""
cut -d' ' -f1 /proc/uptime
echo "$l1"; echo "$l5"; echo "$l15"
head -1 /proc/stat
nproc
awk '/^MemTotal:/ {print $2} /^MemAvailable:/ {print $2}' /proc/meminfo
ss -Htn state established | wc -l
uname -r
echo ""
awk '/^btime/ {print $2}' /proc/stat
echo 0.1.0
ss -Htn state syn-recv | wc -l
SH
chmod +x "$T/node.sh"
start_snmpd "extend lamonnode $T/node.sh" || exit 1
cat >"$T/agent.conf" <<CONF
nodename benchnode
statedir $T/state
app ssh 22
CONF
start_agent "$T/agent.conf" || exit 1
SAVED_MIBDIRS=$MIBDIRS
export MIBS= MIBDIRS=/nonexistent
sleep 1
# Numeric OIDs and no MIB loading in the client, for both sides alike.
L=$(for i in $(seq 1 18); do printf '.1.3.6.1.4.1.8072.9999.9999.9999.1.1.%d.0 ' "$i"; done)
# nsExtendOutLine."lamonnode".N
E=$(for i in $(seq 1 18); do printf '.1.3.6.1.4.1.8072.1.3.2.4.1.2.9.108.97.109.111.110.110.111.100.101.%d ' "$i"; done)
export MIBS= MIBDIRS=/nonexistent
snmp snmpget $L 2>&1 | head -3
snmp snmpget $E 2>&1 | head -3

# lat OUTFILE OIDS...: N timed GETs, milliseconds per line.
lat() {
    local out=$1; shift
    : >"$out"
    for i in $(seq 1 "$N"); do
        s=$(date +%s%N)
        snmp snmpget "$@" >/dev/null || echo "# GET failed" >&2
        echo $(( ($(date +%s%N) - s) / 1000 )) >>"$out"
    done
}
stats() { sort -n "$1" | awk '{a[NR]=$1} END {printf "median %.2f ms  p99 %.2f ms  (n=%d)", a[int((NR+1)/2)]/1000, a[int(NR*0.99)]/1000, NR}'; }
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cpu0=$(awk '{print $14 + $15}' /proc/$AGENT_PID/stat)
# Interleave the two sides in blocks so that machine load hits both alike.
: >"$T/a.all"; : >"$T/e.all"
for blk in 1 2 3 4 5; do
    N=$((N / 5)) lat "$T/a.$blk" $L; cat "$T/a.$blk" >>"$T/a.all"
    N=$((N / 5)) lat "$T/e.$blk" $E; cat "$T/e.$blk" >>"$T/e.all"
done
cpu1=$(awk '{print $14 + $15}' /proc/$AGENT_PID/stat)
echo "lamon-agent  (18 objects, one GET): $(stats "$T/a.all")"
echo "snmpd extend (18 lines,   one GET): $(stats "$T/e.all")"
awk -v a="$(med "$T/a.all")" -v e="$(med "$T/e.all")" 'BEGIN {printf "median ratio extend / lamon-agent = %.2f\n", e / a}'
tck=$(getconf CLK_TCK)
polls=$(wc -l <"$T/a.all")
awk -v c=$((cpu1 - cpu0)) -v t="$tck" -v p="$polls" 'BEGIN {printf "agent CPU: %.1f ms per 1000 polls of the node group (%d polls; includes its 1 s timers)\n", c * 1000 / t * 1000 / p, p}'
echo "agent RSS: $(awk '/^VmRSS/ {print $2, $3}' /proc/$AGENT_PID/status)"

# Re-registration after kill -9 and restart of snmpd.
: >"$T/rereg"
for r in 1 2 3 4 5; do
    kill -9 "$SNMPD_PID"; wait "$SNMPD_PID" 2>/dev/null
    sleep 0.5
    s=$(date +%s%N)
    # start_snmpd's readiness probe uses MIB names.
    MIBS=LAMON-MIB MIBDIRS=$SAVED_MIBDIRS start_snmpd "extend lamonnode $T/node.sh" >/dev/null 2>&1 \
        || { echo "snmpd restart failed"; exit 1; }
    for w in $(seq 1 500); do   # bounded: 10 s
        snmp snmpget -Oqv .1.3.6.1.4.1.8072.9999.9999.9999.1.1.17.0 2>/dev/null | grep -q 0.1.0 && break
        sleep 0.02
    done
    echo $(( ($(date +%s%N) - s) / 1000 )) >>"$T/rereg"
done
echo "re-registration after snmpd kill -9 + restart (from snmpd start until the agent answers): $(stats "$T/rereg" | sed 's/p99/max/')"
