#!/usr/bin/env bash
# The web console's targets (issue 13): server time of the overview page and
# /api/v1/nodes with 1,000 nodes (<= 20 ms), of /metrics with 10,000 nodes
# (<= 100 ms), and the poll cycle's duration with and without 50 clients
# refreshing the overview every second (unchanged within noise).
#
# The cluster is bench/many_nodes.sh's: one stock snmpd listening on N
# loopback addresses, one real lamon-agent behind it over AgentX, the
# controller polling n1..nN every IV seconds, here with "http 127.0.0.1:P".
#
# Server time = time to first byte (curl's time_starttransfer) of R requests
# over one keep-alive connection on loopback, the first one (connection,
# warm-up) left out; median reported.  The controller renders the whole
# answer before it sends the status line (evhttp_send_reply), so the first
# byte comes after parsing, routing, rendering and the first write, and
# after whatever the loop was busy with when the request came (polls).
# Total time (the whole body read) and the size are reported beside it.
#
# Poll cycle duration: lamon_poll_cycle_duration_seconds_sum and _count from
# /metrics, read every second; each change of _count gives the duration of
# the cycles that closed (delta sum / delta count), so every cycle is seen.
# Two rounds of two windows of WINDOW_S seconds in the same run: without
# clients, then with CLIENTS clients, each fetching / and /api/v1/nodes once
# a second over its own keep-alive connection (a page's refresh and its
# live JSON); with each window's CPU of the controller, snmpd + agent and
# the clients.
#
#   bench/web_bench.sh [pages|metrics|all]     (default all)
#     pages:   N_PAGES nodes (1000), IV 5 s: GET / and /api/v1/nodes, then the cycles
#     metrics: N_METRICS nodes (10000), IV 60 s (one snmpd serves ~300-500 polls a
#              second, so every node is reached in a cycle): GET /metrics once all are polled
#   env: BUILD, R (21), CLIENTS (50), WINDOW_S (40), TIMEOUT_MS (5000)
#
# Bounded: start-up as many_nodes.sh's (2 intervals + 120 s at most), R
# requests with a 30 s limit each, four windows, a 300 s wait for 10,000
# nodes to be polled once.  Benchmarks measure; nothing here asserts.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
MODE=${1:-all}
R=${R:-21} CLIENTS=${CLIENTS:-50} WINDOW_S=${WINDOW_S:-40} TIMEOUT_MS=${TIMEOUT_MS:-5000}
if [ "$MODE" = all ]; then
    "$0" pages && "$0" metrics
    exit
fi
case $MODE in
pages) N=${N_PAGES:-1000} IV=5 ;;
metrics) N=${N_METRICS:-10000} IV=60 ;;
*) echo "usage: $0 [pages|metrics|all]"; exit 2 ;;
esac
. "$ROOT/tests/lib/tap.sh"
export LAMON_BUILD=$BUILD
. "$ROOT/tests/lib/snmpd.sh"
lamon_test_init
. "$ROOT/bench/many_nodes.sh"
HP=$(free_udp_port)          # a port no UDP socket holds; checked for TCP below
while ss -Hltn "sport = :$HP" | grep -q .; do HP=$(free_udp_port); done
BASE=http://127.0.0.1:$HP
echo "# $MODE: N=$N interval=${IV}s load before: $(cut -d' ' -f1-3 /proc/loadavg)"
many_nodes_snmpd
many_nodes_agent
many_nodes_controller "http 127.0.0.1:$HP"

# server_time PATH [fresh]: "code median_ttfb_ms median_total_ms bytes reused"
# over R requests on one connection (the first left out).  With "fresh" each
# request has a query of its own (?fresh=I, ignored by the handlers), so none
# is answered from the 250 ms cache (controller/http_cache.h): every one is
# rendered.
server_time() {
    local args=() i
    for ((i = 0; i < R; i++)); do
        if [ "${2:-}" = fresh ]; then args+=(-o /dev/null "$BASE$1?fresh=$i"); else args+=(-o /dev/null "$BASE$1"); fi
    done
    curl -s --max-time $((30 * R)) -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download} %{num_connects}\n' \
        "${args[@]}" | python3 -c '
import statistics, sys
rows = [l.split() for l in sys.stdin][1:]
if not rows:
    print("no-answer - - - -"); sys.exit()
med = lambda i: statistics.median(float(r[i]) * 1000 for r in rows)
print(rows[-1][0], "%.2f" % med(1), "%.2f" % med(2), rows[-1][3], "%d/%d" % (sum(r[4] == "0" for r in rows), len(rows)))'
}
report() {   # NAME PATH [fresh]
    local r how=${3:-}
    r=$(server_time "$2" "$how")
    set -- "$1" "$2" $r
    echo "$1: GET $2${how:+ (each rendered: ?fresh=I)} -> HTTP $3, median time to first byte $4 ms, whole answer $5 ms, $6 bytes ($7 requests on the kept-alive connection; load1 $(cut -d' ' -f1 /proc/loadavg))"
}

