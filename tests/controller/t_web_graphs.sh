#!/usr/bin/env bash
# The web console's graphs (/graph/..., controller/http_graph.h): a real
# controller polling real snmpd + lamon-agent nodes into an rrddir, graphs
# drawn by forked children with librrd.  Every kind and period is a real
# PNG; bad names, kinds and periods get 404/400; a second request is
# served from the cache without a new child; requests at once for more
# graphs than there are children wait in the queue and are all drawn
# (never more than 4 children), a flood beyond the queue gets 503s, and
# the controller keeps polling while they are drawn, with no zombie left;
# clients that go away are answered into their closed connections or,
# when queued, dropped at their turn without a drawing; chromium asks
# again for a graph that failed; stopping with requests queued is clean.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"

HTTP_PORT=$(free_tcp_port)
BASE=http://127.0.0.1:$HTTP_PORT

for n in 1 2; do start_node $n || bail "node $n did not start"; done
mkdir -p "$T/rrd"
CTL_INTERVAL=1000
mkdir -p "$T/web"
cp "$ROOT"/web/lamon.js "$ROOT"/web/lamon.css "$T/web/"
write_ctl_conf "$T/ctl.conf" "1 2" "rrddir $T/rrd" "http 127.0.0.1:$HTTP_PORT" "http_root $T/web" "director lvs1 127.0.0.1:9" \
    "service www tcp 10.0.0.1:80 nodes 1 app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

stat_of() { lamonctl --json stats | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
# code URL: the status code; the body goes to $T/body.
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }

for f in node-node1 node-node2 app-node1-web service-www; do
    wait_for 20 test -f "$T/rrd/$f.rrd" || bail "$f.rrd not written"
done
# A few polls into the files.
c0=$(stat_of 'd["cycles"]')
wait_for 20 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"cycles\"])') -ge $((c0 + 4)) ]" \
    || bail "the controller does not poll"

# --- every kind and period: a real PNG ------------------------------------------
png_ok() {  # URL: 200, image/png, PNG magic, 600 x 240
    local url=$1 got
    got=$(curl -s -o "$T/g.png" -w '%{http_code} %{content_type}' "$url")
    [ "$got" = "200 image/png" ] || { echo "$url: $got $(head -c 200 "$T/g.png")"; return 1; }
    [ "$(head -c 8 "$T/g.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "$url: no PNG magic"; return 1; }
    file "$T/g.png" | grep -q 'PNG image data, 600 x 240' || { echo "$url: $(file "$T/g.png")"; return 1; }
}
all_periods() {  # PATH: every period, and the default
    local p bad=0
    for p in hour day week month; do png_ok "$BASE$1?period=$p" || bad=1; done
    png_ok "$BASE$1" || bad=1
    return $bad
}
for g in node/node1/load node/node1/cpu node/node1/mem node/node1/conns node/node2/load \
         app/node1/web/conns service/www/nodes service/www/conns; do
    check "GET /graph/$g: a 600x240 PNG for every period and the default" all_periods "/graph/$g"
done

# --- errors -----------------------------------------------------------------------
is "$(code "$BASE/graph/node/nosuch/load")" 404 "a node without an RRD: 404"
like "$(cat "$T/body")" '"error": "no graph data for node nosuch' "... saying so"
is "$(code "$BASE/graph/app/node1/nosuch/conns")" 404 "an application without an RRD: 404"
is "$(code "$BASE/graph/service/nosuch/nodes")" 404 "a service without an RRD: 404"
is "$(code --path-as-is "$BASE/graph/node/..%2e/load")" 404 "a name of dots: 404, not a path out of rrddir"
is "$(code "$BASE/graph/node/a%20b/load")" 404 "a name with a space: 404"
is "$(code "$BASE/graph/node/node1/load?period=year")" 400 "period=year: 400"
like "$(cat "$T/body")" 'period is hour, day, week or month' "... naming the periods"
is "$(code "$BASE/graph/node/node1/load?period=")" 400 "an empty period: 400"
is "$(code "$BASE/graph/node/node1/disk")" 400 "a node graph that does not exist: 400"
like "$(cat "$T/body")" 'load, cpu, mem, conns' "... naming the node graphs"
is "$(code "$BASE/graph/service/www/load")" 400 "a node graph of a service: 400"
is "$(code "$BASE/graph/app/node1/web/nodes")" 400 "a service graph of an application: 400"
is "$(code -X POST "$BASE/graph/node/node1/load")" 405 "a POST: 405"

