#!/usr/bin/env bash
# make install into a scratch DESTDIR puts every piece where an operator
# expects it, with the unit files pointing at the installed binaries, and
# never overwrites an operator's config.
. "$(dirname "$0")/../lib/tap.sh"
ROOT=${LAMON_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${LAMON_BUILD:-$ROOT/build}
D=$(mktemp -d /tmp/lamon-install.XXXXXX)
trap 'rm -rf "$D"' EXIT

mkdir -p "$D/etc/lamon"
echo "nodename mine" >"$D/etc/lamon/lamon-agent.conf"
check "make install DESTDIR=… succeeds" \
    make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr/local SYSCONFDIR=/etc install
for f in usr/local/sbin/lamon-agent usr/local/sbin/lamon-controller usr/local/bin/lamonctl \
         usr/local/bin/lamon-graph usr/local/bin/lamon-rrd-create usr/local/bin/lamon-mrtg-config; do
    [ -x "$D/$f" ] && ok "installed $f" || fail "installed $f"
done
for f in usr/local/share/snmp/mibs/LAMON-MIB.txt usr/local/share/man/man8/lamon-agent.8 \
         usr/local/share/man/man8/lamon-controller.8 usr/local/share/man/man1/lamonctl.1 \
         usr/local/share/man/man1/lamon-graph.1 usr/local/share/man/man1/lamon-rrd-create.1 \
         usr/local/share/man/man1/lamon-mrtg-config.1 \
         lib/systemd/system/lamon-agent.service lib/systemd/system/lamon-controller.service \
         etc/lamon/lamon-controller.conf usr/local/share/lamon/web/lamon.js \
         usr/local/share/lamon/web/lamon.css; do
    [ -s "$D/$f" ] && ok "installed $f" || fail "installed $f"
done
is "$(stat -c %a "$D/usr/lib/ocf/resource.d/lamon/controller" 2>&1)" 755 "installed the OCF agent usr/lib/ocf/resource.d/lamon/controller, mode 755"
like "$(grep '^ExecStart' "$D/lib/systemd/system/lamon-agent.service")" '^ExecStart=/usr/local/sbin/lamon-agent' \
     "the agent's unit runs the installed binary"
unlike "$(cat "$D"/lib/systemd/system/*.service)" '@SBINDIR@' "no placeholder left in the units"
# systemd's default KillMode (control-group) would kill a running apt-get/dpkg
# with the agent; t_agent_exit checks the agent's own side.
is "$(sed -n 's/^KillMode=//p' "$D/lib/systemd/system/lamon-agent.service")" process \
   "the agent's unit stops the agent alone (KillMode=process), not the operations it started"
is "$(cat "$D/etc/lamon/lamon-agent.conf")" "nodename mine" "an existing config is not overwritten"
check "the installed man pages render" sh -c "for m in '$D'/usr/local/share/man/man*/*; do man -l \"\$m\" >/dev/null 2>&1 || exit 1; done"
check "lamon-agent -h works" "$D/usr/local/sbin/lamon-agent" -h
check "lamonctl -h works" sh -c "'$D/usr/local/bin/lamonctl' -h 2>&1 | grep -q usage"
for s in lamon-graph lamon-rrd-create lamon-mrtg-config; do
    check "$s -h works" sh -c "'$D/usr/local/bin/$s' -h 2>&1 | grep -q usage"
done
done_testing
