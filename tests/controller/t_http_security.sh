#!/usr/bin/env bash
# The web console's operations and their security, against a real
# controller and three real agents behind real snmpd: operations without a
# session, without or with a wrong CSRF token, or by GET are refused and
# change nothing; failed logins are answered 401, then 429, and logged;
# the session cookie's attributes; a drain, an undrain and an application
# stop through the API end as jobs "ok"; an agent's refusal shows its SNMP
# error name in the job; a node's pending jobs are bounded (a fifth
# application start is refused and never sent); over-long and malformed
# requests get 400/413 while
# the controller keeps polling; the users file is reread on SIGHUP; TLS
# with a self-signed certificate (openssl CLI), plain http refused there.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
command -v curl >/dev/null && command -v openssl >/dev/null || bail "curl and openssl are needed"

K1=6.1.0-98-test
node_agent_extra() {   # N DIR: a kernel to choose, harmless reboot/shutdown, an app that never comes up
    mkdir -p "$2/boot"
    echo fake >"$2/boot/vmlinuz-$K1"
    grub-editenv "$2/grubenv" create
    printf '#!/bin/sh\necho start >>%s/stuck.starts\n' "$2" >"$2/stuck-start"
    chmod +x "$2/stuck-start"
    printf '%s\n' "reboot_cmd /usr/bin/touch $2/rebooted" "shutdown_cmd /usr/bin/touch $2/shut-down" \
        "boot_dir $2/boot" "grub_env $2/grubenv" "grub_editenv /usr/bin/grub-editenv" \
        "app stuck 9$1" "app_start stuck $2/stuck-start" "app_check stuck /bin/false"
}
for n in 1 2 3; do start_node $n || bail "node $n did not start"; done

HPORT=$(free_tcp_port)
B=http://127.0.0.1:$HPORT
USERS=$T/web-users
printf '# web console users\nalice:%s\n' "$(openssl passwd -6 -salt s4ltS4lt secret-a)" >"$USERS"
chmod 600 "$USERS"
DIRPORT=$(free_udp_port)
write_ctl_conf "$T/ctl.conf" "1 2 3" \
    "drain_timeout 3" \
    "director lvs1 127.0.0.1:$DIRPORT" \
    "service www tcp 10.0.0.1:80 nodes 1 app web director lvs1" \
    "http 127.0.0.1:$HPORT" \
    "http_users $USERS" \
    "http_names console.test"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
wait_for 10 curl -sf "$B/api/v1/stats" || bail "no web console on $B: $(cat "$T/controller.out")"

assigned() { [ "$(count_role_state server up)" = 1 ] && [ "$(lamonctl status | awk 'NR>1 && $2=="spare" && $4=="up"' | wc -l)" = 2 ]; }
wait_for 30 assigned || bail "assignment: $(lamonctl status)"
S='' P=()
for n in 1 2 3; do
    if [ "$(nodeget $n lamonNodeRole.0)" = 2 ]; then S=$n; else P+=($n); fi
done
diag "server node$S, spares ${P[*]}"