# --- the cache --------------------------------------------------------------------
png_ok "$BASE/graph/node/node1/mem?period=month" >/dev/null
k0=$(stat_of 'd["graphs"]["children"]') h0=$(stat_of 'd["graphs"]["cached"]')
check "the same graph again: a PNG" png_ok "$BASE/graph/node/node1/mem?period=month"
is "$(stat_of 'd["graphs"]["children"]')" "$k0" "... drawn by no new child"
is "$(stat_of 'd["graphs"]["cached"]')" "$((h0 + 1))" "... but served from the cache"
like "$(curl -s -D - -o /dev/null "$BASE/graph/node/node1/mem?period=month")" 'Cache-Control: max-age=[0-9]+' \
    "a cached graph says how long it stays good"

# --- holding the children ----------------------------------------------------------------
# A stopped child stands for a drawing that never ends (killed after 10 s).
# catch_child NAME: requests a fresh graph (answer in $T/NAME, code in
# $T/NAME-code, curl's pid in $CURL) until its drawing child can be
# stopped; its pid in $stopped ("" when none was caught in 10 tries).
# Children already in $held are left alone.
held=
catch_child() {
    local try i p
    stopped=
    for try in $(seq 1 10); do
        "$ROOT/rrd/lamon-rrd-create" --step 10 service "$T/rrd/service-$1$try.rrd"
        curl -s -o "$T/$1" -w '%{http_code}' "$BASE/graph/service/$1$try/nodes?period=week" >"$T/$1-code" &
        CURL=$!
        for i in $(seq 1 400); do
            for p in $(ps -o pid= --ppid "$CTL_PID"); do
                case " $held " in *" $p "*) ;; *) stopped=$p; break ;; esac
            done
            [ -n "$stopped" ] && { kill -STOP "$stopped" 2>/dev/null || stopped=; break; }
            sleep 0.005
        done
        # Caught when it is stopped ("T") and its request still waits (it
        # may have been caught exiting, its answer on the way).
        sleep 0.1
        [ -n "$stopped" ] && [ "$(ps -o stat= -p "$stopped" | cut -c1)" = T ] && kill -0 "$CURL" 2>/dev/null && return 0
        [ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null
        stopped=
        wait "$CURL"
    done
    return 1
}
# hold_all NAME: stops 4 drawing children (every one there may be): the
# next requests for other graphs queue.  Their curls in $curls.  A held
# child is killed 10 s after it started, so the 4 must be caught within
# 3 s (else they are let go and caught again, at most 5 times): the steps
# that follow have the rest of the 10 s.
hold_all() {
    local round k t0 ok
    for round in 1 2 3 4 5; do
        held= curls= ok=1 t0=${EPOCHREALTIME/./}
        for k in 1 2 3 4; do
            catch_child "$1$round$k" || { ok=0; break; }
            held="$held $stopped" curls="$curls $CURL"
        done
        [ $ok = 1 ] && [ $(( ${EPOCHREALTIME/./} - t0 )) -le 3000000 ] && return 0
        release
        wait $curls
        no_child
    done
    return 1
}
release() { kill -CONT $held 2>/dev/null; held=; }
no_child() { wait_for 15 sh -c "[ -z \"\$(ps -o pid= --ppid $CTL_PID)\" ]"; }
fresh_rrds() {  # PREFIX N: service RRDs PREFIX1..PREFIXN that nobody drew yet
    local i
    for i in $(seq 1 "$2"); do "$ROOT/rrd/lamon-rrd-create" --step 10 service "$T/rrd/service-$1$i.rrd"; done
}
# fetch_all PERIOD URL...: at once, one status code per line ($FETCH_OPTS: more curl options)
fetch_all() {
    local p=$1 u args=()
    shift
    for u in "$@"; do args+=(-o /dev/null "$BASE$u?period=$p"); done
    # shellcheck disable=SC2086
    curl -s --no-progress-meter -Z --parallel-immediate --parallel-max 100 ${FETCH_OPTS:-} -w '%{http_code}\n' "${args[@]}"
}

# --- more graphs at once than children -----------------------------------------------------
# A node page asks for 5 or more graphs at once, a period change as many
# again: with a cold cache the ones beyond the 4 children wait their turn.
fresh_rrds q 6
fetch_all day $(for i in $(seq 1 6); do echo /graph/service/q$i/nodes /graph/service/q$i/conns; done) >"$T/codes"
is "$(wc -l <"$T/codes")" 12 "12 different graphs at once with a cold cache: 12 answers"
is "$(sort -u "$T/codes")" 200 "... all 200 (none refused busy)"
check "... never more than 4 children at once" sh -c "[ $(stat_of 'd["graphs"]["peak"]') -le 4 ]"
diag "queued so far: $(stat_of 'd["graphs"]["queued"]'), children: $(stat_of 'd["graphs"]["children"]')"
check "... and no child left" no_child

