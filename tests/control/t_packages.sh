#!/usr/bin/env bash
# Packages over SNMP: a real local apt repository built here (dpkg-deb +
# dpkg-scanpackages), real apt-get/dpkg pointed at a scratch root through
# apt_option, so the machine's own package set is never touched.  Install,
# update and remove through lamonOpTable; results and output read back;
# checked with dpkg-query against the scratch admindir.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/../lib/apt_repo.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

R=$T/apt
ADMIN=$R/root/var/lib/dpkg
apt_repo_init "$R"
build_pkg() { apt_repo_build "$R" "$1"; }   # build_pkg VERSION: into the repository
build_pkg 1.0-1 || bail "cannot build the test package"

base_conf >"$T/agent.conf"
apt_repo_agent_conf "$R" >>"$T/agent.conf"
start_snmpd || bail "snmpd did not start"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"

status() { dpkg-query --admindir="$ADMIN" -W -f='${Status} ${Version}' lamon-test-pkg 2>/dev/null; }
host_before=$(dpkg-query -W -f='${Package}\n' | md5sum)

is "$(create_op 1 7 lamon-test-pkg)" noError "createAndGo pkgInstall lamon-test-pkg"
wait_op 1 120 || fail "install did not end"
is "$(op 4 1):$(op 5 1)" 3:0 "pkgInstall succeeded with exit 0"
out=$(op 6 1)
like "$out" "Setting up lamon-test-pkg \(1.0-1\)" "the output tail shows dpkg setting up the package"
is "$(status)" "install ok installed 1.0-1" "dpkg-query (scratch admindir): installed 1.0-1"
is "$(cat "$R/root/usr/share/lamon-test-pkg/version" 2>/dev/null)" "version 1.0-1" "the file is in the scratch root"

build_pkg 1.1-1
is "$(create_op 2 8 lamon-test-pkg)" noError "createAndGo pkgUpdate lamon-test-pkg"
wait_op 2 120 || fail "update did not end"
is "$(op 4 2):$(op 5 2)" 3:0 "pkgUpdate succeeded"
is "$(status)" "install ok installed 1.1-1" "updated to 1.1-1 from the repository"

is "$(create_op 3 7 lamon-test-pkg=1.0-1)" noError "createAndGo pkgInstall lamon-test-pkg=1.0-1 (a version)"
wait_op 3 120 || fail "versioned install did not end"
is "$(op 4 3)" 3 "versioned install succeeded"
is "$(status)" "install ok installed 1.0-1" "downgraded to the requested version"

# apt-get reads a name that is no package as a regex: `remove ssh..` removed
# 23 packages of a Debian machine.  The agent names the package exactly.
is "$(create_op 4 9 lamon-test-pk.)" noError "createAndGo pkgRemove lamon-test-pk. (well-formed, but a regex to apt)"
wait_op 4 120 || fail "pattern remove did not end"
is "$(op 4 4)" 4 "pkgRemove lamon-test-pk. fails: no package has that name"
like "$(op 6 4)" "Unable to locate package lamon-test-pk\\." "apt-get says it cannot find the package"
is "$(status)" "install ok installed 1.0-1" "lamon-test-pkg, which the regex matches, is still installed"

is "$(create_op 5 9 lamon-test-pkg)" noError "createAndGo pkgRemove lamon-test-pkg"
wait_op 5 120 || fail "remove did not end"
is "$(op 4 5):$(op 5 5)" 3:0 "pkgRemove succeeded"
like "$(op 6 5)" "Removing lamon-test-pkg" "the output tail shows the removal"
unlike "$(status)" "install ok installed" "dpkg-query: no longer installed"
[ ! -e "$R/root/usr/share/lamon-test-pkg/version" ] && ok "the file is gone from the scratch root" \
    || fail "the file is still in the scratch root"

# A trailing '+' is apt-get's "install this" modifier, even in remove.
is "$(create_op 6 9 lamon-test-pkg+)" noError "createAndGo pkgRemove lamon-test-pkg+ (a trailing + means install to apt)"
wait_op 6 120 || fail "remove of lamon-test-pkg+ did not end"
is "$(op 4 6)" 4 "pkgRemove lamon-test-pkg+ fails: no package has that name"
unlike "$(status)" "install ok installed" "and lamon-test-pkg was not installed by it"

is "$(create_op 7 7 lamon-no-such-pkg)" noError "a well-formed name that the repository lacks is accepted"
wait_op 7 120 || fail "install of a missing package did not end"
is "$(op 4 7)" 4 "and fails"
like "$(op 5 7)" '^[1-9][0-9]*$' "with apt-get's non-zero exit code"
like "$(op 6 7)" "Unable to locate package lamon-no-such-pkg" "and apt-get's message in the output"

is "$(dpkg-query -W -f='${Package}\n' | md5sum)" "$host_before" "the machine's own package set is untouched"
done_testing
