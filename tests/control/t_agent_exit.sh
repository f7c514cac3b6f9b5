#!/usr/bin/env bash
# An agent that stops (systemctl restart, SIGTERM) while a package operation
# runs leaves apt-get to finish: killing apt-get or dpkg half-way breaks the
# node's package system.  The stand-in for apt-get (apt_get token) keeps
# writing to its stdout after the agent is gone, as dpkg does.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

cat >"$T/apt-get" <<SH
#!/bin/sh
# the install step waits for the agent to be gone, then writes
case " \$* " in *" install "*) ;; *) exit 0 ;; esac
echo \$\$ >"$T/apt.pid"
while [ ! -e "$T/agent-gone" ]; do sleep 0.1; done
echo "Setting up \$*"
echo \$? >"$T/apt.wrote"
SH
chmod +x "$T/apt-get"
base_conf >"$T/agent.conf"
echo "apt_get $T/apt-get" >>"$T/agent.conf"
start_snmpd || bail "snmpd did not start"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"

is "$(create_op 1 7 lamon-test-pkg)" noError "createAndGo pkgInstall"
wait_for 20 test -s "$T/apt.pid" || bail "the install step never started"
apt_pid=$(cat "$T/apt.pid")
kill -TERM "$AGENT_PID"
wait_for 10 sh -c "! kill -0 $AGENT_PID 2>/dev/null" && ok "the agent exits on SIGTERM" \
    || fail "the agent is still running"
wait "$AGENT_PID" 2>/dev/null
kill -0 "$apt_pid" 2>/dev/null && ok "apt-get is still running after the agent exited" \
    || fail "apt-get died with the agent"
touch "$T/agent-gone"
wait_for 10 test -s "$T/apt.wrote" && ok "apt-get went on to its end" || fail "apt-get never finished"
is "$(cat "$T/apt.wrote" 2>/dev/null)" 0 "its writes to stdout after the agent's exit succeed (no SIGPIPE)"
like "$(cat "$T/agent.log")" "leaving .*apt-get \(pid $apt_pid\) running to finish on its own" \
    "the agent logs that it left apt-get running"
done_testing
