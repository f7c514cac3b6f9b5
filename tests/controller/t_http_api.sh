#!/usr/bin/env bash
# The web console's JSON reads and its request limits, with a real
# controller and real nodes (snmpd + lamon-agent):
#  - /api/v1/nodes is the array `lamonctl --json status` has under "nodes",
#    /api/v1/nodes/NAME, /services, /status and /stats are lamonctl's --json
#    views, /api/v1/log?since=N gives the lines from N on;
#  - unknown nodes and jobs are 404, a POST to a read is 405, a GET of an
#    unknown path 404;
#  - malformed and over-long requests (path, URL, header lines, headers,
#    body, garbage) get 400/413 or are closed, and the controller keeps
#    polling and answering;
#  - bad http lines are refused at start with file and line; a SIGHUP that
#    moves the address moves the server; without an http line nothing listens.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
RAW="python3 $(dirname "$0")/http_raw.py"

HTTP_PORT=$(free_tcp_port)
URL=http://127.0.0.1:$HTTP_PORT
# code PATH [CURL ARGS]: the HTTP status of a request; body in $T/body
code() { local p=$1; shift; curl -s -o "$T/body" -w '%{http_code}' "$@" "$URL$p"; }
jq_py() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

start_node 1 || bail "node 1 did not start"
start_node 2 || bail "node 2 did not start"
write_ctl_conf "$T/ctl.conf" "1 2" "http 127.0.0.1:$HTTP_PORT"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
wait_for 20 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | awk '\$4==\"up\"' | wc -l | grep -qx 2" ||
    bail "nodes never up: $(lamonctl status)"
like "$(cat "$T/controller.log")" "web console on http://127.0.0.1:$HTTP_PORT/" "the log says where the console is"

# --- the reads are lamonctl's views
is "$(code /api/v1/nodes)" 200 "GET /api/v1/nodes is 200"
cp "$T/body" "$T/nodes.json"
lamonctl --json status >"$T/status.json"
# last_seen and the heartbeat count move between two calls; the rest must not.
stable='[{k: v for k, v in n.items() if k not in ("last_seen", "load1")} for n in d]'
is "$(jq_py "$T/nodes.json" "$stable")" "$(python3 -c "import json; d = json.load(open('$T/status.json'))['nodes']; print($stable)")" \
    "/api/v1/nodes is the array lamonctl --json status has under \"nodes\""
is "$(jq_py "$T/nodes.json" '",".join(n["name"] + ":" + n["state"] for n in d)')" "node1:up,node2:up" \
    "... with both nodes up"
is "$(code /api/v1/nodes/node2)" 200 "GET /api/v1/nodes/node2 is 200"
lamonctl --json node node2 >"$T/node2.json"
keys='sorted(d.keys())'
is "$(jq_py "$T/body" "$keys")" "$(jq_py "$T/node2.json" "$keys")" "... with the fields of lamonctl --json node node2"
is "$(jq_py "$T/body" '[d["name"], d["apps"][0]["name"]]')" "['node2', 'web']" "... node2 and its application web"
is "$(code /api/v1/nodes/nosuch)" 404 "an unknown node is 404"
is "$(jq_py "$T/body" 'd["error"]')" "no node nosuch" "... saying which"
is "$(code /api/v1/services)" 200 "GET /api/v1/services is 200"
is "$(cat "$T/body")" "$(lamonctl --json services)" "... lamonctl --json services"
is "$(code /api/v1/stats)" 200 "GET /api/v1/stats is 200"
like "$(cat "$T/body")" '"cycles": [0-9]+' "... with the cycle count"
is "$(code /api/v1/status)" 200 "GET /api/v1/status is 200"
is "$(jq_py "$T/body" 'sorted(d.keys())')" "$(jq_py "$T/status.json" 'sorted(d.keys())')" "... lamonctl --json status"
is "$(code /api/v1/jobs/99)" 404 "an unknown job is 404"
is "$(code /api/v1/jobs/x1)" 404 "a job that is no number is 404"

