#!/usr/bin/env bash
# LAMON-MIB: smilint -l 4 is silent, Net-SNMP loads it, the key OIDs are where
# the code expects them.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
lamon_test_init

# smilint reads modules by name from SMIPATH: give it the npm base MIBs, the
# Net-SNMP MIBs and our INET-ADDRESS-MIB stub under their module names.
mkdir -p "$T/smi"
for f in "$ROOT"/.deps/npm/node_modules/net-snmp/lib/mibs/SNMPv2-*.mib; do
    cp "$f" "$T/smi/$(basename "$f" .mib)"
done
cp /usr/share/snmp/mibs/NET-SNMP-MIB.txt "$T/smi/NET-SNMP-MIB"
cp "$ROOT/tests/mibs/INET-ADDRESS-MIB.txt" "$T/smi/INET-ADDRESS-MIB"
[ -f "$T/smi/SNMPv2-SMI" ] || bail "base MIBs missing: run make deps"

# smilint exits 0 on errors: judge it by its output.
out=$(SMIPATH=$T/smi smilint -l 4 "$ROOT/mibs/LAMON-MIB.txt" 2>&1)
is "$out" "" "smilint -l 4 prints nothing for LAMON-MIB"
# The check above must be able to fail: a broken copy must produce output.
sed 's/lamonNodeGroup OBJECT-GROUP/lamonNodeGroup OBJECT-GRUOP/' "$ROOT/mibs/LAMON-MIB.txt" >"$T/broken.txt"
out=$(SMIPATH=$T/smi smilint -l 4 "$T/broken.txt" 2>&1)
like "$out" "syntax error|error" "smilint reports a deliberately broken copy"

is "$(snmptranslate -On LAMON-MIB::lamonMIB 2>&1)" ".1.3.6.1.4.1.8072.9999.9999.9999" \
   "snmptranslate loads LAMON-MIB at the playpen root"
is "$(snmptranslate -On LAMON-MIB::lamonNodeLoad1 2>&1)" ".1.3.6.1.4.1.8072.9999.9999.9999.1.1.6" \
   "lamonNodeLoad1 OID"
is "$(snmptranslate -On LAMON-MIB::lamonAppEstablished 2>&1)" ".1.3.6.1.4.1.8072.9999.9999.9999.1.2.1.1.6" \
   "lamonAppEstablished OID"
is "$(snmptranslate -On LAMON-MIB::lamonDestWeight 2>&1)" ".1.3.6.1.4.1.8072.9999.9999.9999.1.5.2.1.4" \
   "lamonDestWeight OID"
# Every object name starts with lamon (a fixed interface).
names=$(snmptranslate -Tz -m LAMON-MIB 2>/dev/null | awk -F'"' '$4 ~ /^\.?1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.9999/ {print $2}')
n=$(printf '%s\n' "$names" | grep -c .)
bad=$(printf '%s\n' "$names" | grep -v '^lamon' | tr '\n' ' ')
[ "$n" -gt 100 ] && ok "snmptranslate lists $n LAMON-MIB objects" || fail "LAMON-MIB lists only $n objects"
is "$bad" "" "every LAMON-MIB object name starts with lamon"
done_testing
