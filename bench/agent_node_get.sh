#!/usr/bin/env bash
# Benchmarks of lamon-agent through a private snmpd (never part of make check):
#  1. one GET of the whole lamonNode group (18 varbinds in one PDU): median
#     and p99 latency, against the same 18 values served by Net-SNMP's
#     `extend` (a /bin/sh script reading /proc) in the same snmpd, same run,
#     both with the extend cache off (the script runs for every GET, as
#     operators' extend scripts do) and with its default 5 s cache.
#     `-cacheTime 0` does NOT turn the cache off in Net-SNMP 5.9.3 (it reads
#     back as 5 and the script runs once per 5 s), and nsExtendCacheTime is not
#     writable (every SET on the extend table gives genError: extend writes
#     are compiled out since CVE-2020-15862); `-cacheTime -1` makes the cache
#     always expired, which the probe entry below checks;
#  2. agent CPU time and RSS per 1,000 such polls (and snmpd's, incl. the
#     extend scripts it waits for, per side);
#  3. re-registration time after kill -9 + restart of snmpd.
# GETs come from one long-lived client per block (bench/snmp_get_loop.pl,
# Net::SNMP), so process start-up is not in the figures.
#   N=2000 NNC=200 BUILD=/tmp/lamon-build-bench bench/agent_node_get.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/snmpd.sh"
N=${N:-2000}
# The uncached extend side runs its script once per varbind (18 times per
# GET, ~0.3 s), so it gets fewer GETs.
NNC=${NNC:-$((N / 10))}
BLOCKS=5
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
# Probe: counts its own runs, to check how often snmpd really runs a script.
printf '#!/bin/sh\necho x >>%s\nfor i in $(seq 1 18); do echo $i; done\n' "$T/probe.count" >"$T/probe.sh"
chmod +x "$T/node.sh" "$T/probe.sh"
EXT="extend -cacheTime -1 nodenc $T/node.sh
extend nodec $T/node.sh
extend -cacheTime -1 probe $T/probe.sh"
start_snmpd "$EXT" || exit 1
cat >"$T/agent.conf" <<CONF
nodename benchnode
statedir $T/state
app ssh 22
CONF
start_agent "$T/agent.conf" || exit 1
SAVED_MIBDIRS=$MIBDIRS
export MIBS= MIBDIRS=/nonexistent
sleep 1
# Numeric OIDs for both sides alike.
L=$(for i in $(seq 1 18); do printf '1.3.6.1.4.1.8072.9999.9999.9999.1.1.%d.0 ' "$i"; done)
# extoids NAME: nsExtendOutLine."NAME".1..18
extoids() {
    local idx i
    idx="${#1}.$(printf '%s' "$1" | od -An -tu1 | tr -s ' \n' '..' | sed 's/^\.//; s/\.$//')"
    for i in $(seq 1 18); do printf '1.3.6.1.4.1.8072.1.3.2.4.1.2.%s.%d ' "$idx" "$i"; done
}
ENC=$(extoids nodenc) EC=$(extoids nodec) EP=$(extoids probe)
LOOP="$ROOT/bench/snmp_get_loop.pl"
echo "first GET, agent:  $(SHOW_FIRST=1 perl "$LOOP" "$SNMP_PORT" 1 $L 2>&1 >/dev/null)"
echo "first GET, extend: $(SHOW_FIRST=1 perl "$LOOP" "$SNMP_PORT" 1 $ENC 2>&1 >/dev/null)"
perl "$LOOP" "$SNMP_PORT" 10 $EP >/dev/null || exit 1
echo "extend -cacheTime -1: 10 GETs of 18 lines ran the script $(wc -l <"$T/probe.count") times"

stats() { sort -n "$1" | awk '{a[NR]=$1} END {printf "median %7.3f ms  p99 %7.3f ms  (n=%d)", a[int((NR+1)/2)]/1000, a[int(NR*0.99)]/1000, NR}'; }
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }           # own utime+stime
# The agent is two processes since issue 11 (root monitor + SNMP worker, its
# child): its CPU and RSS are both processes' sums.
agent_pids() { echo "$AGENT_PID" $(pgrep -P "$AGENT_PID"); }
agent_ticks() { local p t=0; for p in $(agent_pids); do t=$((t + $(ticks "$p"))); done; echo "$t"; }
agent_kb() { local p; for p in $(agent_pids); do awk -v k="$1" '$1 == k":" {print $2}' "/proc/$p/status"; done | awk '{s += $1} END {print s, "kB"}'; }
ticks_all() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }  # + waited-for children