# --- the big reads are rendered once for many clients (http_cache.h)
metric() { curl -s "$URL/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
hit=0
for round in 1 2 3 4 5; do
    h0=$(metric lamon_web_cache_hits_total) s0=$(metric lamon_web_cache_stores_total)
    urls=(); for i in $(seq 10); do urls+=("$URL/api/v1/nodes"); done
    curl -s -D "$T/cache.hdr" -o /dev/null "${urls[@]}"
    h1=$(metric lamon_web_cache_hits_total) s1=$(metric lamon_web_cache_stores_total)
    [ $((h1 - h0 + s1 - s0)) = 10 ] || { fail "10 requests are 10 renderings or copies (hits $h0 -> $h1, stores $s0 -> $s1)"; break; }
    [ $((h1 - h0)) -gt 0 ] && { hit=1; break; }
done
check "10 requests of /api/v1/nodes in a row: some answered from one rendering (round $round: $((h1 - h0)) copies, $((s1 - s0)) renderings)" test "$hit" = 1
is "$(grep -ci '^Content-Type: application/json' "$T/cache.hdr")" 10 "... every answer with its content type"

# --- the live log
is "$(code /api/v1/log)" 200 "GET /api/v1/log is 200"
is "$(jq_py "$T/body" 'd["log"]')" "$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['log'])" "$(lamonctl --json log)")" \
    "... every line lamonctl --json log has"
next=$(jq_py "$T/body" 'd["next"]')
code "/api/v1/log?since=$next" >/dev/null
is "$(jq_py "$T/body" 'd["log"]')" "[]" "since=next: no line yet"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "curl -s '$URL/api/v1/log?since=$next' | grep -q 'configuration reloaded'"
code "/api/v1/log?since=$next" >/dev/null
like "$(jq_py "$T/body" 'd["log"][-1]')" "configuration reloaded from " "... after a SIGHUP, its lines, the reload last"
unlike "$(jq_py "$T/body" 'd["log"]')" "started: " "... and none from before"
is "$(jq_py "$T/body" 'd["first"]')" "$next" "... numbered from since"
like "$(jq_py "$T/body" 'd["run"]')" '^[0-9]{16}$' "... and the run of the controller they belong to"
is "$(code '/api/v1/log?since=x')" 400 "since that is no number is 400"
code '/api/v1/log?since=999999' >/dev/null
is "$(jq_py "$T/body" 'd["first"] <= d["next"] and len(d["log"]) == d["next"] - d["first"]')" True \
    "since beyond the end (a page that outlived a restart): this run's lines from the first"
is "$(jq_py "$T/body" 'd["log"][0]')" "$(curl -s "$URL/api/v1/log" | python3 -c 'import json, sys; print(json.load(sys.stdin)["log"][0])')" \
    "... starting with the first line"

# --- methods and paths
is "$(code /api/v1/nodes -X POST)" 405 "a POST to a read is 405"
is "$(code /api/v1/nodes -X DELETE)" 405 "... and so is a DELETE (only GET, HEAD and POST)" ||
    diag "got $(cat "$T/body")"
is "$(code /nosuch/page)" 404 "an unknown path is 404"
is "$(code /api/v1/nodes -I)" 200 "HEAD of a read is 200"

# --- malformed and over-long requests; the controller goes on
c0=$(lamonctl --json stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["cycles"])')
is "$(code '/api/v1/nodes/a%00b')" 400 "an encoded NUL in the path is 400"
is "$(code '/api/v1/nodes/a%2Fb')" 400 "an encoded / in the path is 400"
is "$(code '/api/v1/nodes/a%zz')" 400 "a bad %-escape is 400"
is "$($RAW "$HTTP_PORT" long-url 3000)" 413 "a URL of 3,000 bytes is 413"
is "$($RAW "$HTTP_PORT" headers 80)" 413 "80 header lines are 413"
like "$($RAW "$HTTP_PORT" header-bytes 9000)" '^(400|413)$' "a header of 9,000 bytes is 400 or 413"
like "$($RAW "$HTTP_PORT" body 20000)" '^413$' "a body of 20,000 bytes is 413"
like "$($RAW "$HTTP_PORT" request-line 'GARBAGE')" '^(400|closed)$' "a request line of one word is 400 (or closed)"
like "$($RAW "$HTTP_PORT" request-line 'GET /api/v1/nodes HTTP/9.9')" '^(400|505|closed)$' \
    "an unknown HTTP version is refused"
