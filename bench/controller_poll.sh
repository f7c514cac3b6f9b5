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
. "$ROOT/bench/many_nodes.sh"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
many_nodes_snmpd
many_nodes_agent
many_nodes_controller
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
