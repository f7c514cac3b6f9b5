#!/usr/bin/env bash
# lamon-mrtg-config's SNMPv3 form, proven by a real mrtg run: a private snmpd
# that knows only one v3 user (authPriv SHA/AES, no community at all), a real
# lamon-agent behind it, LogFormat rrdtool; the RRDs hold the values snmpget
# reads over v3.  A wrong privacy password must leave the RRDs unknown, and a
# Perl without Net::SNMP's USM must make the generator warn.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/lib.sh"
lamon_test_init
GEN=$ROOT/scripts/lamon-mrtg-config
command -v mrtg >/dev/null || bail "mrtg missing: run make deps"
[ -x "$AGENT_BIN" ] || bail "$AGENT_BIN is not built (make BUILD=$BUILD)"
export LANG=C   # mrtg refuses UTF-8 locales
MRTG_LIMIT=120  # seconds; one run here takes about 1 s, a dead peer about 11 s

L=.1.3.6.1.4.1.8072.9999.9999.9999.1
U=mrtgops UA=mrtgauth42 UX=mrtgpriv42

# What mrtg's v3 path loads; listed so that a failure says which one is missing.
check "Perl loads Net::SNMP's USM (Crypt::DES, Digest::HMAC) and Crypt::Rijndael (AES)" \
    perl -e 'require Net::SNMP::Security::USM; require Crypt::Rijndael'

# --- a v3-only snmpd and a real agent --------------------------------------------
SNMP_PORT=$(free_udp_port)
AGENTX=$T/agentx.sock
cat >"$T/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket $AGENTX
agentXPerms 0600 0700
agentXTimeout 1
createUser $U SHA "$UA" AES "$UX"
rouser $U priv
CONF
/usr/sbin/snmpd -f -r -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -p "$T/snmpd.pid" \
    -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable >/dev/null 2>&1 &
LAMON_PIDS="${LAMON_PIDS:-} $!"

v3() {  # CMD ARGS...: as the only user this snmpd knows
    local cmd=$1; shift
    "$cmd" -v3 -l authPriv -u "$U" -a SHA -A "$UA" -x AES -X "$UX" -r1 -t2 "127.0.0.1:$SNMP_PORT" "$@"
}
v3val() { v3 snmpget -Oqv -OU -On "$1" 2>/dev/null; }
wait_for 10 v3 snmpget SNMPv2-MIB::sysUpTime.0 || { cat "$T/snmpd.log"; bail "v3-only snmpd did not start"; }

APP_PORT=$(free_tcp_port)
APP_INDEX=$(printf web | od -An -tu1 -v | tr -s ' \n' '.' | sed 's/^\.//; s/\.$//')
mkdir -p "$T/state"
printf 'nodename v3-node\nstatedir %s\napp web %s\n' "$T/state" "$APP_PORT" >"$T/agent.conf"
"$AGENT_BIN" -f -x "$AGENTX" -c "$T/agent.conf" >"$T/agent.log" 2>&1 &
LAMON_PIDS="${LAMON_PIDS:-} $!"
agent_up() { case "$(v3val "$L.1.1.0")" in ""|*"No Such"*) return 1 ;; esac; }
wait_for 15 agent_up || { cat "$T/agent.log"; bail "lamon-agent did not register"; }
hold_connections 3 || bail "could not open the test connections"
wait_for 15 test "$(v3val "$L.2.1.1.6.$APP_INDEX")" = 3
is "$(v3val "$L.2.1.1.6.$APP_INDEX")" 3 "agent reports the 3 held connections over v3"
check_fails "the agent has no community: a v2c 'public' get gets no answer" \
    snmpget -v2c -c public -r0 -t1 "127.0.0.1:$SNMP_PORT" SNMPv2-MIB::sysUpTime.0

# --- generate, check, run mrtg twice ------------------------------------------------
cat >"$T/run.conf" <<CONF
rrddir $T/rrd
v3user $U sha $UA aes $UX
node n1 127.0.0.1:$SNMP_PORT v3 $U
service www tcp 10.0.0.1:80 nodes 1 app web
CONF
mkdir -p "$T/rrd/mrtg"
"$GEN" -c "$T/run.conf" -o "$T/run.cfg" 2>"$T/gen.err"
is "$?" 0 "generator writes the v3 config"
is "$(cat "$T/gen.err")" "" "and has nothing to warn about on this machine"
like "$(cat "$T/run.cfg")" "Target\[n1-mem\]: [0-9.&]+:v3@127\.0\.0\.1:$SNMP_PORT::::3" "the v3 target form"
check "mrtg --check accepts it" timeout "$MRTG_LIMIT" mrtg --check "$T/run.cfg"