for i in 1 2 3 4 5; do $RAW "$HTTP_PORT" garbage 3000 >>"$T/garbage.out"; done
unlike "$(cat "$T/garbage.out")" '^(200|timeout)$' "3,000 random bytes (5 times) are never answered 200 nor left hanging"
is "$(code /api/v1/nodes)" 200 "the server still answers after all of them"
wait_for 10 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"cycles\"])') -ge $((c0 + 2)) ]"
c1=$(lamonctl --json stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["cycles"])')
check "the controller kept polling (cycles $c0 -> $c1)" test "$c1" -ge $((c0 + 2))
like "$(cat "$T/controller.log")" "web console: 127.0.0.1: refused" "refusals are logged"
n=$(grep -c "web console: 127.0.0.1" "$T/controller.log")
check "... at most a few lines for the lot ($n)" test "$n" -le 6

# --- a SIGHUP that moves the address moves the server, and the clients of
# the old address (a page polling on a keep-alive connection) are let go
NEW_PORT=$(free_tcp_port)
$RAW "$HTTP_PORT" keepalive "$T/reloaded" >"$T/keepalive.out" & ka=$!
wait_for 5 test -e "$T/reloaded.first"
sed -i "s/^http .*/http $NEW_PORT/" "$T/ctl.conf"
n0=$(grep -c "configuration reloaded" "$T/controller.log")
kill -HUP "$CTL_PID"
wait_for 10 sh -c "[ \$(grep -c 'configuration reloaded' '$T/controller.log') -gt $n0 ]"
touch "$T/reloaded"
wait "$ka"
is "$(cat "$T/keepalive.out")" "200 503 closed" \
    "a keep-alive client of the old address gets 503 and a closed connection after the move"
wait_for 10 curl -sf "http://127.0.0.1:$NEW_PORT/api/v1/nodes" || true
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NEW_PORT/api/v1/nodes")" 200 \
    "after a SIGHUP with 'http $NEW_PORT', the console answers on 127.0.0.1:$NEW_PORT"
check_fails "... and no longer on the old port" curl -sf "$URL/api/v1/nodes"
sed -i "/^http /d" "$T/ctl.conf"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "! curl -sf http://127.0.0.1:$NEW_PORT/api/v1/nodes"
check_fails "without an http line after a SIGHUP, nothing answers" curl -sf "http://127.0.0.1:$NEW_PORT/api/v1/nodes"
like "$(cat "$T/controller.log")" "web console stopped" "... and the log says so"
stop_controller
is "$?" 0 "the controller stops cleanly after all of it"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "... with no sanitizer report (ASan builds)"

# --- bad http lines are refused with file and line
bad() {
    write_ctl_conf "$T/bad.conf" "1" "$1"
    timeout 10 "$CTL_BIN" -f -c "$T/bad.conf" 2>&1
}
like "$(bad 'http nosuchhost.invalid:80')" "bad.conf: line [0-9]+: .*http: cannot use address" "an unresolvable http address names file and line"
like "$(bad 'http 127.0.0.1:0')" "bad.conf: line [0-9]+: .*cannot use address" "port 0 is refused"
like "$(bad 'http 127.0.0.1:99999')" "bad.conf: line [0-9]+: .*cannot use address" "port 99999 is refused"
like "$(bad "$(printf 'http 127.0.0.1:%s\nhttp 127.0.0.1:%s' "$HTTP_PORT" "$HTTP_PORT")")" "line [0-9]+: .*http is given twice" \
    "two http lines are refused"
like "$(bad 'http_tls cert.pem key.pem')" "line [0-9]+: .*http_tls: 'cert.pem' is not an absolute path" "relative TLS paths are refused"
like "$(bad 'http_users')" "bad.conf: line [0-9]+: .*http_users" "http_users without a file is refused"
# A port in use: the controller says so and does not start.
BUSY_PORT=$(free_tcp_port)
python3 -c 'import socket, time, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(8)' \
    "$BUSY_PORT" & holder=$!