if [ "$MODE" = metrics ]; then
    # All N polled once at least: one sample line of lamon_node_load1 each.
    polled() { curl -s "$BASE/metrics" | grep -c '^lamon_node_load1{'; }
    for ((i = 0; i < 60; i++)); do p=$(polled); [ "$p" -ge "$N" ] && break; sleep 5; done
    echo "# nodes polled at least once: $p of $N; /metrics lines: $(curl -s "$BASE/metrics" | wc -l)"
    report "(b) $N nodes" /metrics fresh
    echo "# controller: $(awk '/VmRSS/ {print $2 / 1024 " MB"}' /proc/$CTL/status) RSS, $(ls /proc/$CTL/fd | wc -l) fds"
    exit 0
fi

report "(a) $N nodes" / fresh
report "(a) $N nodes" /api/v1/nodes fresh
report "(a) $N nodes" /
report "(a) $N nodes" /api/v1/nodes
report "(a) $N nodes" /metrics

# (c) the poll cycle with and without CLIENTS clients: two rounds of a window
# without, then a window with; and each window's CPU of the controller, of
# snmpd + agent (which serve all N nodes, so they set the cycle's length)
# and of the clients themselves, all on the same 2 cores.
python3 - "$HP" "$CLIENTS" "$WINDOW_S" "$CTL" "$SNMPD_PID" "$AGENT_PID" <<'PY'
import http.client, os, resource, statistics, sys, threading, time
port, nclients, window = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
ctl, snmpd, agent = sys.argv[4:7]
hz = os.sysconf("SC_CLK_TCK")

def cpu(pid):
    with open("/proc/%s/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / hz

def own():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r.status

def cycles(seconds):
    """Durations (s) of the cycles that closed within SECONDS, and the CPU
    shares (controller, snmpd + agent, this process) over them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out, last = [], None
    c0, s0, o0, t0 = cpu(ctl), cpu(snmpd) + cpu(agent), own(), time.monotonic()
    end = t0 + seconds
    while time.monotonic() < end:
        conn.request("GET", "/metrics")
        body = conn.getresponse().read().decode()
        v = {}
        for line in body.splitlines():
            if line.startswith("lamon_poll_cycle_duration_seconds_sum ") or \
               line.startswith("lamon_poll_cycle_duration_seconds_count "):
                k, x = line.split()
                v[k.rsplit("_", 1)[1]] = float(x)
        if last and v["count"] > last["count"]:
            d = (v["sum"] - last["sum"]) / (v["count"] - last["count"])
            out += [d] * int(v["count"] - last["count"])
        last = v
        time.sleep(1)
    wall = time.monotonic() - t0
    return out, ((cpu(ctl) - c0) / wall, (cpu(snmpd) + cpu(agent) - s0) / wall, (own() - o0) / wall)

stop = threading.Event()
lat, errors, done = [], [0], [0]
lock = threading.Lock()
def client(i):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    time.sleep(i / nclients)             # spread over the second
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            for path in ("/", "/api/v1/nodes"):
                get(conn, path)
            with lock:
                lat.append(time.monotonic() - t0)
                done[0] += 1
        except Exception:
            with lock:
                errors[0] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        stop.wait(max(0.0, 1.0 - (time.monotonic() - t0)))

res = {False: [], True: []}
shares = {False: [], True: []}
for rnd in range(2):
    for busy in (False, True):
        threads = []
        if busy:
            stop.clear()
            threads = [threading.Thread(target=client, args=(i,)) for i in range(nclients)]
            for t in threads: t.start()
            time.sleep(2)
        d, sh = cycles(window)
        res[busy] += d
        shares[busy].append(sh)
        stop.set()
        for t in threads: t.join(timeout=60)
        print("# round %d %s clients: %d cycles, median %.1f ms; CPU: controller %.1f %%, snmpd + agent %.1f %%, bench clients %.1f %%; load1 %s"
              % (rnd + 1, "with" if busy else "without", len(d), 1000 * statistics.median(d) if d else 0,
                 100 * sh[0], 100 * sh[1], 100 * sh[2], open("/proc/loadavg").read().split()[0]))
fmt = lambda xs: "%.1f ms (n=%d, min %.1f, max %.1f)" % (1000 * statistics.median(xs), len(xs), 1000 * min(xs), 1000 * max(xs)) if xs else "no cycle"
print("(c) poll cycle without clients: median %s" % fmt(res[False]))
print("(c) poll cycle with %d clients: median %s; %d refreshes (/ + /api/v1/nodes), median %.1f ms each, %d errors"
      % (nclients, fmt(res[True]), done[0], 1000 * statistics.median(lat) if lat else 0, errors[0]))
if res[False] and res[True]:
    print("(c) ratio with / without: %.2f" % (statistics.median(res[True]) / statistics.median(res[False])))
PY
