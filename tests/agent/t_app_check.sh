#!/usr/bin/env bash
# The app_check child: no descriptor of the agent's (here an extra one the
# agent was started with, as a service manager or a package script might
# hand it), stdin from /dev/null, its own process group, and its verdict.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
start_snmpd || bail "snmpd did not start"

# The check records its pid, then becomes `sleep` (exec keeps the
# descriptors), so its descriptors and group can be read from /proc.
cat >"$T/check.sh" <<SH
#!/bin/sh
echo \$\$ >"$T/check.pid.tmp" && mv "$T/check.pid.tmp" "$T/check.pid"
[ -e "$T/down" ] && exit 1
exec sleep 3
SH
chmod +x "$T/check.sh"
cat >"$T/agent.conf" <<CONF
nodename checks
statedir $T/state
check_ms 200
app web $(free_tcp_port)
app_check web $T/check.sh
CONF
# fd 9 open in the agent: the old check inherited it
exec 9>"$T/agent-private"
start_agent_ready "$T/agent.conf" || bail "agent did not register"
exec 9>&-

wait_for 10 test -s "$T/check.pid" || bail "the check never ran"
pid=$(cat "$T/check.pid")
fds=$(ls /proc/"$pid"/fd 2>/dev/null | sort -n | tr '\n' ' ')
is "$fds" "0 1 2 " "the check child holds only descriptors 0, 1 and 2 (no agent descriptor)"
is "$(readlink /proc/"$pid"/fd/0)" /dev/null "its stdin is /dev/null"
pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
is "$pgid" "$pid" "the check runs in its own process group"
unlike "$(ps -o pgid= -p "$AGENT_PID" | tr -d ' ')" "^$pgid\$" "not the agent's group"

wait_val 10 "lamonAppOperStatus.'web'" 1 && ok "exit 0 of the check: up(1)" \
    || fail "not up after the check exited 0 ($(val "lamonAppOperStatus.'web'"))"
touch "$T/down"
wait_val 10 "lamonAppOperStatus.'web'" 2 && ok "exit 1 of the check: down(2)" \
    || fail "not down after the check exited 1 ($(val "lamonAppOperStatus.'web'"))"
ps -o stat= --ppid "$AGENT_PID" | grep -q Z && fail "a check child is left a zombie" \
    || ok "no check child is left a zombie"
done_testing
