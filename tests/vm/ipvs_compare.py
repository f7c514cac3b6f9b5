#!/usr/bin/python3
"""Compares lamonVsTable/lamonDestTable (snmpwalk -On -OU -Oe -Oq -Ot of
LAMON-MIB::lamonIpvs) with ipvsadm's own listings, column by column.

usage: ipvs_compare.py [--range] DIR
       ipvs_compare.py --flags 'TCP 10.0.0.1:80' < ipvsadm-Ln-output
DIR holds walk.txt and ipvsadm's outputs, taken right after the walk: ln.txt (-Ln --exact),
stats.txt (--stats), rate.txt (--rate), thresh.txt (--thresholds),
pconn.txt (--persistent-conn), all with -n --exact.
With --range, DIR also holds the same listings taken after the walk
(after-*.txt) and a counter or rate matches when the SNMP figure lies between
ipvsadm's before and after figures: for a dump in which the kernel's
estimator moved while the walk ran.  Everything else must still be equal.
Prints one line per mismatch and a summary; exits 1 on any mismatch or when
nothing was compared."""
import ipaddress
import os
import sys

BASE = ".1.3.6.1.4.1.8072.9999.9999.9999.1.5."
PROTO = {0: "FWM", 6: "TCP", 17: "UDP", 132: "SCTP"}
FWD = {1: "Masq", 2: "Local", 3: "Tunnel", 4: "Route"}
VS_COLS = {6: "sched", 7: "flags", 8: "timeout", 9: "prefix", 10: "conns", 11: "inpkts",
           12: "outpkts", 13: "inbytes", 14: "outbytes", 15: "cps", 16: "inpps",
           17: "outpps", 18: "inbps", 19: "outbps", 20: "ndests", 21: "rowstatus"}
D_COLS = {4: "weight", 5: "fwd", 6: "uthresh", 7: "lthresh", 8: "active", 9: "inactive",
          10: "persist", 11: "conns", 12: "inpkts", 13: "outpkts", 14: "inbytes",
          15: "outbytes", 16: "cps", 17: "inpps", 18: "outpps", 19: "inbps", 20: "outbps",
          21: "rowstatus"}


def hostport(addr, port):
    a = ipaddress.ip_address(addr)
    return ("[%s]:%d" if a.version == 6 else "%s:%d") % (a, port)


def take_addr(o):
    typ, n = o[0], o[1]
    b = bytes(o[2:2 + n])
    return ipaddress.ip_address(b), o[2 + n:]


def svc_key(o):
    proto = o[0]
    addr, rest = take_addr(o[1:])
    port, mark = rest[0], rest[1]
    if proto == 0:
        key = "FWM %d%s" % (mark, " IPv6" if addr.version == 6 else "")
    else:
        key = "%s %s" % (PROTO[proto], hostport(str(addr), port))
    return key, rest[2:]


def parse_walk(path):
    vs, ds = {}, {}
    for line in open(path):
        line = line.strip()
        if not line.startswith(BASE):
            continue
        oidpart, _, val = line.partition(" ")
        o = [int(x) for x in oidpart[len(BASE):].split(".")]
        table, col, idx = o[0], o[2], o[3:]
        key, rest = svc_key(idx)
        val = val.strip().strip('"')
        if table == 1:
            vs.setdefault(key, {})[VS_COLS[col]] = val
        else:
            addr, rest2 = take_addr(rest)
            dkey = key + " -> " + hostport(str(addr), rest2[0])
            ds.setdefault(dkey, {})[D_COLS[col]] = val
    return vs, ds


def parse_ipvsadm(path, svc_fields, dest_fields, vs, ds, special=None):
    cur = None
    for line in open(path):
        f = line.split()
        if not f or f[0] in ("IP", "Prot") or (f[0] == "->" and f[1] == "RemoteAddress:Port"):
            continue
        if f[0] in ("TCP", "UDP", "SCTP", "FWM"):
            if f[0] == "FWM" and len(f) > 2 and f[2] == "IPv6":
                cur = "FWM %s IPv6" % f[1]
                vals = f[3:]
            else:
                cur = "%s %s" % (f[0], f[1])
                vals = f[2:]
            d = vs.setdefault(cur, {})
            if special:
                special(d, vals)
            else:
                for name, v in zip(svc_fields, vals):
                    d[name] = v
        elif f[0] == "->":
            d = ds.setdefault(cur + " -> " + f[1], {})
            for name, v in zip(dest_fields, f[2:]):
                d[name] = v


# lamonVsFlags bits (BITS: bit 0 is 0x80) by ipvsadm's words for them;
# the scheduler's flags are "(a,b)" after its name: sh-/mh- names or flag-N.
FLAG_BITS = {"persistent": 0x80, "ops": 0x40,
             "sh-fallback": 0x20, "mh-fallback": 0x20, "flag-1": 0x20,
             "sh-port": 0x10, "mh-port": 0x10, "flag-2": 0x10, "flag-3": 0x08}


