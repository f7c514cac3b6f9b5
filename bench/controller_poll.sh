#!/usr/bin/env bash
# Polling throughput of lamon-controller: N "nodes" (one stock snmpd
# listening on N loopback addresses, one real lamon-agent behind it over
# AgentX, see DESIGN.md), polled every 10 s.  Per cycle it records the
# controller's CPU seconds and varbinds read; in the same run, a baseline
# does the same reads with snmpbulkget (one process per target, 8 in
# parallel, same OIDs: the 13 node scalars + 4 application columns).
# Prints medians over the cycles and the ratio.
#
#   bench/controller_poll.sh [N=1000] [CYCLES=5] [INTERVAL_S=10]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-1000} CYCLES=${2:-5} IV=${3:-10}
. "$ROOT/tests/lib/tap.sh"
export LAMON_BUILD=$BUILD
. "$ROOT/tests/lib/snmpd.sh"
lamon_test_init
ulimit -n 65536 2>/dev/null
PORT=$(free_udp_port)
addr() { echo "127.0.$((10 + ($1 - 1) / 250)).$((1 + ($1 - 1) % 250))"; }
addrs=$(for i in $(seq 1 "$N"); do printf 'udp:%s:%s,' "$(addr "$i")" "$PORT"; done)
SNMP_PORT=$PORT
cat >"$T/snmpd.conf" <<CONF
agentaddress ${addrs%,}
master agentx
agentXSocket $T/agentx.sock
agentXTimeout 1
rocommunity public 127.0.0.0/8
createUser $V3_USER SHA "$V3_AUTH" AES "$V3_PRIV"
rwuser $V3_USER priv
CONF
"$SNMPD" -f -r -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable &
LAMON_PIDS="$!"
wait_for 30 snmpget -v2c -c public -r0 -t1 "$(addr 1):$PORT" SNMPv2-MIB::sysUpTime.0 || { echo "snmpd did not start"; exit 1; }
printf 'nodename bench\nstatedir %s/state\ncache_ms 1000\napp web 80\n' "$T" >"$T/agent.conf"
"$BUILD/lamon-agent" -f -x "$T/agentx.sock" -c "$T/agent.conf" >"$T/agent.log" 2>&1 &
LAMON_PIDS="$LAMON_PIDS $!"
wait_for 20 sh -c "snmpget -v2c -c public -r0 -t1 -Oqv $(addr 1):$PORT LAMON-MIB::lamonNodeAgentVersion.0 | grep -qv 'No Such'"
# All N nodes share one agent: make it a spare once, so the controller has
# nothing to write and only polls.
snmpset -v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" "$(addr 1):$PORT" \
    LAMON-MIB::lamonNodeRole.0 i 3 >/dev/null
{
    echo "interval $((IV * 1000))"; echo "timeout 5000"; echo "control $T/ctl.sock"
    for i in $(seq 1 "$N"); do echo "node n$i $(addr "$i"):$PORT"; done
} >"$T/ctl.conf"
"$BUILD/lamon-controller" -f -c "$T/ctl.conf" >"$T/ctl.log" 2>&1 &
CTL=$!
LAMON_PIDS="$LAMON_PIDS $CTL"
wait_for 20 test -S "$T/ctl.sock" || { echo "controller did not start"; cat "$T/ctl.log"; exit 1; }
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
stat() { "$BUILD/lamonctl" -s "$T/ctl.sock" stats | awk -v k="$1" '$1 == k {print $2}'; }
oids=""
for c in 1 2 3 4 5 6 7 8 9 11 12 13 18; do oids="$oids .1.3.6.1.4.1.8072.9999.9999.9999.1.1.$c"; done
for c in 4 5 6 7; do oids="$oids .1.3.6.1.4.1.8072.9999.9999.9999.1.2.1.1.$c"; done
# baseline pass: prints "cpu_seconds varbinds" of all snmpbulkget children.
baseline() {
    python3 - "$N" "$PORT" $oids <<'PY'
import resource, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
n, port, oids = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def addr(i): return "127.0.%d.%d" % (10 + (i - 1) // 250, 1 + (i - 1) % 250)
def one(i):
    # numeric OIDs only: no MIB loading, which would dominate each process
    r = subprocess.run(["snmpbulkget", "-m", "", "-v2c", "-c", "public", "-r0", "-t5", "-Cn13", "-Cr8", "-On",
                        "%s:%s" % (addr(i), port)] + oids, capture_output=True, text=True)
    return r.stdout.count("\n")
with ThreadPoolExecutor(8) as ex:
    vbs = sum(ex.map(one, range(1, n + 1)))
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %d" % (ru.ru_utime + ru.ru_stime, vbs))
PY
}
sleep $((IV + 2))            # first cycle: sessions opened
echo "# N=$N interval=${IV}s cycles=$CYCLES"
echo "# cycle ctl_cpu_s ctl_varbinds ctl_vb_per_cpu_s ctl_cpu_share base_cpu_s base_varbinds base_vb_per_cpu_s base_wall_s"
for k in $(seq 1 "$CYCLES"); do
    c0=$(cpu $CTL) v0=$(stat varbinds) t0=$(date +%s.%N)
    b=$(baseline); t1=$(date +%s.%N)
    rest=$(echo "$IV - ($t1 - $t0)" | bc); [ "${rest#-}" = "$rest" ] && sleep "$rest"
    t2=$(date +%s.%N)
    c1=$(cpu $CTL) v1=$(stat varbinds)
    echo "$k $(echo "$c1 - $c0" | bc) $((v1 - v0)) $b $(echo "$t1 - $t0" | bc) $(echo "$t2 - $t0" | bc)"
done | awk '{ cc=$2; cv=$3; bc=$4; bv=$5; bw=$6; wall=$7;
             printf "%d %.3f %d %.0f %.2f%% %.3f %d %.0f %.1f\n", $1, cc, cv, (cc>0?cv/cc:0), 100*cc/wall, bc, bv, (bc>0?bv/bc:0), bw }' | tee "$T/rows"
python3 - "$T/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
col = lambda i: statistics.median(float(r[i].rstrip('%')) for r in rows)
print("median: controller %.0f varbinds/CPU-s, %.2f%% CPU, %.3f CPU-s per cycle; snmpbulkget %.0f varbinds/CPU-s, %.3f CPU-s per pass; ratio %.1fx"
      % (col(3), col(4), col(1), col(7), col(5), col(3) / col(7) if col(7) else 0))
PY