# req METHOD PATH [curl args...]: the status code; the body in $T/body, headers in $T/hdr.
req() {
    local m=$1 p=$2; shift 2
    curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" "$@" "$B$p"
}
body() { cat "$T/body"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$T/body" "$1"; }
state_of() { lamonctl status | awk -v n="node$1" '$1==n {print $4}'; }
cycles() { lamonctl stats | awk '$1=="cycles" {print $2}'; }

# --- refused operations change nothing
is "$(req POST /api/v1/nodes/node$S/drain)" 401 "drain without a session: 401"
like "$(body)" '"error": "log in first' "... saying to log in"
is "$(req GET /api/v1/nodes/node$S/drain)" 405 "GET on an operation path: 405"
is "$(req POST /api/v1/nodes/node$S/reboot -d csrf=whatever)" 401 "reboot without a session, a csrf field made up: 401"
is "$(req POST /api/v1/login -d 'user=alice&password=secret-a' -c "$T/jar")" 200 "login: 200"
js=$(body)
CSRF=$(jget 'd["csrf"]')
is "$(jget 'd["user"]')" alice "the login answers the user"
like "$CSRF" '^[0-9a-f]{64}$' "... and a CSRF token of 32 random bytes"
cookie=$(grep -i '^Set-Cookie:' "$T/hdr" | tr -d '\r')
like "$cookie" '^Set-Cookie: lamon_session=[0-9a-f]{64};' "the session cookie lamon_session"
for a in HttpOnly SameSite=Strict Path=/ Secure; do like "$cookie" "; $a(;|\$)" "... is $a"; done
is "$(req GET /api/v1/session -b "$T/jar")" 200 "GET /api/v1/session: 200"
is "$(jget 'd["user"] + " " + d["csrf"]')" "alice $CSRF" "... the session's user and CSRF token"
is "$(req GET /api/v1/session)" 200 "GET /api/v1/session without the cookie: 200"
is "$(jget 'd["user"] is None and d["csrf"] is None')" True "... user and csrf null"
is "$(req POST /api/v1/nodes/node$S/drain -b "$T/jar")" 403 "drain with the session, no CSRF token: 403"
like "$(body)" "missing CSRF token" "... the token is missing"
# The last digit changed: a token that ends in 0 gets a 1 (0 would be itself).
if [ "${CSRF: -1}" = 0 ]; then WRONG=${CSRF%?}1; else WRONG=${CSRF%?}0; fi
is "$(req POST /api/v1/nodes/node$S/drain -b "$T/jar" -H "X-CSRF-Token: $WRONG")" 403 "a wrong token in the header: 403"
like "$(body)" "wrong CSRF token" "... the token is wrong"
is "$(req POST /api/v1/nodes/node$S/drain -b "$T/jar" -d "csrf=${CSRF:1}")" 403 "a short token in the form: 403"
is "$(req POST /api/v1/nodes/node$S/drain -H "X-CSRF-Token: $CSRF" -H "Cookie: lamon_session=${CSRF}")" 401 \
    "the right token with a made-up session cookie: 401"
sleep 2      # two polls: a drain sent would show on the agent
is "$(nodeget $S lamonNodeState.0)" 2 "node$S is still running(2) on its agent"
is "$(state_of $S)" up "lamonctl still shows node$S up"
unlike "$(lamonctl log)" "operator: drain node node$S|web console: user alice from .*: drain" "the log has no drain request"

# --- failed logins: 401, then 429 past five from one address; logged
for i in 1 2 3 4 5; do
    c=$(req POST /api/v1/login --interface 127.0.0.9 -d 'user=alice&password=guess'$i)
    [ "$c" = 401 ] || break
done
is "$c" 401 "five wrong passwords from 127.0.0.9: 401 each"
is "$(req POST /api/v1/login --interface 127.0.0.9 -d 'user=alice&password=secret-a')" 429 \
    "the sixth login from 127.0.0.9, right password or not: 429"
like "$(grep -i '^Retry-After:' "$T/hdr")" 'Retry-After: [0-9]+' "... with Retry-After"
like "$(lamonctl log)" "login failed for user 'alice' from 127.0.0.9 \(wrong password\)" "the failure is logged with user and address"
unlike "$(lamonctl log)" "guess1" "... never the password"
is "$(req POST /api/v1/login --interface 127.0.0.10 -d 'user=mallory&password=x')" 401 "an unknown user: 401 too"
is "$(lamonctl log 0 | grep -c "login failed for user 'alice' from 127.0.0.9")" 5 "every one of the five failures is logged"
like "$(lamonctl log)" "login failed for user 'mallory' from 127.0.0.10 \(no such user\)" "... and the unknown user's, at once"

# --- only the console's own names and pages (DNS rebinding, other sites)
is "$(req GET /api/v1/nodes -H "Host: attacker.example:$HPORT")" 421 "a read for another host name (a rebound DNS name): 421"
is "$(req GET /api/v1/nodes -H "Host: console.test:$HPORT")" 200 "a name of http_names: 200"
is "$(req GET /api/v1/nodes -H "Host: localhost:$HPORT")" 200 "localhost: 200"
is "$(req POST /api/v1/login --interface 127.0.0.11 -H "Origin: http://attacker.example" -d 'user=alice&password=secret-a')" 403 \
    "a login posted by another site (Origin): 403"
is "$(req POST /api/v1/login --interface 127.0.0.11 -H "Sec-Fetch-Site: cross-site" -d 'user=alice&password=secret-a')" 403 \
    "... or marked cross-site by the browser: 403"
is "$(req POST /api/v1/nodes/node$S/drain -b "$T/jar" -H "X-CSRF-Token: $CSRF" -H "Origin: http://attacker.example")" 403 \
    "a drain with session and token, posted by another site: 403"
is "$(req POST /api/v1/nodes/node$S/drain -b "$T/jar" -H "X-CSRF-Token: $CSRF" -H "Origin: http://127.0.0.1:$((HPORT + 1))")" 403 \
    "... or by another port of the same host: 403"
sleep 2
is "$(state_of $S)" up "node$S was not drained by any of them"
is "$(req POST /api/v1/login -d 'user=alice')" 400 "a login without a password: 400"

# --- a drain through the API: a job that ends ok in maintenance
wait_job() {   # N: waits until the job ended; its JSON in $T/body
    local i
    for i in $(seq 1 300); do
        req GET "/api/v1/jobs/$1" >/dev/null
        [ "$(jget 'd["result"]' 2>/dev/null)" != pending ] && return 0
        sleep 0.2
    done
    return 1
}
is "$(req POST /api/v1/nodes/node$S/drain -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 202 "drain with session and token: 202"
J=$(jget 'd["job"]')
is "$(jget 'd["href"]')" "/api/v1/jobs/$J" "... answering its job"
like "$(grep -i '^Location:' "$T/hdr")" "/api/v1/jobs/$J" "... in Location too"
wait_job "$J" || fail "the drain job never ended"
is "$(jget 'd["result"] + " " + d["operation"] + " " + d["node"]')" "ok drain node$S" "the drain job ends ok"
like "$(jget '"|".join(d["steps"])')" "node$S: state maintenance" "its steps show the state maintenance"
like "$(jget 'd["progress"]')" "drain done: state maintenance" "its progress line is the result"
is "$(state_of $S)" maintenance "lamonctl shows node$S in maintenance"
like "$(lamonctl log)" "web console: user alice from 127.0.0.1: drain on node node$S \(job $J\)" "the log names the user and the job"
like "$(lamonctl log)" "node node$S: drain done: state maintenance \(job $J\)" "... and the job's end"
like "$(lamonctl job $J)" "result: ok" "lamonctl job $J shows the same job"

is "$(req POST /api/v1/nodes/node$S/drain -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 409 "a second drain: 409"
like "$(body)" "already in maintenance" "... with the controller's reason"
is "$(req POST /api/v1/nodes/node$S/undrain -b "$T/jar" -d "csrf=$CSRF")" 202 "undrain with the token as a form field: 202"
J2=$(jget 'd["job"]')
is "$((J2 > J))" 1 "job numbers go on"
wait_job "$J2" || fail "the undrain job never ended"
is "$(jget 'd["result"]')" ok "the undrain job ends ok"
like "$(jget 'd["message"]')" "undrain done: state (up|app-wait|app-down)" "... in a state lamonctl undrain waits for"

# --- an application stop on a spare through the API
Q=${P[0]}
is "$(req POST /api/v1/nodes/node$Q/apps/web/stop -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 202 "app web stop on node$Q: 202"
J3=$(jget 'd["job"]')
wait_job "$J3" || fail "the app job never ended"
is "$(jget 'd["result"] + " " + d["operation"] + " " + d["app"]')" "ok app stop web" "the app stop job ends ok"
like "$(jget '"|".join(d["steps"])')" "application web down" "... its steps show the application down"
check "node$Q's application is stopped (its flag file is gone)" test ! -e "$T/node$Q/web.up"
is "$(req POST /api/v1/nodes/node$Q/apps/nosuch/start -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 409 "an unknown application: 409"
is "$(req POST /api/v1/nodes/node9/reboot -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 404 "an unknown node: 404"

# --- the agent's refusals, in the job
is "$(req POST /api/v1/nodes/node$Q/kernel -b "$T/jar" -H "X-CSRF-Token: $CSRF" -d release=9.9.9-unknown)" 202 \
    "kernel of a release the node lacks: 202"
wait_job "$(jget 'd["job"]')" || fail "the kernel job never ended"
is "$(jget 'd["result"]')" failed "the kernel job fails"
like "$(jget 'd["message"]')" "refused by the agent: inconsistentValue" "... with the agent's error name"
is "$(jget 'type(d["steps"]).__name__ + " " + type(d["progress"]).__name__')" "list str" "a node_ops job has steps and progress"
is "$(req POST /api/v1/nodes/node$Q/packages -b "$T/jar" -H "X-CSRF-Token: $CSRF" \
      --data-urlencode 'action=install' --data-urlencode 'packages=Bad_Name!')" 202 "pkg install of an invalid name: 202"
wait_job "$(jget 'd["job"]')" || fail "the packages job never ended"
like "$(jget 'd["result"] + " " + d["message"]')" "^failed .*refused by the agent: wrongValue" "the packages job fails with wrongValue"
is "$(req POST /api/v1/nodes/node$Q/kernel -b "$T/jar" -H "X-CSRF-Token: $CSRF" -d release=$K1)" 202 "kernel $K1: 202"
wait_job "$(jget 'd["job"]')" || fail "the kernel job never ended"
is "$(jget 'd["result"] + " " + str(d["ops"][0]["exit_code"])')" "ok 0" "... ends ok, exit code 0"
is "$(req POST /api/v1/nodes/node$Q/kernel -b "$T/jar" -H "X-CSRF-Token: $CSRF" -d 'release=a b')" 400 "a release with a space: 400"
is "$(req POST /api/v1/nodes/node$Q/packages -b "$T/jar" -H "X-CSRF-Token: $CSRF" -d 'action=purge&packages=x')" 400 "an unknown package action: 400"
is "$(req POST /api/v1/nodes/node$Q/reboot -b "$T/jar" -H "X-CSRF-Token: $CSRF" -d 'force=1')" 400 "a field an operation does not take: 400"
is "$(req POST /api/v1/nodes/node$Q/reboot -b "$T/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d '{}')" 400 \
    "a body that is no form: 400"
