#!/usr/bin/env bash
# The Debian packages, end to end: make deb builds them, lintian finds no
# error and no warning, and dpkg installs them into a throwaway root, where
# the files, conffiles, the user lamon, the enabled units and the man pages
# are checked, the installed agent runs under a real snmpd and snmpwalk reads
# LAMON-MIB with the installed MIB files only; dpkg -r keeps the conffiles,
# and dpkg --purge leaves nothing of lamon but what policy keeps.
#
# The throwaway root: this script re-runs itself in a mount namespace of its
# own (unshare --mount), mounts a tmpfs, and in it an overlay whose lower
# layer is the host's / (read only to the overlay) and whose upper layer
# takes every write; /proc, /sys (read only), /dev and /dev/pts are bound
# in, /run and /tmp are fresh.  dpkg runs chrooted in it.  Nothing reaches
# the host's file systems, and the mounts end with the namespace; the last
# checks compare the host's passwd, group and dpkg database with what they
# were.  The loopback network is the host's: snmpd listens on a free UDP
# port of 127.0.0.1.
. "$(dirname "$0")/../lib/tap.sh"
ROOT=${LAMON_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export LC_ALL=C

if [ -z "${LAMON_DEB_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || bail "needs root (dpkg in a chroot, mounts)"
    command -v unshare >/dev/null || bail "unshare is installed (util-linux)"
    export LAMON_DEB_NS=1
    exec unshare --mount --propagation private bash "$0" "$@"
fi

. "$ROOT/tests/lib/snmpd.sh"      # free_udp_port; its MIB settings are not for the chroot
. "$ROOT/tests/lib/rooted.sh"
unset MIBS MIBDIRS SNMPCONFPATH SNMP_PERSISTENT_DIR

T=$(mktemp -d /tmp/lamon-deb.XXXXXX)
M=$T/ov/merged
PIDS=""
# in_root_pids: every process whose root is in the throwaway root (the
# daemons started there, the agent's worker in its own chroot below it).
in_root_pids() { rooted_pids "$M"; }
cleanup() {
    # shellcheck disable=SC2086 # a list of pids
    kill_rooted "$M" $PIDS
    # The namespace takes the mounts with it; unmounting first means rm can
    # never descend into the bound /dev or /proc (and --one-file-system
    # would stop it anyway).
    umount -R -l "$M" 2>/dev/null
    umount -R -l "$T/ov" 2>/dev/null
    if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $T"; else rm -rf --one-file-system "$T"; fi
}
trap cleanup EXIT

# The host as it is before: nothing of this test may change it.
host_state() { sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow /var/lib/dpkg/status 2>&1; }
HOST_BEFORE=$(host_state)

# --- build -------------------------------------------------------------------
start=$SECONDS
if make -s -C "$ROOT" deb DEB_JOBS=2 >"$T/build.log" 2>&1; then
    ok "make deb builds the packages ($((SECONDS - start)) s)"
else
    fail "make deb builds the packages"; tail -n 30 "$T/build.log" | sed 's/^/#   /'
    done_testing; exit 1
fi
D=$ROOT/build/deb
debs=()
for p in lamon-agent lamon-controller lamon-mibs; do
    f=$(ls "$D"/"${p}"_*.deb 2>/dev/null | head -n 1)
    if [ -n "$f" ]; then ok "build/deb holds $(basename "$f")"; debs+=("$f"); else fail "build/deb holds ${p}_*.deb"; fi
done
[ ${#debs[@]} -eq 3 ] || bail "the three packages were built"
changes=$(ls "$D"/*.changes | head -n 1)
# The package's version is the agent's: lamonNodeAgentVersion below.
VERSION=$(dpkg-deb -f "${debs[0]}" Version)
UPSTREAM=${VERSION%-*}

# --- lintian ------------------------------------------------------------------
# -i: the explanation of any tag, -I: info tags too (shown below, never a
# failure); --fail-on: a warning fails as an error does.
# Overrides are in debian/*.lintian-overrides, each with its reason.
lout=$(lintian -i -I --fail-on error,warning "$changes" 2>&1); lrc=$?
tags=$(printf '%s\n' "$lout" | grep -E '^[EW]: ')
if [ "$lrc" -eq 0 ] && [ -z "$tags" ]; then
    ok "lintian: no error, no warning"
else
    fail "lintian: no error, no warning (exit $lrc)"
    printf '%s\n' "$lout" | grep -v '^N:' | sed 's/^/#   /' | head -n 40
fi
printf '%s\n' "$lout" | grep -E '^[IP]: ' | sed 's/^/# lintian /'

# Hardening, as lintian's hardening-no-* tags and hardening-check judge it:
# every ELF is PIE, has full RELRO (bind now), the stack protector and
# fortified functions (dpkg-buildflags' CPPFLAGS reached every object).
mkdir -p "$T/x"
for f in "${debs[@]}"; do dpkg-deb -x "$f" "$T/x"; done
# Not world-readable even between unpack and postinst: they hold passphrases.
is "$(stat -c %a "$T/x/etc/lamon/lamon-controller.conf" "$T/x/etc/lamon/lamon-agent.conf" | tr '\n' ' ')" "640 640 " \
   "the packages ship both configurations mode 0640"
for b in "$T"/x/usr/sbin/lamon-agent "$T"/x/usr/sbin/lamon-controller "$T"/x/usr/bin/lamonctl; do
    n=${b#"$T/x"}
    h=$(readelf -hW "$b" | grep -c 'Type:.*DYN'),$(readelf -lW "$b" | grep -c GNU_RELRO),$(readelf -dW "$b" | grep -q 'FLAGS.*NOW' && echo 1 || echo 0)
    s=$(readelf -sW --dyn-syms "$b")
    h=$h,$(printf '%s\n' "$s" | grep -c '__stack_chk_fail'),$( [ "$(printf '%s\n' "$s" | grep -c '__[a-z0-9_]*_chk@')" -gt 0 ] && echo 1 || echo 0)
    is "$h" "1,1,1,1,1" "$n: PIE, RELRO, bind now, stack protector, fortified functions"
done

# --- the throwaway root --------------------------------------------------------
mkdir -p "$T/ov"
mount -t tmpfs -o mode=0755 lamon-deb "$T/ov" || bail "mount a tmpfs"
mkdir -p "$T/ov/upper" "$T/ov/work" "$M"
mount -t overlay lamon-deb -o "lowerdir=/,upperdir=$T/ov/upper,workdir=$T/ov/work" "$M" ||
    bail "mount the overlay of /"
mount --bind /proc "$M/proc" && mount --bind /sys "$M/sys" && mount -o remount,bind,ro "$M/sys" &&
    mount --bind /dev "$M/dev" && mount --bind /dev/pts "$M/dev/pts" &&
    mount -t tmpfs -o mode=0755 lamon-run "$M/run" && mount -t tmpfs -o mode=1777 lamon-tmp "$M/tmp" ||
    bail "bind /proc, /sys, /dev, /dev/pts; fresh /run and /tmp"
ok "a throwaway root: an overlay of / with /proc, /sys, /dev bound in"
# Only the packages' own environment in the chroot.  An array, not a
# function, so that "${IN_ROOT[@]}" CMD & leaves CMD's pid in $! (chroot and
# env exec it).
IN_ROOT=(chroot "$M" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root
         SNMP_PERSISTENT_DIR=/tmp/snmp-persist DEBIAN_FRONTEND=noninteractive)
in_root() { "${IN_ROOT[@]}" "$@"; }

# A clean slate: the tests make the user lamon on the host and make install
# may have put lamon there; postinst must create the user itself and nothing
# installed by hand may pass for a packaged file.
in_root dpkg --purge lamon-agent lamon-controller lamon-mibs >/dev/null 2>&1
for f in passwd shadow group gshadow; do sed -i '/^lamon:/d' "$M/etc/$f"; done
rm -rf "$M"/etc/lamon "$M"/usr/local/sbin/lamon-* "$M"/usr/local/bin/lamon* "$M"/usr/local/share/lamon \
       "$M"/usr/local/share/snmp/mibs/LAMON-MIB.txt "$M"/lib/systemd/system/lamon-*.service \
       "$M"/etc/systemd/system/*.wants/lamon-*.service "$M"/var/lib/lamon "$M"/var/log/lamon \
       "$M"/var/lib/systemd/deb-systemd-helper-enabled/*lamon* "$M"/var/lib/systemd/deb-systemd-helper-masked/*lamon*
# man-db's trigger would rebuild the whole manual database (its own files in
# /var/cache/man, seconds); dpkg-trigger runs it only while this file exists.
rm -f "$M/var/lib/man-db/auto-update"
lamon_files() {
    find "$M/etc" "$M/lib/systemd" "$M/usr/sbin" "$M/usr/bin" "$M/usr/local" "$M/usr/share/snmp" \
         "$M/usr/share/man" "$M/usr/share/doc" "$M/usr/share/lamon" "$M/var/lib" "$M/var/log" \
         -xdev \( -iname '*lamon*' -o -path "$M/usr/share/snmp/mibs/SNMPv2-*" \
                  -o -path "$M/usr/share/snmp/mibs/INET-ADDRESS-MIB*" \) 2>/dev/null | sed "s|^$M||" | sort
}
is "$(lamon_files)" "" "the throwaway root holds nothing of lamon before the install"
is "$(in_root getent passwd lamon)" "" "the throwaway root has no user lamon before the install"
# What the clean slate itself wrote to the upper layer; the purge is judged
# against it.
upper_list() { (cd "$T/ov/upper" && find . -mindepth 1 \( -type f -o -type l -o -type c \) -printf '%y %p\n' | sort); }
upper_list >"$T/upper.before"

# --- install --------------------------------------------------------------------
mkdir -p "$M/tmp/debs"
cp "${debs[@]}" "$M/tmp/debs/"
if out=$(in_root dpkg -i "${debs[@]/#*\//\/tmp\/debs\/}" 2>&1); then
    ok "dpkg -i installs the three packages"
else
    fail "dpkg -i installs the three packages"; printf '%s\n' "$out" | sed 's/^/#   /' | tail -n 30
fi
for p in lamon-agent lamon-controller lamon-mibs; do
    is "$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$p" 2>&1)" "ii $VERSION" "$p $VERSION is installed"
done

for f in /usr/sbin/lamon-agent /usr/sbin/lamon-controller /usr/bin/lamonctl /usr/bin/lamon-graph \
         /usr/bin/lamon-rrd-create /usr/bin/lamon-mrtg-config /usr/lib/ocf/resource.d/lamon/controller; do
    [ -x "$M$f" ] && ok "installed $f" || fail "installed $f"
done
# The installed OCF agent answers meta-data that Pacemaker's DTD accepts.
in_root env OCF_ROOT=/usr/lib/ocf /usr/lib/ocf/resource.d/lamon/controller meta-data >"$T/ocf-meta.xml" 2>&1
check "the installed OCF agent's meta-data is valid against ra-api-1.dtd" \
    xmllint --noout --dtdvalid /usr/share/resource-agents/ra-api-1.dtd "$T/ocf-meta.xml"
for f in /etc/lamon/lamon-agent.conf /etc/lamon/lamon-controller.conf \
         /lib/systemd/system/lamon-agent.service /lib/systemd/system/lamon-controller.service \
         /usr/share/lamon/web/lamon.js /usr/share/lamon/web/lamon.css \
         /usr/share/snmp/mibs/LAMON-MIB.txt /usr/share/snmp/mibs/SNMPv2-SMI.txt \
         /usr/share/snmp/mibs/SNMPv2-TC.txt /usr/share/snmp/mibs/SNMPv2-CONF.txt \
         /usr/share/snmp/mibs/INET-ADDRESS-MIB.txt \
         /usr/share/man/man8/lamon-agent.8.gz /usr/share/man/man8/lamon-controller.8.gz \
         /usr/share/man/man1/lamonctl.1.gz /usr/share/man/man1/lamon-graph.1.gz \
         /usr/share/man/man1/lamon-rrd-create.1.gz /usr/share/man/man1/lamon-mrtg-config.1.gz \
         /usr/share/doc/lamon-agent/copyright /usr/share/doc/lamon-controller/copyright \
         /usr/share/doc/lamon-mibs/copyright /usr/share/doc/lamon-mibs/README.Debian; do
    [ -s "$M$f" ] && ok "installed $f" || fail "installed $f"
done
check "the installed man pages render" sh -c "for m in '$M'/usr/share/man/man*/lamon*; do man -l \"\$m\" >/dev/null 2>&1 || { echo \"\$m\"; exit 1; }; done"
# The scripts run the interpreters the package depends on, not PATH's.
is "$(head -qn1 "$M/usr/bin/lamon-graph" "$M/usr/bin/lamon-rrd-create" "$M/usr/bin/lamon-mrtg-config" | tr '\n' ' ')" \
   "#!/bin/bash #!/bin/bash #!/usr/bin/python3 " "the installed scripts name their interpreter"
for s in lamon-graph lamon-rrd-create lamon-mrtg-config lamonctl; do
    like "$(in_root "$s" -h 2>&1)" 'usage' "$s -h works from the installed path"
done

is "$(in_root dpkg-query -W -f='${Conffiles}' lamon-agent | awk 'NF {print $1}')" "/etc/lamon/lamon-agent.conf" \
   "lamon-agent's conffile is /etc/lamon/lamon-agent.conf"
is "$(in_root dpkg-query -W -f='${Conffiles}' lamon-controller | awk 'NF {print $1}')" "/etc/lamon/lamon-controller.conf" \
   "lamon-controller's conffile is /etc/lamon/lamon-controller.conf"

# The user: made by postinst, a system user (adduser.conf's system range),
# no home, no login.
pw=$(in_root getent passwd lamon)
IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
if [ -n "$uid" ] && [ "$uid" -ge 100 ] && [ "$uid" -le 999 ]; then
    ok "postinst made the system user lamon (uid $uid)"
else
    fail "postinst made the system user lamon ('$pw')"
fi
is "$home:$shell" "/nonexistent:/usr/sbin/nologin" "lamon has no home and no login shell"
like "$(in_root getent group lamon)" "^lamon:x:${gid:-none}:" "lamon's own group lamon"
is "$(stat -c '%U:%G %a' "$M/etc/lamon/lamon-controller.conf")" "root:lamon 640" \
   "the controller's config is root:lamon 0640"
check "user lamon reads the controller's config" \
    in_root setpriv --reuid=lamon --regid=lamon --init-groups head -n 1 /etc/lamon/lamon-controller.conf
is "$(stat -c '%U:%G %a' "$M/etc/lamon/lamon-agent.conf")" "root:root 640" "the agent's config is root:root 0640"

# Units: enabled the Debian way (deb-systemd-helper's wants links), and the
# installed files keep the sandbox goals of t_units.sh.
for u in lamon-agent lamon-controller; do
    is "$(readlink "$M/etc/systemd/system/multi-user.target.wants/$u.service")" "/lib/systemd/system/$u.service" \
       "$u.service is enabled (multi-user.target.wants)"
    # deb-systemd-helper's record of it, which purge uses to undo the links.
    like "$(cat "$M/var/lib/systemd/deb-systemd-helper-enabled/$u.service.dsh-also" 2>&1)" \
         "^/etc/systemd/system/multi-user.target.wants/$u.service\$" "deb-systemd-helper recorded $u.service's link"
done
like "$(grep '^ExecStart=' "$M/lib/systemd/system/lamon-agent.service")" '^ExecStart=/usr/sbin/lamon-agent ' \
     "the agent's unit runs /usr/sbin/lamon-agent"
like "$(grep '^ExecStart=' "$M/lib/systemd/system/lamon-controller.service")" '^ExecStart=/usr/sbin/lamon-controller ' \
     "the controller's unit runs /usr/sbin/lamon-controller"
eval "$(grep '^declare -A GOAL=' "$ROOT/tests/install/t_units.sh")"
for u in lamon-agent.service lamon-controller.service; do
    line=$(in_root systemd-analyze security --offline=true "/lib/systemd/system/$u" 2>&1 | grep 'Overall exposure level')
    score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\)\.\([0-9]\) .*/\1\2/p')
    goal=${GOAL[$u]:-0}
    if [ -n "$score" ] && [ "$((10#$score))" -le "$goal" ]; then
        ok "installed $u: exposure ${score%?}.${score: -1} is at most $((goal / 10)).$((goal % 10))"
    else
        fail "installed $u: exposure '${line:-none}' is at most $((goal / 10)).$((goal % 10))"
    fi
    vout=$(in_root systemd-analyze verify --man=no "/lib/systemd/system/$u" 2>&1)
    is "$vout" "" "installed $u: systemd-analyze verify is silent"
done

# --- the installed agent under a real snmpd ----------------------------------------
# As the README tells a newcomer ("Install from Debian packages"): Debian's
# stock snmpd.conf (master agentx is in it) with the README's one line in
# /etc/snmp/snmpd.conf.d/lamon.conf that lets the public community read
# LAMON-MIB, snmpd run as its unit runs it (as Debian-snmp), and the agent
# with /etc/lamon/lamon-agent.conf.  Only the port and the AgentX socket are
# private; every program is the one in the throwaway root.
PORT=$(free_udp_port)
readme_view=$(sed -n 's/^echo \(.view systemonly included [.0-9]*.\) > \/etc\/snmp\/snmpd.conf.d\/lamon.conf$/\1/p' "$ROOT/README.md")
readme_view=${readme_view//\'/}
like "$readme_view" '^view systemonly included \.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.9999$' \
     "the README's snmpd.conf.d line opens LAMON-MIB to the stock view"
echo "$readme_view" >"$M/etc/snmp/snmpd.conf.d/lamon.conf"
{ sed "s/^agentaddress .*/agentaddress udp:127.0.0.1:$PORT/" "$M/etc/snmp/snmpd.conf"
  echo "agentXSocket /tmp/agentx.sock"; } >"$M/tmp/snmpd.conf"
grep -q '^master *agentx' "$M/tmp/snmpd.conf" || diag "the host's snmpd.conf is not Debian's stock one: no master agentx"
cat >>"$M/etc/lamon/lamon-agent.conf" <<CONF

# t_deb: this node
nodename debnode
agentx_socket /tmp/agentx.sock
CONF
mkdir -p "$M/tmp/snmp-persist" && chown Debian-snmp:Debian-snmp "$M/tmp/snmp-persist"
"${IN_ROOT[@]}" /usr/sbin/snmpd -f -Lf /tmp/snmpd.log -u Debian-snmp -g Debian-snmp -C -c /tmp/snmpd.conf \
    -p /tmp/snmpd.pid -I -smux,mteTrigger,mteTriggerConf >/dev/null 2>&1 &
SNMPD=$!; PIDS="$PIDS $SNMPD"
snmp_up() { in_root snmpget -v2c -c public -r0 -t1 "127.0.0.1:$PORT" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; }
wait_for 10 snmp_up && ok "snmpd answers in the throwaway root (udp 127.0.0.1:$PORT)" ||
    { fail "snmpd answers in the throwaway root"; sed 's/^/#   /' "$M/tmp/snmpd.log" | tail -n 20; }
"${IN_ROOT[@]}" /usr/sbin/lamon-agent -f >"$T/agent.log" 2>&1 &
AGENT=$!; PIDS="$PIDS $AGENT"
# snmpwalk with the stock /etc/snmp/snmp.conf ("mibs :") and Net-SNMP's
# default MIB path: only the installed lamon-mibs can give the names.  (-m
# +LAMON-MIB would add it to Net-SNMP's default list, whose IETF modules
# Debian does not have: a page of "Cannot find module".)
walk() { in_root snmpwalk -v2c -c public -r1 -t2 -m LAMON-MIB "127.0.0.1:$PORT" "$@"; }
registered() { walk LAMON-MIB::lamonNodeName 2>/dev/null | grep -q 'STRING: debnode'; }
if wait_for 15 registered; then
    ok "/usr/sbin/lamon-agent registered with snmpd and answers"
else
    fail "/usr/sbin/lamon-agent registered with snmpd and answers"; sed 's/^/#   /' "$T/agent.log" | tail -n 20
fi
wout=$(walk LAMON-MIB::lamonNode 2>"$T/walk.err")
like "$wout" 'LAMON-MIB::lamonNodeName\.0 = STRING: debnode' "snmpwalk shows LAMON-MIB::lamonNodeName by name"
like "$wout" 'LAMON-MIB::lamonNodeState\.0 = INTEGER: [a-z]+\([0-9]+\)' "snmpwalk shows lamonNodeState as an enumeration"
like "$wout" "LAMON-MIB::lamonNodeAgentVersion\\.0 = STRING: \"?${UPSTREAM//./\\.}\"?\$" \
     "the agent's version is the package's upstream version ($UPSTREAM)"
is "$(cat "$T/walk.err")" "" "snmpwalk reads LAMON-MIB and its imports without a complaint"
# The modules Debian does ship still parse with the stand-ins (nothing they
# import from SNMPv2-SMI/TC/CONF or INET-ADDRESS-MIB is missing).
terr=$(in_root snmptranslate -m NET-SNMP-MIB:NET-SNMP-TC:UCD-SNMP-MIB:KEEPALIVED-MIB -On NET-SNMP-MIB::netSnmpPlaypen 2>&1 >/dev/null |
       grep -E 'SNMPv2-(SMI|TC|CONF)|INET-ADDRESS-MIB')
is "$terr" "" "Debian's own MIBs find what they import from the stand-ins"
# README.Debian's other way: "mibs +LAMON-MIB" below snmp.conf's "mibs :".
mkdir -p "$M/tmp/snmpconf"
{ cat "$M/etc/snmp/snmp.conf"; echo "mibs +LAMON-MIB"; } >"$M/tmp/snmpconf/snmp.conf"
is "$(in_root env SNMPCONFPATH=/tmp/snmpconf snmpget -v2c -c public -r1 -t2 "127.0.0.1:$PORT" \
        .1.3.6.1.4.1.8072.9999.9999.9999.1.1.1.0 2>&1)" 'LAMON-MIB::lamonNodeName.0 = STRING: debnode' \
     "with 'mibs +LAMON-MIB' in snmp.conf, a numeric OID prints as LAMON-MIB, without a complaint"
kill "$AGENT" "$SNMPD" 2>/dev/null
no_root_pids() { [ -z "$(in_root_pids)" ]; }
wait_for 5 no_root_pids || kill -9 $(in_root_pids) 2>/dev/null
wait "$AGENT" "$SNMPD" 2>/dev/null
is "$(in_root_pids | tr '\n' ' ')" "" "the agent (monitor and worker) and snmpd are gone"
rm -f "$M/etc/snmp/snmpd.conf.d/lamon.conf"     # the administrator's, not the packages'
[ -s "$M/var/lib/lamon/state" ] && ok "the agent keeps its state in /var/lib/lamon" || fail "the agent keeps its state in /var/lib/lamon"

# --- remove, then purge ----------------------------------------------------------
# What lamon-controller's unit would have made (StateDirectory,
# LogsDirectory): the purge must take it too.
mkdir -p "$M/var/lib/lamon/rrd" "$M/var/log/lamon"
echo rrd >"$M/var/lib/lamon/rrd/node-debnode.rrd"; echo log >"$M/var/log/lamon/controller.log"

out=$(in_root dpkg -r lamon-agent lamon-controller lamon-mibs 2>&1) && ok "dpkg -r removes the three packages" ||
    { fail "dpkg -r removes the three packages"; printf '%s\n' "$out" | sed 's/^/#   /' | tail -n 20; }
for p in lamon-agent lamon-controller; do
    is "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>&1)" "rc " "$p: removed, its conffiles kept (rc)"
done
like "$(cat "$M/etc/lamon/lamon-agent.conf" 2>&1)" 'nodename debnode' "dpkg -r keeps the edited /etc/lamon/lamon-agent.conf"
[ -e "$M/etc/lamon/lamon-controller.conf" ] && ok "dpkg -r keeps /etc/lamon/lamon-controller.conf" ||
    fail "dpkg -r keeps /etc/lamon/lamon-controller.conf"
[ ! -e "$M/usr/sbin/lamon-agent" ] && [ ! -e "$M/usr/share/snmp/mibs/LAMON-MIB.txt" ] &&
    ok "dpkg -r takes the programs and MIBs" || fail "dpkg -r takes the programs and MIBs"

out=$(in_root dpkg --purge lamon-agent lamon-controller lamon-mibs 2>&1) && ok "dpkg --purge purges the three packages" ||
    { fail "dpkg --purge purges the three packages"; printf '%s\n' "$out" | sed 's/^/#   /' | tail -n 20; }
is "$(lamon_files)" "" "nothing named lamon is left after the purge"
like "$(in_root getent passwd lamon)" "^lamon:x:$uid:" "the user lamon stays after the purge (policy)"

# Every file the install, the run and the purge left in the upper layer
# must be one policy or dpkg keeps: the user's lines in the account files,
# (and the shadow suite's lock file), dpkg's database and log, debconf's
# cache, deb-systemd-helper's state.
upper_list >"$T/upper.after"
left=$(comm -13 "$T/upper.before" "$T/upper.after" | grep -v -E \
    -e '^[fl] \./etc/(passwd|group|shadow|gshadow)-?$' -e '^f \./etc/\.pwd\.lock$' \
    -e '^[fl] \./var/lib/dpkg/(status|status-old|available|diversions|statoverride|lock|lock-frontend|triggers/Lock|triggers/Unincorp)$' \
    -e '^[fl] \./var/log/dpkg\.log$' \
    -e '^[fl] \./var/cache/debconf/[a-z]+\.dat(-old)?$' \
    -e '^[fl] \./var/lib/systemd/deb-systemd-helper-enabled/[a-z.-]+\.dsh-also$' )
is "$left" "" "after the purge the upper layer holds only what policy and dpkg keep"
# The account files differ from the host's by lamon's lines only.
for f in passwd group shadow gshadow; do
    is "$(diff <(grep -v '^lamon:' "/etc/$f") <(grep -v '^lamon:' "$M/etc/$f") 2>&1)" "" \
       "/etc/$f differs from the host's by lamon's line only"
done
is "$(grep -rl lamon "$M/var/lib/systemd/deb-systemd-helper-enabled" 2>/dev/null)" "" \
   "deb-systemd-helper's records name lamon no more"

# A purge on a host whose rrddir is shared storage mounted on
# /var/lib/lamon/rrd (docs/ha.md) leaves those RRDs alone.
ctl_deb=$(printf '%s\n' "${debs[@]}" | grep '/lamon-controller_')
cp "$ctl_deb" "$M/tmp/ctl.deb"
in_root dpkg -i /tmp/ctl.deb >/dev/null 2>&1 || fail "lamon-controller installs again"
mkdir -p "$M/var/lib/lamon/rrd"
mount -t tmpfs shared "$M/var/lib/lamon/rrd" && echo rrd >"$M/var/lib/lamon/rrd/shared.rrd"
out=$(in_root dpkg --purge lamon-controller 2>&1) && ok "a purge with the rrddir a mount point succeeds" ||
    { fail "a purge with the rrddir a mount point succeeds"; printf '%s\n' "$out" | sed 's/^/#   /' | tail -n 20; }
like "$out" "/var/lib/lamon/rrd is on a mounted file system" "... says it leaves it"
[ -s "$M/var/lib/lamon/rrd/shared.rrd" ] && ok "... and the RRDs on it are kept" || fail "... and the RRDs on it are kept"
umount "$M/var/lib/lamon/rrd"

# --- the host ------------------------------------------------------------------
cleanup; trap - EXIT
is "$(host_state)" "$HOST_BEFORE" "the host's passwd, group, shadow, gshadow and dpkg status are unchanged"
is "$(dpkg-query -W -f='${db:Status-Abbrev}' lamon-agent 2>/dev/null)" "" "lamon-agent is not installed on the host"
done_testing