def ipvsadm_flags(vals):
    """lamonVsFlags from the words after the scheduler in ipvsadm -Ln."""
    bits = 0
    for v in vals:
        for w in v.strip("()").split(","):
            bits |= FLAG_BITS.get(w, 0)
    return bits


def snmp_flags(val):
    """lamonVsFlags from the numeric walk: one printable octet is shown as
    itself, anything else as hex ("A8 "); none as ""."""
    if val is None:
        return None
    if val == "":
        return 0
    if len(val) == 1:
        return ord(val)
    return int(val.split()[0], 16)


def ln_service(d, vals):
    d["sched"] = vals[0]
    d["timeout"] = "0"
    d["flags"] = "%02x" % ipvsadm_flags(vals[1:])
    i = 1
    while i < len(vals):
        if vals[i] == "persistent":
            d["timeout"] = vals[i + 1]
            i += 2
        elif vals[i] == "mask":
            m = vals[i + 1]
            d["prefix"] = str(ipaddress.ip_network("0.0.0.0/" + m).prefixlen) if "." in m else m
            i += 2
        else:
            i += 1


def read_ipvsadm(dirn, prefix=""):
    i_vs, i_ds = {}, {}
    f = lambda n: os.path.join(dirn, prefix + n)
    parse_ipvsadm(f("ln.txt"), None, ["fwd", "weight", "active", "inactive"],
                  i_vs, i_ds, special=ln_service)
    stats = ["conns", "inpkts", "outpkts", "inbytes", "outbytes"]
    parse_ipvsadm(f("stats.txt"), stats, stats, i_vs, i_ds)
    rate = ["cps", "inpps", "outpps", "inbps", "outbps"]
    parse_ipvsadm(f("rate.txt"), rate, rate, i_vs, i_ds)
    parse_ipvsadm(f("thresh.txt"), [], ["uthresh", "lthresh", "active", "inactive"],
                  i_vs, i_ds)
    parse_ipvsadm(f("pconn.txt"), [], ["weight", "persist", "active", "inactive"],
                  i_vs, i_ds)
    for k, d in i_vs.items():
        d["ndests"] = str(sum(1 for dk in i_ds if dk.startswith(k + " -> ")))
    return i_vs, i_ds


MOVING = {"conns", "inpkts", "outpkts", "inbytes", "outbytes",
          "cps", "inpps", "outpps", "inbps", "outbps"}


def matches(name, sv, v, later):
    """SNMP figure sv against ipvsadm's v (and its later reading, if any)."""
    if sv == v:
        return True
    if later is None or name not in MOVING:
        return False
    try:
        lo, hi = sorted((int(v), int(later)))
        return lo <= int(sv) <= hi
    except (TypeError, ValueError):
        return False


def main():
    args = sys.argv[1:]
    if args[:1] == ["--flags"]:
        # --flags 'TCP 10.0.0.1:80' < ipvsadm -Ln: that service's flags (hex)
        want = args[1].split()
        for line in sys.stdin:
            f = line.split()
            if f[:2] == want:
                print("%02x" % ipvsadm_flags(f[3:]))
                return
        sys.exit(1)
    use_range = args[:1] == ["--range"]
    dirn = args[-1]
    s_vs, s_ds = parse_walk(os.path.join(dirn, "walk.txt"))
    i_vs, i_ds = read_ipvsadm(dirn)
    a_vs, a_ds = read_ipvsadm(dirn, "after-") if use_range else ({}, {})
    bad = compared = 0
    for k in sorted(set(s_vs) | set(i_vs)):
        if k not in s_vs or k not in i_vs:
            print("service %s: only in %s" % (k, "SNMP" if k in s_vs else "ipvsadm"))
            bad += 1
            continue
        for name, v in i_vs[k].items():
            sv = s_vs[k].get(name)
            if name == "flags":
                f = snmp_flags(sv)
                sv = None if f is None else "%02x" % f
            compared += 1
            if not matches(name, sv, v, a_vs.get(k, {}).get(name) if use_range else None):
                print("service %s %s: SNMP %r, ipvsadm %r" % (k, name, sv, v))
                bad += 1
        if s_vs[k].get("rowstatus") != "1":
            print("service %s rowstatus %r" % (k, s_vs[k].get("rowstatus")))
            bad += 1
    for k in sorted(set(s_ds) | set(i_ds)):
        if k not in s_ds or k not in i_ds:
            print("destination %s: only in %s" % (k, "SNMP" if k in s_ds else "ipvsadm"))
            bad += 1
            continue
        for name, v in i_ds[k].items():
            sv = s_ds[k].get(name)
            if name == "fwd":
                sv = FWD.get(int(sv)) if sv and sv.isdigit() else sv
            compared += 1
            if not matches(name, sv, v, a_ds.get(k, {}).get(name) if use_range else None):
                print("destination %s %s: SNMP %r, ipvsadm %r" % (k, name, sv, v))
                bad += 1
    print("compared %d values of %d services and %d destinations, %d mismatches"
          % (compared, len(i_vs), len(i_ds), bad))
    sys.exit(1 if bad or compared == 0 else 0)


if __name__ == "__main__":
    main()
