#!/usr/bin/env bash
# lamonVsTable/lamonDestTable read the kernel's IPVS table exactly as ipvsadm
# shows it (every column: -Ln, --stats, --rate, --thresholds,
# --persistent-conn), after real traffic through a virtual service to a
# real server in a network namespace in the guest; and changes made with
# ipvsadm behind the agent's back show up within the cache lifetime.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/vm.sh"
. "$(dirname "$0")/ipvs_lib.sh"
lamon_test_init
trap 'vm_stop; lamon_test_cleanup' EXIT

[ -x "$BUILD/lamon-agent" ] || bail "no $BUILD/lamon-agent: build first"
vm_start "cache_ms 500" || bail "the VM did not start"
ok "VM booted with real IPVS; snmpd and lamon-agent answer on 127.0.0.1:$VM_SNMP_PORT"

# A real server in a namespace behind a veth pair, VIP on a dummy device.
vm_sh '
set -e
ip netns add rs1
ip link add veth-rs1 type veth peer name eth0 netns rs1
ip addr add 192.168.50.1/24 dev veth-rs1; ip link set veth-rs1 up
ip -n rs1 addr add 192.168.50.2/24 dev eth0; ip -n rs1 link set eth0 up; ip -n rs1 link set lo up
ip -n rs1 route add default via 192.168.50.1
ip link set dummy0 up; ip addr add 10.10.10.10/32 dev dummy0
ip addr add 2001:db8::1/128 dev dummy0
' || bail "network setup in the guest"
vm_spawn /run/lamon/http.log ip netns exec rs1 /usr/bin/python3 -m http.server -b 192.168.50.2 -d /run/lamon 8080 \
    || bail "real server"
vm_sh 'set -e
ipvsadm -A -t 10.10.10.10:80 -s rr
ipvsadm -a -t 10.10.10.10:80 -r 192.168.50.2:8080 -m -w 5
ipvsadm -A -t 10.10.10.10:443 -s wlc -p 600 -M 255.255.255.0
ipvsadm -a -t 10.10.10.10:443 -r 192.168.50.2:443 -m -w 2 -x 100 -y 50
ipvsadm -a -t 10.10.10.10:443 -r 192.168.50.3:443 -g -w 0
ipvsadm -A -u [2001:db8::1]:53 -s sh -o
ipvsadm -a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -g -w 3
ipvsadm -A -f 42 -s lc
ipvsadm -a -f 42 -r 192.168.50.4:0 -i -w 1
ipvsadm -A --sctp-service 10.10.10.10:3868 -s nq
' || bail "ipvsadm setup"
wait_for 30 vm_exec /usr/bin/python3 -c 'import urllib.request; urllib.request.urlopen("http://192.168.50.2:8080/", timeout=2)' \
    || bail "the real server does not answer directly"

vsi=$(vs_idx tcp 10.10.10.10 80)
di=$(dest_idx "$vsi" 192.168.50.2 8080)
before=$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonDestConns.$di")
is "$before" "0" "lamonDestConns starts at 0"

# Real traffic: a client in the guest connects to the VIP and gets the real
# server's page.
out=$(vm_exec /usr/bin/python3 -c '
import urllib.request
n = 0
for i in range(5):
    n += len(urllib.request.urlopen("http://10.10.10.10/", timeout=5).read())
print("bytes", n)')
like "$out" "^bytes [1-9]" "a client reaches the real server through the virtual service"
# The kernel folds its per-CPU counters into the figures it reports every
# 2 s (its estimator), for ipvsadm and us alike: poll for a while.
dest_conns_is() { [ "$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonDestConns.$di")" = "$1" ]; }
wait_for 15 dest_conns_is 5
conns=$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonDestConns.$di")
is "$conns" "5" "lamonDestConns counts the 5 connections"
inpkts=$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonVsInPkts.$vsi")
[ "${inpkts:-0}" -gt 10 ] 2>/dev/null && ok "lamonVsInPkts moved ($inpkts)" || fail "lamonVsInPkts did not move: '$inpkts'"
inact=$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonDestInactiveConns.$di")
act=$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonDestActiveConns.$di")
[ $((act + inact)) -ge 1 ] 2>/dev/null && ok "active+inactive connections of the destination: $act+$inact" \
    || fail "no active/inactive connection counted ($act/$inact)"

if ipvs_compare "$T/cmp"; then ok "every column of both tables matches ipvsadm (-Ln/--stats/--rate/--thresholds/--persistent-conn)"
else fail "SNMP and ipvsadm differ"; sed 's/^/#   /' "$T/cmp/all" | head -n 40; fi

# The rates come from the kernel's estimator (2 s period): after traffic they
# are non-zero for a while; catch that in SNMP and in ipvsadm alike.
vm_exec /usr/bin/python3 -c '
import urllib.request, time
t = time.time()
while time.time() - t < 5:
    urllib.request.urlopen("http://10.10.10.10/", timeout=5).read()' >/dev/null
inbps=$(vm_snmp snmpget -Oqv -OU "LAMON-MIB::lamonVsInBps.$vsi")
[ "${inbps:-0}" -gt 0 ] 2>/dev/null && ok "lamonVsInBps shows the rate estimate ($inbps)" || fail "lamonVsInBps is '$inbps'"
if ipvs_compare "$T/cmp2"; then ok "all columns match ipvsadm again with non-zero rates"; else fail "mismatch with rates"; fi

# Behind the agent's back: ipvsadm changes show up within the cache lifetime.
vm_exec ipvsadm -e -t 10.10.10.10:80 -r 192.168.50.2:8080 -m -w 17 || fail "ipvsadm -e"
vm_exec ipvsadm -A -t 10.10.10.11:80 -s wrr || fail "ipvsadm -A"
sleep 0.7
is "$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonDestWeight.$di")" "17" "a weight set by ipvsadm shows up"
is "$(vm_snmp snmpget -Oqv "LAMON-MIB::lamonVsScheduler.$(vs_idx tcp 10.10.10.11 80)")" "wrr" \
    "a service added by ipvsadm shows up"
vm_exec ipvsadm -D -t 10.10.10.11:80
sleep 0.7
like "$(vm_snmp snmpget "LAMON-MIB::lamonVsScheduler.$(vs_idx tcp 10.10.10.11 80)" 2>&1)" "No Such Instance" \
    "a service deleted by ipvsadm disappears"
n=$(vm_snmp snmpwalk -Oqv LAMON-MIB::lamonVsRowStatus | grep -c .)
is "$n" "5" "lamonVsRowStatus walks the 5 services"
done_testing