check "reboot_cmd never ran on node$Q" test ! -e "$T/node$Q/rebooted"

is "$(req GET "/api/v1/jobs?node=node$Q")" 200 "GET /api/v1/jobs?node=node$Q: 200"
is "$(jget '" ".join(x["operation"] for x in d)')" "kernel pkg install kernel app stop" "... its jobs, newest first, of both kinds"
is "$(jget 'all(x["node"] == "node'$Q'" for x in d)')" True "... only that node's"

# --- a node's pending jobs are bounded: application "stuck" never comes
# up, so each start's job waits (drain_timeout + 30 s); the fifth is refused
# before it is sent.  Each start is seen by the agent before the next.
R=${P[1]}
starts() { if [ -e "$T/node$R/stuck.starts" ]; then wc -l <"$T/node$R/stuck.starts"; else echo 0; fi; }
for k in 1 2 3 4; do
    c=$(req POST /api/v1/nodes/node$R/apps/stuck/start -b "$T/jar" -H "X-CSRF-Token: $CSRF")
    [ "$c" = 202 ] || break
    wait_for 10 sh -c "[ \$(cat '$T/node$R/stuck.starts' 2>/dev/null | wc -l) -ge $k ]" || break
done
is "$c $(starts)" "202 4" "four app stuck start on node$R: 202 each, each run by the agent"
is "$(req GET "/api/v1/jobs?node=node$R")" 200 "node$R's jobs"
is "$(jget 'sum(x["result"] == "pending" and x["operation"] == "app start" for x in d)')" 4 "... four app start jobs pending"
is "$(req POST /api/v1/nodes/node$R/apps/stuck/start -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 409 \
    "a fifth app start on node$R while four are pending: 409"
