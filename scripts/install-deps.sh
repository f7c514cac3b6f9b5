#!/usr/bin/env bash
# Installs what lamon needs to build and test, from Debian packages (and the
# IETF base MIBs from the npm package net-snmp, since Debian ships none).
# Idempotent: does nothing when everything is present.  Needs root for apt.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

PKGS=(
  # build
  build-essential pkg-config libsnmp-dev libevent-dev librrd-dev libnl-genl-3-dev libnl-3-dev
  libseccomp-dev adduser
  # the web console: TLS (libevent_openssl is in libevent-dev), crypt(3) users; its test's tools
  libssl-dev libcrypt-dev openssl curl
  libcmocka-dev cppcheck clang libclang-rt-14-dev
  # run + test: Net-SNMP, RRD, IPVS tools, netns
  snmpd snmp snmptrapd rrdtool rrdcached ipvsadm iproute2 smitools procps man-db
  # systemd-analyze: tests/install/t_units.sh scores and verifies the units
  systemd
  # the VM with a real IPVS kernel
  qemu-system-x86 busybox-static cpio kmod
  # node control backends under test: GRUB env tools, a local apt repository
  grub-common apt-utils dpkg-dev
  # dashboards: Cacti on MariaDB with spine, MRTG (debconf answers preseeded below)
  mariadb-server cacti cacti-spine mrtg php-cli php-mysql php-snmp
  librrds-perl libnet-snmp-perl libcrypt-rijndael-perl libio-socket-inet6-perl
  # MRTG's SNMPv3: Net::SNMP's USM loads Crypt::DES and Digest::HMAC even for SHA/AES
  libcrypt-des-perl libdigest-hmac-perl
  # load generators for tests/benchmarks; keepalived: the failover peer in bench/failover_time.sh
  python3 keepalived
  # the web console's browser test (tests/vm/t_web_console.sh): headless chromium
  chromium
  # the OCF resource agent (ha/ocf/controller): ocf-tester, ra-api-1.dtd, xmllint
  resource-agents libxml2-utils
  # Debian packages: make deb (dpkg-buildpackage on an rsync copy of the tree), lintian;
  # tests/install/t_deb.sh installs them into an overlay of / (unshare, chroot: util-linux)
  debhelper dpkg-dev fakeroot lintian rsync util-linux
  # tests/install/t_fresh_debian.sh: a fresh Debian 12 to install the packages into
  debootstrap
  # the two-node Pacemaker/Corosync cluster of tests/ha (cluster.sh, t_pacemaker.sh)
  pacemaker pacemaker-cli-utils corosync crmsh
)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Cacti and MRTG ask at install time; the dashboard tests make their own DB and config.
    debconf-set-selections <<'DEBCONF'
cacti cacti/dbconfig-install boolean false
cacti cacti/webserver select None
cacti-spine cacti-spine/dbconfig-install boolean false
mrtg mrtg/conf_mods boolean false
DEBCONF
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "install-deps: all Debian packages present"
fi

# npm comes with the machine's Node.js; Debian's npm package conflicts with it.
if ! command -v npm >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends nodejs npm
fi
if [ ! -f "$ROOT/.deps/npm/node_modules/net-snmp/lib/mibs/SNMPv2-SMI.mib" ]; then
    echo "install-deps: fetching IETF base MIBs (npm package net-snmp)"
    mkdir -p "$ROOT/.deps/npm"
    npm install --silent --no-audit --no-fund --prefix "$ROOT/.deps/npm" net-snmp@3 >/dev/null
fi
# The browser test drives Debian's chromium with puppeteer-core, which never
# downloads a browser of its own (tests/tools/web_console.js).
if [ ! -f "$ROOT/.deps/npm/node_modules/puppeteer-core/package.json" ]; then
    echo "install-deps: fetching puppeteer-core (npm) for the browser test"
    mkdir -p "$ROOT/.deps/npm"
    npm install --silent --no-audit --no-fund --prefix "$ROOT/.deps/npm" puppeteer-core@24 >/dev/null
fi
# promtool (tests/controller/t_metrics.sh lints /metrics with it) comes with
# Debian's prometheus package; only the one binary is taken out of it, the
# server is never installed.
if [ ! -x "$ROOT/.deps/bin/promtool" ]; then
    echo "install-deps: extracting promtool from Debian's prometheus package"
    tmp=$(mktemp -d)
    # Downloaded as root into our own temp dir (apt's _apt user cannot write there).
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root prometheus >/dev/null)
    mkdir -p "$ROOT/.deps/bin"
    dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -C "$tmp" ./usr/bin/promtool
    install -m 0755 "$tmp/usr/bin/promtool" "$ROOT/.deps/bin/promtool"
    rm -rf "$tmp"
fi
# lamon-agent's SNMP worker runs as this user (token user, default lamon);
# the tests run as root and check the real drop.
if ! getent passwd lamon >/dev/null; then
    echo "install-deps: creating the system user lamon"
    adduser --system --group --no-create-home --home /nonexistent lamon >/dev/null
fi
echo "install-deps: done"