# Interleave the sides in blocks so that machine load hits all alike; CPU
# deltas are summed over each side's own blocks.
declare -A ACPU SCPU
for side in a enc ec; do : >"$T/$side.all"; ACPU[$side]=0; SCPU[$side]=0; done
for blk in $(seq 1 $BLOCKS); do
    for side in a enc ec; do
        case $side in a) O=$L ;; enc) O=$ENC ;; ec) O=$EC ;; esac
        a0=$(agent_ticks); s0=$(ticks_all "$SNMPD_PID")
        n=$N; [ $side = enc ] && n=$NNC
        perl "$LOOP" "$SNMP_PORT" $((n / BLOCKS)) $O >>"$T/$side.all" || { echo "GET loop failed ($side)"; exit 1; }
        ACPU[$side]=$(( ${ACPU[$side]} + $(agent_ticks) - a0 ))
        SCPU[$side]=$(( ${SCPU[$side]} + $(ticks_all "$SNMPD_PID") - s0 ))
    done
done
tck=$(getconf CLK_TCK)
per1k() { awk -v c="$1" -v t="$tck" -v p="$2" 'BEGIN {printf "%.0f", c * 1000 / t * 1000 / p}'; }
echo "lamon-agent            (18 objects, one GET): $(stats "$T/a.all")"
echo "snmpd extend, no cache (18 lines,   one GET): $(stats "$T/enc.all")"
echo "snmpd extend, 5 s cache(18 lines,   one GET): $(stats "$T/ec.all")"
awk -v a="$(med "$T/a.all")" -v e="$(med "$T/enc.all")" -v c="$(med "$T/ec.all")" \
    'BEGIN {printf "median ratio extend(no cache) / lamon-agent = %.2f; extend(cached) / lamon-agent = %.2f\n", e / a, c / a}'
polls=$(wc -l <"$T/a.all")
echo "agent CPU: $(per1k "${ACPU[a]}" "$polls") ms per 1000 polls of the node group ($polls polls, CLK_TCK $tck; includes its own timers)"
echo "snmpd CPU incl. children per 1000 GETs: agent side $(per1k "${SCPU[a]}" "$polls") ms, extend no cache $(per1k "${SCPU[enc]}" "$(wc -l <"$T/enc.all")") ms, extend cached $(per1k "${SCPU[ec]}" "$(wc -l <"$T/ec.all")") ms"
echo "agent RSS ($(agent_pids | wc -w) processes): $(agent_kb VmRSS)  (peaks summed $(agent_kb VmHWM))"
a0=$(agent_ticks); sleep 5; echo "agent idle CPU: $(( ($(agent_ticks) - a0) * 1000 / tck / 5 )) ms per s"
# Re-registration after kill -9 and restart of snmpd.
: >"$T/rereg"
for r in 1 2 3 4 5; do
    kill -9 "$SNMPD_PID"; wait "$SNMPD_PID" 2>/dev/null
    sleep 0.5
    s=$(date +%s%N)
    # start_snmpd's readiness probe uses MIB names.
    MIBS=LAMON-MIB MIBDIRS=$SAVED_MIBDIRS start_snmpd "$EXT" >/dev/null 2>&1 \
        || { echo "snmpd restart failed"; exit 1; }
    for w in $(seq 1 500); do   # bounded: 10 s
        snmp snmpget -Oqv .1.3.6.1.4.1.8072.9999.9999.9999.1.1.17.0 2>/dev/null | grep -q 0.1.0 && break
        sleep 0.02
    done
    echo $(( ($(date +%s%N) - s) / 1000 )) >>"$T/rereg"
done
echo "re-registration after snmpd kill -9 + restart (from snmpd start until the agent answers): $(stats "$T/rereg" | sed 's/p99/max/')"