like "$(jget 'd["error"]')" "node node$R: 4 application jobs are still in progress" "... saying so"
is "$(lamonctl log | grep -c "operator: application stuck on node node$R start")" 4 "the log has four start requests, not five"
like "$(lamonctl log)" "app stuck start on node node$R refused: node node$R: 4 application jobs are still in progress" \
    "... and the refusal"
is "$(state_of $R)" up "node$R is still up, not draining"
# A kernel job on node$R goes through the same writes: once it ended, a
# fifth start, had it been sent, would have reached the agent.
is "$(req POST /api/v1/nodes/node$R/kernel -b "$T/jar" -H "X-CSRF-Token: $CSRF" -d release=$K1)" 202 \
    "an operation of another kind on node$R: 202"
wait_job "$(jget 'd["job"]')" || fail "the kernel job never ended"
is "$(jget 'd["result"]')" ok "... it ends ok"
is "$(starts)" 4 "the agent ran app stuck start four times, not five"

# --- bounded requests: 400/413, and the loop carries on
c0=$(cycles)
raw() {   # BYTES (printf format): the status code of the answer to them
    python3 - "$HPORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
try:
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
data = b""
while True:
    try:
        b = s.recv(65536)
    except (ConnectionResetError, socket.timeout):
        break
    if not b:
        break
    data += b
line = data.split(b"\r\n", 1)[0].decode("latin-1")
print(line.split(" ")[1] if line.startswith("HTTP/") else "none:" + line)
PY
}
long=$(head -c 3000 /dev/zero | tr '\0' a)
is "$(raw "GET /api/v1/nodes?x=$long HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")" 413 "a URL of 3,000 bytes: 413"
hdrs=$(for i in $(seq 1 70); do printf 'X-H%d: 1\\r\\n' "$i"; done)
is "$(raw "GET /api/v1/nodes HTTP/1.1\r\nHost: 127.0.0.1\r\n${hdrs}Connection: close\r\n\r\n")" 413 "70 header lines: 413"
is "$(raw "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n$(head -c 20000 /dev/zero | tr '\0' b)")" 413 \
    "a body of 20,000 bytes: 413"