mrtg_run() {  # CFG LOG DESC
    local rc
    timeout "$MRTG_LIMIT" mrtg --logging "$2" "$1" >/dev/null 2>&1
    rc=$?
    is "$rc" 0 "$3 exits 0 within ${MRTG_LIMIT}s"
    [ "$rc" -eq 0 ] || sed 's/^/#   /' "$2" | tail -n 10
}
# Twice: MRTG's first run initialises, the second one is a normal poll.
mrtg_run "$T/run.cfg" "$T/mrtg.log" "mrtg run 1 (v3)"; sleep 1
mrtg_run "$T/run.cfg" "$T/mrtg.log" "mrtg run 2 (v3)"
unlike "$(cat "$T/mrtg.log")" "ERROR|Can't locate|did not eval" "mrtg logged no SNMP or module error"

lastval() {  # RRD DS-INDEX: the last value written to the RRD
    rrdtool lastupdate "$1" 2>/dev/null | awk -v i="$2" 'NR == 3 {print $(i + 2)}'
}
for t in n1-load n1-cpu n1-mem n1-conns www-app; do
    [ -f "$T/rrd/mrtg/$t.rrd" ] && ok "mrtg wrote $t.rrd" || fail "mrtg wrote $t.rrd"
done
memtotal=$(v3val "$L.1.11.0") cpus=$(v3val "$L.1.10.0")
like "$memtotal" '^[1-9][0-9]*$' "snmpget over v3 reads lamonNodeMemTotal ($memtotal kB)"
is "$(lastval "$T/rrd/mrtg/n1-mem.rrd" 0)" "$memtotal" "n1-mem ds0 = lamonNodeMemTotal from snmpget v3"
is "$(lastval "$T/rrd/mrtg/n1-cpu.rrd" 1)" "$cpus" "n1-cpu ds1 = lamonNodeCpuCount from snmpget v3 ($cpus)"
is "$(lastval "$T/rrd/mrtg/n1-conns.rrd" 0)" "$(v3val "$L.1.13.0")" "n1-conns ds0 = lamonNodeConnections from snmpget v3"
is "$(lastval "$T/rrd/mrtg/n1-conns.rrd" 0)" 3 "which is the 3 held connections"
is "$(lastval "$T/rrd/mrtg/www-app.rrd" 0)" 3 "www-app ds0 = lamonAppEstablished of 'web'"
like "$(lastval "$T/rrd/mrtg/n1-load.rrd" 0)" '^[0-9]+$' "n1-load ds0 holds a real load x 100 value"

# --- the same run must be able to fail ----------------------------------------------
# A wrong privacy password: snmpd drops the requests, the RRDs hold unknowns.
sed "s/ aes $UX/ aes wrong${UX}/" "$T/run.conf" | sed "s#^rrddir .*#rrddir $T/bad#" >"$T/bad.conf"
mkdir -p "$T/bad/mrtg"
"$GEN" -c "$T/bad.conf" -o "$T/bad.cfg"
timeout "$MRTG_LIMIT" mrtg --logging "$T/bad.log" "$T/bad.cfg" >/dev/null 2>&1; sleep 1
timeout "$MRTG_LIMIT" mrtg --logging "$T/bad.log" "$T/bad.cfg" >/dev/null 2>&1
rc=$?
[ "$rc" -ne 124 ] && ok "a wrong privacy password does not hang mrtg" || fail "a wrong privacy password does not hang mrtg"
is "$(lastval "$T/bad/mrtg/n1-mem.rrd" 0)" U "and n1-mem holds no value (U), so the comparison above can fail"

# Without Net::SNMP's USM, mrtg exits 0 and writes nothing: the generator says so.
mkdir -p "$T/hide/Crypt"
echo 'die "Can'"'"'t locate Crypt/DES.pm (hidden by t_mrtg_v3)\n";' >"$T/hide/Crypt/DES.pm"
PERL5LIB=$T/hide "$GEN" -c "$T/run.conf" -o "$T/hidden.cfg" 2>"$T/gen.err"
is "$?" 0 "generator still writes the config when Perl's USM does not load"
like "$(cat "$T/gen.err")" "warning: SNMPv3 targets, but Perl cannot load Net::SNMP::Security::USM.*libcrypt-des-perl.*Crypt/DES.pm" \
     "but warns, naming the packages and Perl's reason"
sed -i "s#^WorkDir: .*#WorkDir: $T/hidden#" "$T/hidden.cfg"
mkdir -p "$T/hidden"
PERL5LIB=$T/hide timeout "$MRTG_LIMIT" mrtg --logging "$T/hidden.log" "$T/hidden.cfg" >/dev/null 2>&1
like "$(cat "$T/hidden.log")" "Can't locate Crypt/DES.pm" "mrtg itself only logs it"
is "$(ls "$T/hidden" | grep -c '\.rrd$')" 0 "and writes no RRD"
done_testing
