#!/usr/bin/env bash
# lamonAppTable: K real client connections show as exactly K established,
# over IPv4 and IPv6, and agree with ss; the row's other columns.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
start_snmpd || bail "snmpd did not start"
P4=$(free_tcp_port); P6=$(free_tcp_port); PX=$(free_tcp_port)
cat >"$T/agent.conf" <<CONF
nodename conns
statedir $T/state
cache_ms 100
check_ms 200
app web4 $P4
app web6 $P6,$PX
CONF
start_agent_ready "$T/agent.conf" || bail "agent did not register"

is "$(val "lamonAppLabel.'web4'")" web4 "lamonAppLabel of web4"
is "$(val "lamonAppPorts.'web6'")" "$P6,$PX" "lamonAppPorts of web6 lists both ports"
is "$(val "lamonAppAdminStatus.'web4'")" 1 "lamonAppAdminStatus reads up(1)"
like "$(snmp snmpget -Oqv "LAMON-MIB::lamonAppLastChange.'web4'")" '^[0-9]{4}-[0-9]+-[0-9]+,' "lamonAppLastChange is a DateAndTime"
is "$(val "lamonAppEstablished.'web4'")" 0 "no connections before the test"

for fam in 4 6; do
    if [ $fam = 4 ]; then addr=127.0.0.1 port=$P4 app=web4; else addr=::1 port=$P6 app=web6; fi
    for k in 0 5 50; do
        start_conns "$addr" "$port" "$k" || { fail "IPv$fam listener with $k connections did not start"; continue; }
        ssn=$(ss -Htn state established "( sport = :$port )" | wc -l)
        if wait_val 5 "lamonAppEstablished.'$app'" "$k"; then
            ok "IPv$fam: $k client connections -> lamonAppEstablished.$app = $k (ss: $ssn)"
        else
            fail "IPv$fam: $k client connections; lamonAppEstablished.$app = '$(val "lamonAppEstablished.'$app'")' (ss: $ssn)"
        fi
        [ "$k" = 50 ] && is "$(val lamonNodeConnections.0)" 50 "lamonNodeConnections sums the apps' ports (IPv$fam, 50)"
        [ "$k" = 50 ] && is "$(val "lamonAppSynRecv.'$app'")" 0 "lamonAppSynRecv is 0 with only completed handshakes"
        stop_conns
    done
done
# Connections to an unmanaged port are not counted.
Q=$(free_tcp_port)
start_conns 127.0.0.1 "$Q" 7 || fail "listener on an unmanaged port"
sleep 0.3
is "$(val lamonNodeConnections.0)" 0 "7 connections on an unmanaged port are not counted"
stop_conns
done_testing