is "$(raw "BLAH\r\n\r\n")" 400 "a malformed request line: 400"
is "$(raw "POST /api/v1/nodes/x\x1b[31mRED\rFORGED/drain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")" 401 \
    "a POST whose path holds an escape sequence and a CR, without a session: 401"
wait_for 5 grep -q 'RED?FORGED' "$T/controller.log"
like "$(grep 'RED?FORGED' "$T/controller.log")" 'x\?\[31mRED\?FORGED/drain' "... logged with '?' for the control bytes"
check_fails "... no escape or CR reaches the log file" grep -q "$(printf '[\033\r]')" "$T/controller.log"
is "$(raw "GET /api/v1/%2e%2e%2f HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")" 400 "an encoded / in the path: 400"
is "$(req GET /api/v1/stats)" 200 "the next request is answered"
wait_for 5 sh -c "[ \$('$LAMONCTL_BIN' -s '$CTL_SOCK' stats | awk '\$1==\"cycles\" {print \$2}') -gt $c0 ]"
is "$?" 0 "the controller keeps polling (cycles past $c0)"

# --- logout, and the users file reread on SIGHUP
is "$(req POST /api/v1/logout -b "$T/jar")" 403 "a logout of a live session without its CSRF token: 403"
is "$(req POST /api/v1/logout -b "$T/jar" -c "$T/jar" -H "X-CSRF-Token: $CSRF")" 200 "logout: 200"
is "$(req POST /api/v1/nodes/node$Q/reboot -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 401 "after the logout the old session is refused"
is "$(req POST /api/v1/nodes/node$Q/reboot -H "Cookie: lamon_session=0123abcd" -H "X-CSRF-Token: $CSRF")" 401 \
    "a cookie of no session: 401"
unlike "$(grep -i '^Set-Cookie:' "$T/hdr")" 'lamon_session' "... which leaves the cookie alone (another console on the host may own it)"
is "$(req POST /api/v1/logout -H "Cookie: lamon_session=0123abcd")" 200 "a logout with a dead cookie: 200"
like "$(grep -i '^Set-Cookie:' "$T/hdr")" 'lamon_session=;.*Max-Age=0' "... and clears it"
is "$(req POST /api/v1/login -c "$T/jar" -d 'user=alice&password=secret-a')" 200 "a new login"
cp "$T/jar" "$T/jar.first"
CSRF1=$(jget 'd["csrf"]')
is "$(req POST /api/v1/login -b "$T/jar" -c "$T/jar" -d 'user=alice&password=secret-a')" 200 "a second login from the same browser"
CSRF=$(jget 'd["csrf"]')
is "$(req POST /api/v1/nodes/nosuch/reboot -b "$T/jar.first" -H "X-CSRF-Token: $CSRF1")" 401 \
    "... ends the browser's first session (one cookie, one session)"
is "$(req POST /api/v1/nodes/nosuch/reboot -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 404 "... while the new one works (no node nosuch: 404)"
printf 'bob:%s\nbad line\ncarol:$1$abc$def\nalice\n' "$(openssl passwd -6 -salt s4ltS4lt secret-b)" >"$USERS"
kill -HUP "$CTL_PID"
wait_for 5 grep -q "$USERS: line 2: not NAME:CRYPT-HASH" "$T/controller.log"
is "$?" 0 "a bad line is reported as FILE: line N: problem"
like "$(lamonctl log)" "$USERS: line 3: user carol: legacy hash method refused" "a legacy (MD5) hash is refused"
like "$(lamonctl log)" "1 session ended \(user gone or password changed\)" "alice's session ends: she left the file"
is "$(req POST /api/v1/nodes/node$Q/reboot -b "$T/jar" -H "X-CSRF-Token: $CSRF")" 401 "... her cookie is refused"
is "$(req POST /api/v1/login -d 'user=bob&password=secret-b')" 200 "bob, added, logs in"

# --- TLS: a self-signed certificate from the openssl CLI
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null || bail "openssl cannot make a certificate"
# A page polling over plain http on a keep-alive connection when TLS comes:
# that connection must not go on in clear, nor count as TLS at a login.
python3 "$(dirname "$0")/http_raw.py" "$HPORT" keepalive "$T/tls-on" >"$T/keepalive.out" & ka=$!
wait_for 5 test -e "$T/tls-on.first"
n0=$(grep -c "configuration reloaded" "$T/controller.log")
echo "http_tls $T/cert.pem $T/key.pem" >>"$T/ctl.conf"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "[ \$(grep -c 'configuration reloaded' '$T/controller.log') -gt $n0 ]"
touch "$T/tls-on"
wait "$ka"
is "$(cat "$T/keepalive.out")" "200 503 closed" "a plain keep-alive client when TLS is turned on: 503 and closed"
BS=https://127.0.0.1:$HPORT
wait_for 5 curl -sf --cacert "$T/cert.pem" "$BS/api/v1/stats"
is "$?" 0 "after the reload: https with curl --cacert works"
check_fails "plain http to the TLS port fails" curl -sf --max-time 5 "$B/api/v1/stats"
check_fails "https without trusting the certificate fails" curl -sf --max-time 5 "$BS/api/v1/stats"
code=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' --cacert "$T/cert.pem" -d 'user=bob&password=secret-b' "$BS/api/v1/login")
is "$code" 200 "a login over https"
like "$(grep -i '^Set-Cookie:' "$T/hdr")" "; Secure" "... the cookie is Secure"
sed -i "s|^http_tls .*|http_tls $T/cert.pem $T/no-such-key.pem|" "$T/ctl.conf"
kill -HUP "$CTL_PID"
wait_for 5 grep -q "http_tls: cannot load the key $T/no-such-key.pem" "$T/controller.log"
is "$?" 0 "a reload with a missing key is reported"
like "$(grep "no-such-key" "$T/controller.log")" "the previous certificate stays in use" "... the old certificate stays"
check "https still works" curl -sf --cacert "$T/cert.pem" "$BS/api/v1/stats"
# A start with a bad key fails, saying why.
sed -e "s|^control .*|control $T/ctl2.sock|" -e "s|^http .*|http 127.0.0.1:$(free_tcp_port)|" \
    -e "s|^logfile .*|logfile $T/ctl2.log|" "$T/ctl.conf" >"$T/ctl2.conf"
out=$("$CTL_BIN" -f -c "$T/ctl2.conf" 2>&1); rc=$?
is "$rc" 1 "a start with a key that does not load: exit 1"
like "$out" "http_tls: cannot load the key $T/no-such-key.pem" "... naming the key"

kill "$CTL_PID"; wait "$CTL_PID"; rc=$?
is "$rc" 0 "the controller stops cleanly"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "no sanitizer report from the controller"
done_testing
