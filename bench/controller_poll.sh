#!/usr/bin/env bash
# Polling throughput of lamon-controller: N "nodes" (one stock snmpd
# listening on N loopback addresses, one real lamon-agent behind it over
# AgentX, see DESIGN.md), polled every INTERVAL_S.  Per cycle it records
# the controller's CPU seconds and varbinds read, the share of the N nodes
# that answered in that cycle, and snmpd's and the agent's CPU (to see
# which process is the bottleneck).  In the same run, a baseline does the
# same reads with snmpbulkget (one process per target, 8 in parallel, same
# OIDs: the 13 node scalars as non-repeaters + 4 application columns with
# 8 repetitions, i.e. the controller's PDU) on BASE_N of the targets.
# Cacti's spine is installed, but it reads its hosts from a Cacti MySQL
# database, which this bench does not set up.
# Prints one row per cycle, then medians and the ratio.
#
#   bench/controller_poll.sh [N=1000] [CYCLES=5] [INTERVAL_S=10]
#   env: BUILD, TIMEOUT_MS (controller's SNMP timeout, default 5000),
#        BASE_N (baseline targets per cycle, default min(N, 1000); 0: no
#        baseline, the controller alone)
#
# Bounded: CYCLES cycles after a start-up of at most 2 intervals + 120 s; a
# baseline pass stops launching after 3 intervals.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-1000} CYCLES=${2:-5} IV=${3:-10}
TIMEOUT_MS=${TIMEOUT_MS:-5000}
BASE_N=${BASE_N:-$((N < 1000 ? N : 1000))}
. "$ROOT/tests/lib/tap.sh"
export LAMON_BUILD=$BUILD
. "$ROOT/tests/lib/snmpd.sh"
lamon_test_init
# One socket per node in the controller and one per address in snmpd.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 200)) ]; then
    echo "open files limit $(ulimit -n) is below N + 200"; exit 1
fi
PORT=$(free_udp_port)
addr() { echo "127.0.$((10 + ($1 - 1) / 250)).$((1 + ($1 - 1) % 250))"; }
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# snmpd joins agentaddress lines into one 2.5 KB buffer (about 115
# addresses, the rest are dropped without a word), but it joins listening
# addresses given as arguments without a limit: one argument per address.
addrs=()
for ((i = 1; i <= N; i++)); do addrs+=("udp:$(addr "$i"):$PORT"); done
{
    cat <<CONF
master agentx
agentXSocket $T/agentx.sock
agentXTimeout 1
rocommunity public 127.0.0.0/8
createUser $V3_USER SHA "$V3_AUTH" AES "$V3_PRIV"
rwuser $V3_USER priv
dontLogTCPWrappersConnects yes
CONF
} >"$T/snmpd.conf"
"$SNMPD" -f -r -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable "${addrs[@]}" &
SNMPD_PID=$!
LAMON_PIDS="$SNMPD_PID"
wait_for 60 snmpget -v2c -c public -r0 -t1 "$(addr "$N"):$PORT" SNMPv2-MIB::sysUpTime.0 ||
    { echo "snmpd did not start on all addresses"; tail "$T/snmpd.log"; exit 1; }
nlisten=$(ss -Hulnp | grep -c "pid=$SNMPD_PID,")
[ "$nlisten" -ge "$N" ] || { echo "snmpd listens on $nlisten addresses, not $N"; exit 1; }
echo "# snmpd: listens on $nlisten addresses, $(ls /proc/$SNMPD_PID/fd | wc -l) fds, $(awk '/VmRSS/ {print $2 / 1024 " MB"}' /proc/$SNMPD_PID/status) RSS"
printf 'nodename bench\nstatedir %s/state\ncache_ms 1000\napp web 80\n' "$T" >"$T/agent.conf"
"$BUILD/lamon-agent" -f -x "$T/agentx.sock" -c "$T/agent.conf" >"$T/agent.log" 2>&1 &
AGENT_PID=$!
LAMON_PIDS="$LAMON_PIDS $AGENT_PID"
wait_for 20 sh -c "snmpget -v2c -c public -r0 -t1 -Oqv $(addr 1):$PORT LAMON-MIB::lamonNodeAgentVersion.0 | grep -qv 'No Such'" ||
    { echo "agent did not register"; exit 1; }