# Deterministically: 4 children held, then a request for graph X twice and
# a flood of 78 more different graphs: 64 wait (X twice and 62 of the
# flood), 16 get 503 at once; released, the 64 are drawn, X once.
fresh_rrds h 40
if hold_all busy; then
    k0=$(stat_of 'd["graphs"]["children"]') b0=$(stat_of 'd["graphs"]["busy"]') q0=$(stat_of 'd["graphs"]["queued"]')
    fetch_all hour /graph/service/h1/nodes /graph/service/h1/nodes >"$T/x-codes" &
    XPID=$!
    wait_for 10 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"graphs\"][\"queued\"])') -ge $((q0 + 2)) ]" \
        || fail "the two requests for X were not queued"
    fetch_all hour $(for i in $(seq 2 40); do echo /graph/service/h$i/nodes /graph/service/h$i/conns; done) \
        >"$T/flood-codes" &
    FPID=$!
    wait_for 10 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"graphs\"][\"busy\"])') -ge $((b0 + 16)) ]" \
        || fail "no 503 for the flood beyond the queue"
    is "$(stat_of 'd["graphs"]["queued"]')" "$((q0 + 64))" "4 children held and 80 requests: 64 wait in the queue"
    is "$(stat_of 'd["graphs"]["busy"]')" "$((b0 + 16))" "... 16 beyond it are refused busy"
    release
    wait "$XPID" "$FPID"
    wait $curls
    is "$(sort "$T/x-codes" | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" "200x2 " "... X asked twice while queued: both 200"
    is "$(grep -c 200 "$T/flood-codes")" 62 "... 62 of the flood drawn (200)"
    is "$(grep -c 503 "$T/flood-codes")" 16 "... 16 answered 503"
    is "$(stat_of 'd["graphs"]["children"]')" "$((k0 + 63))" "... by 63 children: X drawn once for both"
    check "... never more than 4 at once" sh -c "[ $(stat_of 'd["graphs"]["peak"]') -le 4 ]"
    check "... no child left" no_child
else
    release
    fail "could not hold the children"
fi
check "the controller still runs after the flood" kill -0 "$CTL_PID"

# --- 60 at once ---------------------------------------------------------------------
# Graphs nobody drew yet: RRDs of the reference layout for 60 more services.
for i in $(seq 1 60); do "$ROOT/rrd/lamon-rrd-create" --step 10 service "$T/rrd/service-f$i.rrd"; done
burst() {  # KIND PERIOD: 60 requests at once, one status code per line
    local urls=() i
    for i in $(seq 1 60); do urls+=(-o /dev/null "$BASE/graph/service/f$i/$1?period=$2"); done
    curl -s --no-progress-meter -Z --parallel-immediate --parallel-max 60 -w '%{http_code}\n' "${urls[@]}"
}
burst nodes hour >"$T/codes"
is "$(wc -l <"$T/codes")" 60 "60 requests at once: 60 answers"
is "$(sort -u "$T/codes")" 200 "... all 200: 4 children and a queue of 64 hold them"
diag "$(sort "$T/codes" | uniq -c | tr '\n' ' ')"
check "... and no child left (no zombie)" no_child
is "$(stat_of 'd["graphs"]["running"]')" 0 "... none counted as running"

# Bursts in the background until told to stop (at most 100): the poll
# cycles go on while graphs are drawn.
kinds=(nodes conns) periods=(hour day week month)
(
    for r in $(seq 0 99); do
        [ -e "$T/stop" ] && break
        burst "${kinds[r % 2]}" "${periods[(r / 2) % 4]}"
    done >"$T/bg-codes"
) &
BG=$!
c0=$(stat_of 'd["cycles"]') k0=$(stat_of 'd["graphs"]["children"]')
wait_for 20 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"cycles\"])') -ge $((c0 + 2)) ]" \
    && ok "the controller kept polling during the bursts" || fail "no poll cycle during the bursts"
k1=$(stat_of 'd["graphs"]["children"]')
check "... while graphs were being drawn" sh -c "kill -0 $BG && [ $k1 -gt $k0 ]"
touch "$T/stop"; wait "$BG"
is "$(grep -cvE '^(200|503)$' "$T/bg-codes")" 0 "every background request answered 200 or 503 ($(wc -l <"$T/bg-codes") of them)"
check "... and no child left" wait_for 15 sh -c "[ -z \"\$(ps -o pid= --ppid $CTL_PID)\" ]"

