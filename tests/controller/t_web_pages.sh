#!/usr/bin/env bash
# The web console's pages (controller/http_pages.c, http_page_node.c,
# http_static.c) against a real controller and three real agents behind
# real snmpd: the overview has a row per node with the state lamonctl
# shows, the counter line, the services page its members and directors,
# a node's page its values, applications, kernels and operation buttons,
# the log page the controller's log; a value an agent sends is escaped (the
# agent name of node 3, whose snmpd answers lamonNodeName itself with
# markup); /static/ serves web/ and refuses "..", %2e%2e, directories,
# hidden, unknown and missing names; /nodes/NOSUCH is 404.  With chromium,
# the overview as the browser builds it (the script ran on it).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"


# Node 3's snmpd answers lamonNodeName before its agent can: a value with
# markup reaches the controller like any agent's would.
HOSTILE='<i id="x">a&b</i>'
node_snmpd_extra() { [ "$1" = 3 ] && echo "override LAMON-MIB::lamonNodeName.0 octet_str '$HOSTILE'"; true; }
for n in 1 2 3; do start_node $n || bail "node $n did not start"; done

# The assets from a copy of web/, with what must never be served beside them.
mkdir -p "$T/web/sub.css" "$T/web/.hidden"
cp "$ROOT"/web/lamon.js "$ROOT"/web/lamon.css "$T/web/"
echo 'secret' >"$T/web/notes.md"
echo 'secret' >"$T/web/.hidden.css"
echo 'secret' >"$T/secret.css"
HTTP_PORT=$(free_tcp_port)
DIRPORT=$(free_udp_port)     # nobody answers there: an unreachable director
write_ctl_conf "$T/ctl.conf" "1 2 3" \
    "http 127.0.0.1:$HTTP_PORT" \
    "http_root $T/web" \
    "director lvs1 127.0.0.1:$DIRPORT" \
    "service www tcp 10.0.0.1:80 nodes 2 app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
U=http://127.0.0.1:$HTTP_PORT
wait_for 10 curl -sf -o /dev/null "$U/api/v1/nodes" || bail "no web console: $(cat "$T/controller.out")"

settled() { [ "$(count_role_state server up)" = 2 ] && [ "$(count_role_state spare up)" = 1 ]; }
wait_for 30 settled || bail "assignment: $(lamonctl status)"

# get PATH: the body; code PATH: the status; header PATH NAME: a header's value.
get() { curl -s --path-as-is "$U$1"; }
code() { curl -s --path-as-is -o /dev/null -w '%{http_code}' "$U$1"; }
header() { curl -s --path-as-is -D - -o /dev/null "$U$1" | tr -d '\r' | sed -n "s/^$2: //Ip" | head -n1; }

# --- the overview
page=$(get /)
is "$(code /)" 200 "GET / is 200"
like "$(header / Content-Type)" '^text/html; charset=utf-8' "... text/html"
like "$page" '<table id="nodes">' "the overview has table#nodes"
like "$page" '<link rel="icon" href="data:,">' "... and an empty icon, so the browser asks for no /favicon.ico"
rows=$(printf '%s' "$page" | grep -c '<tr data-node=')
is "$rows" 3 "one row per node"
while read -r name role _ state _; do
    like "$page" "<tr data-node=\"$name\" data-state=\"$state\" data-role=\"$role\"[^>]* class=\"state-$state\"" \
         "$name: data-state=$state data-role=$role, as lamonctl status says"
done < <(lamonctl status | awk 'NR > 1 && NF >= 9')
like "$page" '<p id="counters"><span class="counter" data-service="www"><b>www</b>: <span data-count="up">2</span> up, <span data-count="down">0</span> down, <span data-count="spares">0</span> spares</span>' \
     "the counter line: www 2 up, 0 down"
like "$page" '<span data-count="pool">1</span> cold spares' "... and the pool's cold spare"
like "$page" '<input id="filter"' "a filter box"
is "$(printf '%s' "$page" | grep -o '<th data-sort="[a-z0-9_]*"' | wc -l)" 7 "seven sortable columns"
like "$page" '<form id="login" method="post" action="/api/v1/login"><input name="user"' "the login form"
like "$page" '<dialog id="confirm">' "the confirmation dialog"
like "$page" '<script defer src="/static/lamon.js\?v=[1-9][0-9]*"></script>' "the script, named with its stamp"
unlike "$page" 'http://|https://|<script>|style=' "nothing from elsewhere, no inline script or style"

# --- services
page=$(get /services)
is "$(code /services)" 200 "GET /services is 200"
like "$page" '<section class="service" id="svc-www" data-service="www">' "a section per service"
like "$page" 'wanted now <span data-field="target">2</span>' "... with the number wanted"
for s in $(lamonctl status | awk 'NR > 1 && $2 == "server" {print $1}'); do
    like "$page" "<tr data-node=\"$s\" data-state=\"up\" class=\"state-up\"><td><a href=\"/nodes/$s\">$s</a>" \
         "the members list $s"