wait_for 5 sh -c "ss -Hltn 'sport = :$BUSY_PORT' | grep -q ."
write_ctl_conf "$T/busy.conf" "1" "http 127.0.0.1:$BUSY_PORT"
out=$(timeout 10 "$CTL_BIN" -f -c "$T/busy.conf" 2>&1); rc=$?
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
check "a controller whose http port is taken exits non-zero ($rc)" test "$rc" -ne 0 -a "$rc" -ne 124
like "$out" "web console: cannot listen on 127.0.0.1:$BUSY_PORT" "... saying why"

# --- an http line with a host name that has an IPv6 and an IPv4 address:
# the console answers on what its listener bound, whichever it is (a
# private /etc/hosts in a mount namespace of its own)
NAME_PORT=$(free_tcp_port)
printf '::1 lamon-dual\n127.0.0.1 lamon-dual localhost\n' >"$T/hosts"
write_ctl_conf "$T/name.conf" "1" "http lamon-dual:$NAME_PORT"
sed -i "s|^control .*|control $T/name.sock|; s|^logfile .*|logfile $T/name.log|" "$T/name.conf"
if unshare -m true 2>/dev/null; then
    unshare -m sh -c "mount --bind '$T/hosts' /etc/hosts && exec '$CTL_BIN' -f -c '$T/name.conf'" >"$T/name.out" 2>&1 &
    NAME_PID=$!
    LAMON_PIDS="$LAMON_PIDS $NAME_PID"
    wait_for 10 test -S "$T/name.sock"
    bound=$(ss -Hltn "sport = :$NAME_PORT" | awk '{ print $4 }' | head -n 1)
    case $bound in \[::1\]:*) u="http://[::1]:$NAME_PORT" ;; *) u="http://127.0.0.1:$NAME_PORT" ;; esac
    is "$(curl -s -g -o /dev/null -w '%{http_code}' "$u/api/v1/nodes")" 200 "'http lamon-dual:$NAME_PORT' answers on the address it bound ($bound)"
    kill "$NAME_PID"; wait "$NAME_PID"
else
    skip "no mount namespace for a private /etc/hosts"
fi

# --- at the descriptor limit, a flood of connections does not make it spin
LOW_PORT=$(free_tcp_port)
write_ctl_conf "$T/low.conf" "1" "http 127.0.0.1:$LOW_PORT"
CTL_SOCK=$T/low.sock
sed -i "s|^control .*|control $CTL_SOCK|; s|^logfile .*|logfile $T/low.log|" "$T/low.conf"
(ulimit -n 24; exec "$CTL_BIN" -f -c "$T/low.conf") 2> >(stdbuf -o0 head -c 65536 >"$T/low.err"; cat >/dev/null) &
LOW_PID=$!
LAMON_PIDS="$LAMON_PIDS $LOW_PID"
wait_for 10 curl -sf "http://127.0.0.1:$LOW_PORT/api/v1/nodes" || bail "the controller with ulimit -n 24 did not start: $(cat "$T/low.err")"
r=$($RAW "$LOW_PORT" flood "$LOW_PID" 60 3)
diag "flood: $r"
if [ "$(jq_py /dev/stdin 'd["cpu_s"] < 0.25 * d["wall_s"]' <<<"$r")" = True ]; then
    ok "at its descriptor limit with 60 connections open, the controller does not spin ($r)"
else
    fail "at its descriptor limit with 60 connections open, the controller does not spin ($r)"
fi
like "$(cat "$T/low.log")" "web console: accept: Too many open files" "the log says accept failed and why"
n=$(grep -c "web console: accept" "$T/low.log")
check "... rate-limited ($n lines)" test "$n" -le 2
wait_for 15 curl -sf "http://127.0.0.1:$LOW_PORT/api/v1/nodes"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LOW_PORT/api/v1/nodes")" 200 "once they are gone, it answers again"
check "... and its stderr stayed small" test "$(wc -c <"$T/low.err")" -lt 8192
kill "$LOW_PID"; wait "$LOW_PID"
done_testing