# --- clients that go away ----------------------------------------------------------
# evhttp does not read a connection while its request is pending, so a
# client that leaves is not noticed then (http_graph.h).  With 4 children
# held: 20 queued requests whose clients give up are dropped at their turn
# (their sockets read end-of-file) without a drawing; the 4 whose drawings
# were under way are answered into their closed connections.  Under ASan
# a use after free or a leak would show here or at the end.
fresh_rrds g 20
if hold_all gone; then
    g0=$(stat_of 'd["graphs"]["gone"]') k0=$(stat_of 'd["graphs"]["children"]')
    FETCH_OPTS="-m 1" fetch_all month $(for i in $(seq 1 20); do echo /graph/service/g$i/conns; done) >"$T/gone-codes"
    is "$(sort -u "$T/gone-codes")" 000 "20 queued clients gave up (curl -m 1)"
    kill $curls 2>/dev/null
    wait $curls 2>/dev/null
    release
    check "... the held drawings end (answered into closed connections)" no_child
    wait_for 10 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"graphs\"][\"gone\"])') -ge $((g0 + 20)) ]"
    is "$(stat_of 'd["graphs"]["gone"]')" "$((g0 + 20))" "... the 20 gone clients dropped at their turn"
    is "$(stat_of 'd["graphs"]["children"]')" "$k0" "... and nothing drawn for them"
else
    release
    fail "could not hold the children"
fi
check "clients gone: the controller still runs" kill -0 "$CTL_PID"
check "... and draws" png_ok "$BASE/graph/service/g1/conns?period=month"
check "... and no child left" no_child

# --- a drawing that hangs ---------------------------------------------------------------
# A stopped child stands for a drawing that never ends: killed after 10 s,
# reaped, and its request answered 503.
t0=$(stat_of 'd["graphs"]["timeouts"]')
if catch_child hung; then
    wait "$CURL"
    is "$(cat "$T/hung-code")" 503 "a drawing that hangs: 503"
    like "$(cat "$T/hung")" 'drawing took longer than 10 s' "... saying it took too long"
    is "$(stat_of 'd["graphs"]["timeouts"]')" "$((t0 + 1))" "... counted as a timeout"
    check "... and the child is killed and reaped" wait_for 5 sh -c "[ -z \"\$(ps -o pid= --ppid $CTL_PID)\" ]"
else
    fail "could not catch a drawing child to stop it"
fi

# --- no rrddir ------------------------------------------------------------------------
sed -i "/^rrddir /d" "$T/ctl.conf"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' log | grep -q 'configuration reloaded'" || fail "no reload"
is "$(code "$BASE/graph/node/node1/load")" 404 "no rrddir: 404"
like "$(cat "$T/body")" 'no rrddir' "... saying there is no rrddir"

# The page's script asks again for a graph that failed: 3 more times, 2 s
# apart (virtual time), each img then has data-tries="3".
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
    r0=$(stat_of 'd["graphs"]["requests"]')
    dom=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$T/chromium" \
          --window-size=1200,4000 --virtual-time-budget=15000 --dump-dom "$BASE/nodes/node1" 2>/dev/null)
    imgs=$(printf '%s' "$dom" | grep -o '<img[^>]*data-graph=' | wc -l)
    check "chromium: the node page has graphs" [ "$imgs" -ge 5 ]
    is "$(printf '%s' "$dom" | grep -o '<img[^>]*data-tries="3"' | wc -l)" "$imgs" \
        "chromium: each failed graph was asked for 3 more times (data-tries=\"3\")"
    is "$(( $(stat_of 'd["graphs"]["requests"]') - r0 ))" "$((imgs * 4))" "... 4 requests per graph, and no more"
else
    skip "no chromium"; skip "no chromium"; skip "no chromium"
fi

# --- stopping with drawings under way and requests queued -------------------------------
# The children are killed and reaped, the waiting and queued requests
# dropped, nothing leaked (the ASan build reports leaks and errors at exit).
echo "rrddir $T/rrd" >>"$T/ctl.conf"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' log | grep -c 'configuration reloaded') -ge 2 ]" || fail "no second reload"
fresh_rrds s 5
if hold_all last; then
    q0=$(stat_of 'd["graphs"]["queued"]')
    fetch_all day $(for i in $(seq 1 5); do echo /graph/service/s$i/nodes; done) >"$T/stop-codes" &
    SPID=$!
    wait_for 10 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"graphs\"][\"queued\"])') -ge $((q0 + 5)) ]" \
        || fail "the 5 requests were not queued"
    kill "$CTL_PID"; wait "$CTL_PID"; rc=$?
    is "$rc" 0 "stopped with 4 graphs being drawn and 5 queued: exit status 0"
    check "... its children are gone" sh -c "for p in $held; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
    wait $curls "$SPID"
    is "$(grep -c 200 "$T/stop-codes")" 0 "... the queued requests were not answered 200"
else
    fail "could not hold the children"
fi
unlike "$(cat "$T/controller.out")" 'Sanitizer|runtime error' "... no sanitizer report"

done_testing