done
like "$page" '<div class="director" data-director="lvs1" data-reachable="false">' "the director, unreachable"
like "$(get /api/v1/services)" '"reachable": false, "destinations": 0, "dests": \[\]' \
     "/api/v1/services has each director's dests"

# --- a node's page
page=$(get /nodes/node1)
is "$(code /nodes/node1)" 200 "GET /nodes/node1 is 200"
like "$page" '<body data-page="node" data-node="node1">' "the node's page names its node"
like "$page" "<td data-field=\"kernel_running\">$(uname -r)</td>" "the running kernel, polled"
like "$page" '<td data-field="agent_version">[0-9]+\.[0-9]+\.[0-9]+</td>' "the agent's version, polled"
like "$page" '<tr data-app="web" data-oper="up"' "the application web, up"
for op in drain undrain reboot shutdown kernel packages; do
    like "$page" "<button type=\"button\" data-op=\"$op\">" "operation button $op"
done
for op in start stop restart; do
    like "$page" "<button type=\"button\" data-app-op=\"$op\" data-app=\"web\">" "application button $op"
done
like "$page" '<select id="period">' "select#period"
like "$page" '<img loading="lazy" data-graph="/graph/node/node1/load" src="/graph/node/node1/load\?period=day"' "the load graph"
like "$page" 'src="/graph/app/node1/web/conns\?period=day"' "the application's graph"
like "$page" '<table id="jobs">' "the recent jobs' table"
like "$(get /api/v1/nodes/node1)" "\"kernel_running\": \"$(uname -r)\"" "/api/v1/nodes/node1 has the running kernel"
like "$(lamonctl node node1)" "kernel: +$(uname -r) \(next boot " "lamonctl node shows the kernels"

# An agent's value with markup is escaped wherever it shows.
page=$(get /nodes/node3)
like "$page" '<td data-field="agent_name">&lt;i id=&quot;x&quot;&gt;a&amp;b&lt;/i&gt;</td>' \
     "node3's agent name is escaped"
unlike "$page" '<i id="x">' "... and its markup is nowhere"
like "$(get /api/v1/nodes/node3)" '"agent_name": "<i id=\\"x\\">a&b</i>"' "(the JSON has it as it came)"

is "$(code /nodes/NOSUCH)" 404 "GET /nodes/NOSUCH is 404"
page=$(get '/nodes/%3Cb%3Ex')
like "$page" 'There is no node <b>&lt;b&gt;x</b>' "... naming the node escaped"

# --- the log
page=$(get /log)
is "$(code /log)" 200 "GET /log is 200"
like "$page" '<ol id="log" data-next="[1-9][0-9]*">' "the log page has ol#log and the next line number"
like "$page" '<li>[^<]*web console on http://127.0.0.1:' "... with the controller's log lines"

# --- assets
is "$(code /static/lamon.js)" 200 "/static/lamon.js is 200"
like "$(header /static/lamon.js Content-Type)" '^text/javascript' "... as text/javascript"
like "$(header /static/lamon.js Cache-Control)" 'max-age=[1-9]' "... with a Cache-Control max-age"
is "$(get /static/lamon.css | md5sum)" "$(md5sum <"$ROOT/web/lamon.css")" "/static/lamon.css is web/lamon.css"
like "$(header /static/lamon.css Content-Type)" '^text/css' "... as text/css"
for bad in /static/../secret.css /static/%2e%2e /static/%2e%2e%2fsecret.css /static/..%2fsecret.css \
           /static/sub.css /static/sub.css/ /static/.hidden.css /static/.hidden /static/notes.md \
           /static/nosuch.js /static/LAMON.JS /static/ /static '/static/lamon.js%00.css'; do
    c=$(code "$bad")
    like "$c" '^40[04]$' "GET $bad is refused ($c)"
done
unlike "$(get /static/../secret.css; get /static/%2e%2e%2fsecret.css; get /static/.hidden.css; get /static/notes.md)" \
       secret "no refused file's content is sent"
is "$(code /api/v1/nodes)" 200 "the controller still answers"

# --- the browser's view of the overview, after the script ran
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
    dom=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$T/chromium" \
          --virtual-time-budget=3000 --dump-dom "$U/" 2>/dev/null)
    is "$(printf '%s' "$dom" | grep -o '<tr data-node=' | wc -l)" 3 "chromium: three rows after the script's refresh"
    like "$dom" '<th data-sort="name" tabindex="0">' "chromium: the script made the columns sortable"
else
    skip "no chromium"; skip "no chromium"
fi
done_testing
