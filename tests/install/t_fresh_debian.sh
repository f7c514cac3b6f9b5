#!/usr/bin/env bash
# The README's "Install from Debian packages" on a fresh Debian 12: a
# debootstrap'd bookworm (minbase, from the Debian mirror apt uses) gets the
# packages of build/deb with apt-get, which must find every dependency; then,
# as the README says, one line in snmpd.conf.d, the stock snmpd, the agent
# as its unit starts it, and snmpwalk -m LAMON-MIB shows the node.
# t_deb checks the packages in an overlay of this host, which has every
# library already; this test is what proves their Depends.
#
# The root lives in a temporary directory; this script runs in a mount
# namespace of its own (the binds end with it), and snmpd and the agent in
# a network namespace of their own as well, so that snmpd's port 161 is
# never the host's.  Nothing else of the host is touched.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rooted.sh"
ROOT=${LAMON_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export LC_ALL=C
MIRROR=${LAMON_DEBIAN_MIRROR:-$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

if [ -z "${LAMON_FRESH_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || bail "needs root (debootstrap, chroot, mounts)"
    command -v debootstrap >/dev/null || bail "install debootstrap (scripts/install-deps.sh)"
    export LAMON_FRESH_NS=1
    exec unshare --mount --propagation private bash "$0" "$@"
fi

T=$(mktemp -d /tmp/lamon-fresh.XXXXXX)
R=$T/root
cleanup() {
    kill_rooted "$R"
    umount -R -l "$R/proc" "$R/dev" "$R/run" 2>/dev/null
    if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $T"; else rm -rf --one-file-system "$T"; fi
}
trap cleanup EXIT

D=$ROOT/build/deb
if ! ls "$D"/lamon-agent_*.deb >/dev/null 2>&1; then
    make -s -C "$ROOT" deb DEB_JOBS=2 >"$T/build.log" 2>&1 || { tail -n 20 "$T/build.log"; bail "make deb failed"; }
fi

start=$SECONDS
if debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$T/debootstrap.log" 2>&1; then
    ok "debootstrap: a fresh Debian 12 (minbase) from $MIRROR ($((SECONDS - start)) s)"
else
    fail "debootstrap: a fresh Debian 12 (minbase) from $MIRROR"; tail -n 20 "$T/debootstrap.log" | sed 's/^/#   /'
    done_testing; exit 1
fi
is "$(chroot "$R" dpkg-query -W -f='${db:Status-Abbrev}' lamon-agent snmpd 2>/dev/null)" "" \
   "the fresh root has neither lamon nor snmpd"

mount --bind /proc "$R/proc" && mount --bind /dev "$R/dev" && mount -t tmpfs run "$R/run" ||
    bail "cannot bind /proc and /dev into the fresh root"
cp /etc/resolv.conf "$R/etc/resolv.conf"
mkdir -p "$R/tmp/debs"
cp "$D"/lamon-agent_*.deb "$D"/lamon-controller_*.deb "$D"/lamon-mibs_*.deb "$R/tmp/debs/"

# The README: apt install ./build/deb/lamon-agent_*.deb ./build/deb/lamon-mibs_*.deb snmp
# (the agent recommends snmpd); the controller's package on the same host.
start=$SECONDS
if chroot "$R" env DEBIAN_FRONTEND=noninteractive sh -c \
        'apt-get update -q && apt-get install -y -q /tmp/debs/lamon-agent_*.deb /tmp/debs/lamon-mibs_*.deb snmp &&
         apt-get install -y -q /tmp/debs/lamon-controller_*.deb' >"$T/apt.log" 2>&1; then
    ok "apt-get installs the three packages and every dependency they name ($((SECONDS - start)) s)"
else
    fail "apt-get installs the three packages and every dependency they name"; tail -n 30 "$T/apt.log" | sed 's/^/#   /'
    done_testing; exit 1
fi
for p in lamon-agent lamon-controller lamon-mibs snmpd; do
    like "$(chroot "$R" dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>&1)" '^ii' "$p is installed"
done
like "$(chroot "$R" getent passwd lamon)" '^lamon:x:[0-9]+:[0-9]+:.*:/nonexistent:/usr/sbin/nologin$' \
     "the user lamon exists (a system user, no home)"
# Every program finds its libraries (the shlibs dependencies were enough).
for b in /usr/sbin/lamon-agent /usr/sbin/lamon-controller /usr/bin/lamonctl; do
    is "$(chroot "$R" ldd "$b" 2>&1 | grep -c 'not found')" 0 "$b: every library it needs is installed"
done
is "$(chroot "$R" /usr/sbin/lamon-controller -t -c /etc/lamon/lamon-controller.conf 2>&1 >/dev/null)" \
   "lamon-controller: /etc/lamon/lamon-controller.conf: configuration OK" \
   "the installed controller accepts the installed example configuration"

# The README's next step, then what systemd would run (no init in a chroot):
# snmpd as its unit starts it, the agent as lamon-agent.service starts it.
echo 'view systemonly included .1.3.6.1.4.1.8072.9999.9999.9999' >"$R/etc/snmp/snmpd.conf.d/lamon.conf"
cat >"$T/run.sh" <<'EOF'
ip link set lo up
chroot "$1" /usr/sbin/snmpd -LOw -u Debian-snmp -g Debian-snmp -I -smux,mteTrigger,mteTriggerConf -p /run/snmpd.pid \
    </dev/null >"$2/snmpd.log" 2>&1
chroot "$1" /usr/sbin/lamon-agent -f -c /etc/lamon/lamon-agent.conf </dev/null >"$2/agent.log" 2>&1 &
i=0
while [ $i -lt 50 ]; do
    out=$(chroot "$1" snmpwalk -v2c -c public -t 1 -r 1 -m LAMON-MIB localhost LAMON-MIB::lamonNode 2>&1)
    case $out in *lamonNodeState*) break ;; esac
    sleep 0.2; i=$((i + 1))
done
printf '%s\n' "$out"
EOF
walk=$(unshare --net bash "$T/run.sh" "$R" "$T" 2>&1)
like "$walk" 'LAMON-MIB::lamonNodeName\.0 = STRING: ' "snmpwalk -m LAMON-MIB localhost LAMON-MIB::lamonNode shows the node's name"
like "$walk" 'LAMON-MIB::lamonNodeState\.0 = INTEGER: running\(2\)' "... and its state, running"
unlike "$walk" 'Cannot find module|Unknown Object' "... with the installed MIBs only, without a complaint"
printf '%s\n' "$walk" | head -n 4 | sed 's/^/# /'
cleanup; trap - EXIT
is "$(rooted_pids "$R")" "" "nothing of the fresh root is left running"
done_testing