# All N nodes share one agent: make it a spare once, so the controller has
# nothing to write and only polls.
snmpset -v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" "$(addr 1):$PORT" \
    LAMON-MIB::lamonNodeRole.0 i 3 >/dev/null
{
    echo "interval $((IV * 1000))"; echo "timeout $TIMEOUT_MS"; echo "control $T/ctl.sock"
    for i in $(seq 1 "$N"); do echo "node n$i $(addr "$i"):$PORT"; done
} >"$T/ctl.conf"
start_s=$(date +%s.%N)
"$BUILD/lamon-controller" -f -c "$T/ctl.conf" >"$T/ctl.log" 2>&1 &
CTL=$!
LAMON_PIDS="$LAMON_PIDS $CTL"
wait_for 60 test -S "$T/ctl.sock" || { echo "controller did not start"; tail "$T/ctl.log"; exit 1; }
sock_s=$(date +%s.%N)
lamonctl() { timeout 30 "$BUILD/lamonctl" -s "$T/ctl.sock" "$@"; }
stat_of() { lamonctl stats | awk -v k="$1" '$1 == k {print $2}'; }
cycles_ge() { [ "$(stat_of cycles)" -ge "$1" ] 2>/dev/null; }
# The first cycle opens N sessions; it is over when the second one starts.
wait_for $((2 * IV + 120)) cycles_ge 2 || { echo "controller never finished a cycle"; exit 1; }
echo "# controller start-up: control socket after $(echo "$sock_s - $start_s" | bc) s, second cycle after $(echo "$(date +%s.%N) - $start_s" | bc) s;" \
     "$(ls /proc/$CTL/fd | wc -l) fds, $(awk '/VmRSS/ {print $2 / 1024 " MB"}' /proc/$CTL/status) RSS"
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
# answered SINCE: nodes whose last_seen is SINCE (epoch s) or later.
answered() {
    lamonctl status --json | python3 -c '
import json, sys, datetime
since = float(sys.argv[1])
n = 0
for x in json.load(sys.stdin)["nodes"]:
    t = x.get("last_seen")
    if t and datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp() >= since:
        n += 1
print(n)' "$1"
}
oids=""
for c in 1 2 3 4 5 6 7 8 9 11 12 13 18; do oids="$oids .1.3.6.1.4.1.8072.9999.9999.9999.1.1.$c"; done
for c in 4 5 6 7; do oids="$oids .1.3.6.1.4.1.8072.9999.9999.9999.1.2.1.1.$c"; done
# baseline pass: prints "cpu_seconds varbinds targets_done".
baseline() {
    python3 - "$BASE_N" "$PORT" "$((3 * IV))" $oids <<'PY'
import resource, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
n, port, limit, oids = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4:]
deadline = time.monotonic() + limit
def addr(i): return "127.0.%d.%d" % (10 + (i - 1) // 250, 1 + (i - 1) % 250)
def one(i):
    if time.monotonic() > deadline:
        return None
    # numeric OIDs only: no MIB loading, which would dominate each process
    r = subprocess.run(["snmpbulkget", "-m", "", "-v2c", "-c", "public", "-r0", "-t5", "-Cn13", "-Cr8", "-On",
                        "%s:%s" % (addr(i), port)] + oids, capture_output=True, text=True)
    return sum(1 for l in r.stdout.splitlines() if l.startswith("."))   # one varbind per -On line
with ThreadPoolExecutor(8) as ex:
    res = [r for r in ex.map(one, range(1, n + 1)) if r is not None]
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %d %d" % (ru.ru_utime + ru.ru_stime, sum(res), len(res)))
PY
}
echo "# N=$N interval=${IV}s cycles=$CYCLES timeout=${TIMEOUT_MS}ms baseline targets=$BASE_N"
echo "# cycle ctl_cpu_s ctl_varbinds ctl_vb_per_cpu_s ctl_cpu_share answered_pct snmpd_cpu_share agent_cpu_share base_cpu_s base_varbinds base_vb_per_cpu_s base_targets base_wall_s load1"
for k in $(seq 1 "$CYCLES"); do
    c0=$(cpu $CTL) s0=$(cpu $SNMPD_PID) a0=$(cpu $AGENT_PID) v0=$(stat_of varbinds) t0=$(date +%s.%N)
    b=$(baseline); t1=$(date +%s.%N)
    rest=$(echo "$IV - ($t1 - $t0)" | bc); [ "${rest#-}" = "$rest" ] && sleep "$rest"
    c1=$(cpu $CTL) s1=$(cpu $SNMPD_PID) a1=$(cpu $AGENT_PID) v1=$(stat_of varbinds) t2=$(date +%s.%N)
    ans=$(answered "${t0%.*}")
    echo "$k $(echo "$c1 - $c0" | bc) $((v1 - v0)) $ans $(echo "$s1 - $s0" | bc) $(echo "$a1 - $a0" | bc) $b $(echo "$t1 - $t0" | bc) $(echo "$t2 - $t0" | bc) $(cut -d' ' -f1 /proc/loadavg)"
done | awk -v n="$N" '{ cc=$2; cv=$3; ans=$4; sc=$5; ac=$6; bc=$7; bv=$8; bt=$9; bw=$10; wall=$11;
             printf "%d %.3f %d %.0f %.2f%% %.1f%% %.1f%% %.1f%% %.3f %d %.0f %d %.1f %s\n", $1, cc, cv, (cc>0?cv/cc:0), 100*cc/wall,
                    100*ans/n, 100*sc/wall, 100*ac/wall, bc, bv, (bc>0?bv/bc:0), bt, bw, $12 }' | tee "$T/rows"
python3 - "$T/rows" "$N" "$IV" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
n, iv = int(sys.argv[2]), float(sys.argv[3])
col = lambda i: statistics.median(float(r[i].rstrip('%')) for r in rows)
base_share = 100 * col(8) / max(col(11), 1) * n / iv   # all N targets every interval
if col(11) == 0:   # BASE_N=0: the controller alone
    print("median over %d cycles, N=%d: controller %.0f varbinds/CPU-s, %.2f%% of one core, %.3f CPU-s per cycle, %.1f%% of nodes answered; "
          "snmpd %.1f%%, agent %.1f%% of one core; no baseline; load1 %.2f"
          % (len(rows), n, col(3), col(4), col(1), col(5), col(6), col(7), col(13)))
    sys.exit(0)
print("median over %d cycles, N=%d: controller %.0f varbinds/CPU-s, %.2f%% of one core, %.3f CPU-s per cycle, %.1f%% of nodes answered; "
      "snmpd %.1f%%, agent %.1f%% of one core; snmpbulkget %.0f varbinds/CPU-s (%.0f targets in %.1f s), would need %.0f%% of one core for N every %.0f s; "
      "ratio %.1fx; load1 %.2f"
      % (len(rows), n, col(3), col(4), col(1), col(5), col(6), col(7), col(10), col(11), col(12), base_share, iv,
         col(3) / col(10) if col(10) else 0, col(13)))
PY
