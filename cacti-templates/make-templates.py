#!/usr/bin/env python3
"""Writes the lamon Cacti 1.2 templates (cacti_host_template_*.xml) and the
data query resource files (resource/snmp_queries/*.xml) in this directory.

The XML is generated rather than hand-written because a Cacti export is
thousands of lines of cross-referenced hashes; here every object is declared
once and its hash is derived from its name, so regenerating gives
byte-identical files (tests/dashboards/t_cacti_templates.sh checks that).

Hashes are md5 of "lamon/<kind>/<name>": 32 lowercase hex digits, as Cacti
requires, prefixed "hash_<type>0103" (0103 = export format 1.2.19 and later).
Objects that every Cacti has from its own cacti.sql (the "Get SNMP Data"
input methods, the "5 Minute Collection" profile) are referenced by their
stock hashes and not exported again.

Usage: make-templates.py [OUTDIR]   (default: the directory of this script)
"""
import hashlib
import os
import sys
from xml.sax.saxutils import escape

VERSION = "0103"
# LAMON-MIB lamonObjects (mibs/LAMON-MIB.txt).  A site that renumbers the MIB
# root changes it here and regenerates.
ROOT = ".1.3.6.1.4.1.8072.9999.9999.9999.1"
ROOT_RE = ROOT.lstrip(".").replace(".", "\\.")   # for Cacti's OID regexps

# Stock objects of Cacti 1.2 (cacti.sql), referenced by hash.
GET_SNMP = "3eb92bb845b9660a7445cf9740726522"
GET_SNMP_FIELDS = [  # (field hash, type_code) of "Get SNMP Data"
    ("92f5906c8dc0f964b41f4253df582c38", "hostname"),
    ("32285d5bf16e56c478f5e83f32cda9ef", "snmp_community"),
    ("ad14ac90641aed388139f6ba86a2e48b", "snmp_username"),
    ("9c55a74bd571b4f00a96fd4b793278c6", "snmp_password"),
    ("012ccb1d3687d3edb29c002ea66e72da", "snmp_version"),
    ("4276a5ec6e3fe33995129041b1909762", "snmp_oid"),
    ("fc64b99742ec417cc424dbf8c7692d36", "snmp_port"),
    ("20832ce12f099c8e54140793a091af90", "snmp_auth_protocol"),
    ("c60c9aac1e1b3555ea0620b8bbfd82cb", "snmp_priv_passphrase"),
    ("feda162701240101bc74148415ef415a", "snmp_priv_protocol"),
]
GET_SNMP_INDEXED = "bf566c869ac6443b0c75d1c32b5a350e"
GET_SNMP_INDEXED_FIELDS = [
    "617cdc8a230615e59f06f361ef6e7728", "acb449d1451e8a2a655c2c99d31142c7",
    "f4facc5e2ca7ebee621f09bc6d9fc792", "1cc1493a6781af2c478fa4de971531cf",
    "b5c23f246559df38662c255f4aa21d6b", "6027a919c7c7731fbe095b6f53ab127b",
    "cbbe5c1ddfb264a6e5d509ce1c78c95f", "e6deda7be0f391399c5130e7c4a48b28",
    "c1f36ee60c3dc98945556d57f26e475b", "2cf7129ad3ff819a7a7ac189bee48ce8",
    "6b13ac0a0194e171d241d4b06f913158", "3a33d4fc65b8329ab2ac46a36da26b72",
]
PROFILE_5MIN = "d62c52891f4f9688729a5bc9fad91b18"

# Cacti's numeric codes.
GAUGE, COUNTER = 1, 2
LINE1, LINE2, AREA, STACK, GPRINT = 4, 5, 7, 8, 9
CF_AVERAGE, CF_MAX, CF_LAST = 1, 3, 4


def md5(kind, name):
    return hashlib.md5(f"lamon/{kind}/{name}".encode()).hexdigest()


def ref(typ, h):
    return f"hash_{typ}{VERSION}{h}"


def tag(name, value, indent):
    return f"{indent}<{name}>{escape(str(value))}</{name}>\n"


# --------------------------------------------------------------------------
# Objects.  DS names are those of rrd/README.md so the two views agree.


class Cdef:
    def __init__(self, name, items):
        self.name, self.items, self.h = name, items, md5("cdef", name)

    def xml(self):
        out = f"\t<{ref('05', self.h)}>\n" + tag("name", self.name, "\t\t") + "\t\t<items>\n"
        for seq, (typ, value) in enumerate(self.items, 1):
            ih = ref("14", md5("cdef_item", f"{self.name}/{seq}"))
            out += (f"\t\t\t<{ih}>\n" + tag("sequence", seq, "\t\t\t\t") + tag("type", typ, "\t\t\t\t")
                    + tag("value", value, "\t\t\t\t") + f"\t\t\t</{ih}>\n")
        return out + "\t\t</items>\n" + f"\t</{ref('05', self.h)}>\n"


class Gprint:
    def __init__(self, name, fmt):
        self.name, self.fmt, self.h = name, fmt, md5("gprint", name)

    def xml(self):
        r = ref("06", self.h)
        return f"\t<{r}>\n" + tag("name", self.name, "\t\t") + tag("gprint_text", self.fmt, "\t\t") + f"\t</{r}>\n"


# CVDEF item types: 2 operator, 4 special data source, 6 custom string;
# operator 3 is '*', 4 is '/'.
DIV100 = Cdef("lamon - Divide by 100", [(4, "CURRENT_DATA_SOURCE"), (6, "100"), (2, "4")])
MUL1024 = Cdef("lamon - Multiply by 1024", [(4, "CURRENT_DATA_SOURCE"), (6, "1024"), (2, "3")])
GP_FLOAT = Gprint("lamon - Float", "%8.2lf %s")
GP_COUNT = Gprint("lamon - Count", "%8.0lf")


class Ds:
    """One data source of a data template."""
    def __init__(self, name, dstype=GAUGE, oid=None, query_field=None):
        self.name, self.dstype, self.oid, self.query_field = name, dstype, oid, query_field


class DataTemplate:
    def __init__(self, name, ds_title, dss, indexed):
        self.name, self.ds_title, self.dss, self.indexed = name, ds_title, dss, indexed
        self.h = md5("data_template", name)

    def rrd_hash(self, ds):
        return md5("data_template_rrd", f"{self.name}/{ds.name}")

    def xml(self):
        r = ref("01", self.h)
        i3, i4 = "\t\t\t", "\t\t\t\t"
        out = f"\t<{r}>\n" + tag("name", self.name, "\t\t") + "\t\t<ds>\n"
        for k, v in [("name", self.ds_title), ("data_source_path", ""),
                     ("data_input_id", ref("03", GET_SNMP_INDEXED if self.indexed else GET_SNMP)),
                     ("data_source_profile_id", ref("20", PROFILE_5MIN)),
                     ("rrd_step", 300), ("active", "on")]:
            if k not in ("data_input_id", "data_source_path"):
                out += tag("t_" + k, "", i3)
            out += tag(k, v, i3)
        out += "\t\t</ds>\n\t\t<items>\n"
        for ds in self.dss:
            ih = ref("08", self.rrd_hash(ds))
            out += f"{i3}<{ih}>\n"
            for k, v in [("data_source_name", ds.name), ("rrd_minimum", 0), ("rrd_maximum", "U"),
                         ("data_source_type_id", ds.dstype), ("rrd_heartbeat", 600),
                         ("data_input_field_id", 0)]:
                out += tag("t_" + k, "", i4) + tag(k, v, i4)
            out += f"{i3}</{ih}>\n"
        out += "\t\t</items>\n\t\t<data>\n"
        if self.indexed:
            fields = [(f, "") for f in GET_SNMP_INDEXED_FIELDS]
        else:
            fields = [(f, self.dss[0].oid if code == "snmp_oid" else "") for f, code in GET_SNMP_FIELDS]
        for n, (fh, value) in enumerate(fields):
            out += (f"{i3}<item_{n:03d}>\n" + tag("data_input_field_id", ref("07", fh), i4)
                    + tag("t_value", "", i4) + tag("value", value, i4) + f"{i3}</item_{n:03d}>\n")
        return out + "\t\t</data>\n" + f"\t</{r}>\n"


class Item:
    """A drawn data source of a graph template, with its three GPRINTs."""
    def __init__(self, dt, ds, gtype, color, text, cdef=None, gprint=GP_FLOAT):
        self.dt, self.ds, self.gtype, self.color, self.text = dt, ds, gtype, color, text
        self.cdef, self.gprint = cdef, gprint


class GraphTemplate:
    def __init__(self, name, title, vlabel, items, base=1000, upper=100, rigid=False):
        self.name, self.title, self.vlabel, self.items = name, title, vlabel, items
        self.base, self.upper, self.rigid = base, upper, rigid
        self.h = md5("graph_template", name)

    def xml(self):
        r = ref("00", self.h)
        i3, i4 = "\t\t\t", "\t\t\t\t"
        out = f"\t<{r}>\n" + tag("name", self.name, "\t\t") + "\t\t<graph>\n"
        graph = [("title", self.title), ("vertical_label", self.vlabel), ("image_format_id", 1),
                 ("height", 200), ("width", 700), ("base_value", self.base), ("slope_mode", "on"),
                 ("auto_scale", "on"), ("auto_scale_opts", 2), ("auto_scale_log", ""),
                 ("scale_log_units", ""), ("auto_scale_rigid", "on" if self.rigid else ""),
                 ("upper_limit", self.upper), ("lower_limit", 0), ("unit_value", ""),
                 ("unit_exponent_value", ""), ("unit_length", ""), ("no_gridfit", ""),
                 ("alt_y_grid", ""), ("right_axis", ""), ("right_axis_label", ""),
                 ("right_axis_format", 0), ("right_axis_formatter", 0), ("left_axis_formatter", 0),
                 ("auto_padding", "on"), ("dynamic_labels", ""), ("force_rules_legend", ""),
                 ("tab_width", 40), ("legend_position", 0), ("legend_direction", 0)]
        for k, v in graph:
            out += tag("t_" + k, "", i3) + tag(k, v, i3)
        out += "\t\t</graph>\n\t\t<items>\n"
        seq = 0
        inputs = []
        for it in self.items:
            task = ref("08", it.dt.rrd_hash(it.ds))
            rows = [(it.gtype, it.color, "FF", CF_AVERAGE, it.text, "")]
            rows += [(GPRINT, "0", "FF", CF_LAST, "Current:", ""),
                     (GPRINT, "0", "FF", CF_AVERAGE, "Average:", ""),
                     (GPRINT, "0", "FF", CF_MAX, "Maximum:", "on")]
            item_hashes = []
            for gtype, color, alpha, cf, text, hard in rows:
                seq += 1
                ih = md5("graph_item", f"{self.name}/{seq}")
                item_hashes.append(ih)
                out += f"{i3}<{ref('10', ih)}>\n"
                for k, v in [("graph_type_id", gtype), ("task_item_id", task), ("color_id", color),
                             ("alpha", alpha), ("consolidation_function_id", cf),
                             ("cdef_id", ref("05", it.cdef.h) if it.cdef else 0), ("vdef_id", 0),
                             ("shift", ""), ("value", ""), ("gprint_id", ref("06", it.gprint.h)),
                             ("textalign", ""), ("text_format", text), ("hard_return", hard),
                             ("line_width", "1.00" if gtype in (LINE1, LINE2) else "0.00"),
                             ("dashes", ""), ("dash_offset", 0), ("sequence", seq)]:
                    out += tag(k, v, i4)
                out += f"{i3}</{ref('10', ih)}>\n"
            inputs.append((it, item_hashes))
        out += "\t\t</items>\n\t\t<inputs>\n"
        # One input per data source, so that a graph built by hand can be
        # pointed at another data source, as Cacti's own exports do.
        for it, item_hashes in inputs:
            ih = ref("09", md5("graph_input", f"{self.name}/{it.ds.name}"))
            out += (f"{i3}<{ih}>\n" + tag("name", f"Data Source [{it.ds.name}]", i4)
                    + tag("description", "", i4) + tag("column_name", "task_item_id", i4)
                    + tag("items", "|".join(ref("00", h) for h in item_hashes), i4) + f"{i3}</{ih}>\n")
        return out + "\t\t</inputs>\n" + f"\t</{r}>\n"

    def deps(self):
        dts, cdefs, gprints = [], [], []
        for it in self.items:
            for lst, obj in ((dts, it.dt), (cdefs, it.cdef), (gprints, it.gprint)):
                if obj is not None and obj not in lst:
                    lst.append(obj)
        return dts, cdefs, gprints


class QueryGraph:
    def __init__(self, gt, title, ds_name):
        self.gt, self.title, self.ds_name = gt, title, ds_name


class DataQuery:
    def __init__(self, name, description, xml_file, resource, graphs):
        self.name, self.description, self.xml_file = name, description, xml_file
        self.resource, self.graphs = resource, graphs
        self.h = md5("data_query", name)

    def xml(self):
        r = ref("04", self.h)
        i3, i4, i5, i6 = "\t\t\t", "\t\t\t\t", "\t\t\t\t\t", "\t\t\t\t\t\t"
        out = (f"\t<{r}>\n" + tag("name", self.name, "\t\t") + tag("description", self.description, "\t\t")
               + tag("xml_path", f"<path_cacti>/resource/snmp_queries/{self.xml_file}", "\t\t")
               + tag("data_input_id", ref("03", GET_SNMP_INDEXED), "\t\t") + "\t\t<graphs>\n")
        for qg in self.graphs:
            gh = md5("query_graph", f"{self.name}/{qg.gt.name}")
            out += (f"{i3}<{ref('11', gh)}>\n" + tag("graph_template_id", ref("00", qg.gt.h), i4)
                    + tag("name", qg.gt.name, i4) + f"{i4}<rrd>\n")
            dts = []
            for n, it in enumerate(qg.gt.items):
                if it.dt not in dts:
                    dts.append(it.dt)
                out += (f"{i5}<item_{n:03d}>\n" + tag("snmp_field_name", it.ds.query_field, i6)
                        + tag("data_template_id", ref("01", it.dt.h), i6)
                        + tag("data_template_rrd_id", ref("08", it.dt.rrd_hash(it.ds)), i6)
                        + f"{i5}</item_{n:03d}>\n")
            out += f"{i4}</rrd>\n{i4}<sv_graph>\n"
            sh = ref("12", md5("sv_graph", f"{self.name}/{qg.gt.name}"))
            out += (f"{i5}<{sh}>\n" + tag("field_name", "title", i6) + tag("sequence", 1, i6)
                    + tag("text", qg.title, i6) + f"{i5}</{sh}>\n")
            out += f"{i4}</sv_graph>\n{i4}<sv_data_source>\n"
            for dt in dts:
                sh = ref("13", md5("sv_data_source", f"{self.name}/{qg.gt.name}/{dt.name}"))
                out += (f"{i5}<{sh}>\n" + tag("field_name", "name", i6)
                        + tag("data_template_id", ref("01", dt.h), i6) + tag("sequence", 1, i6)
                        + tag("text", qg.ds_name, i6) + f"{i5}</{sh}>\n")
            out += f"{i4}</sv_data_source>\n{i3}</{ref('11', gh)}>\n"
        return out + "\t\t</graphs>\n" + f"\t</{r}>\n"


class HostTemplate:
    def __init__(self, name, graph_templates, queries):
        self.name, self.graph_templates, self.queries = name, graph_templates, queries
        self.h = md5("host_template", name)

    def xml(self):
        r = ref("02", self.h)
        return (f"\t<{r}>\n" + tag("name", self.name, "\t\t") + tag("class", "linux", "\t\t")
                + tag("graph_templates", "|".join(ref("00", g.h) for g in self.graph_templates), "\t\t")
                + tag("data_queries", "|".join(ref("04", q.h) for q in self.queries), "\t\t")
                + f"\t</{r}>\n")

    def document(self):
        """The whole export: the host template and everything it uses."""
        gts = list(self.graph_templates)
        for q in self.queries:
            gts += [qg.gt for qg in q.graphs]
        dts, cdefs, gprints = [], [], []
        for gt in gts:
            for src, dst in zip(gt.deps(), (dts, cdefs, gprints)):
                dst += [o for o in src if o not in dst]
        parts = [self.xml()] + [g.xml() for g in gts] + [d.xml() for d in dts]
        parts += [q.xml() for q in self.queries] + [c.xml() for c in cdefs] + [g.xml() for g in gprints]
        return "<cacti>\n" + "".join(parts) + "</cacti>\n"


# --------------------------------------------------------------------------
# The node group: scalars, so one "Get SNMP Data" data template per object.

def node_dt(ds, title, sub):
    return DataTemplate(f"lamon - Node - {title}", f"|host_description| - lamon {title}",
                        [Ds(ds, GAUGE, f"{ROOT}.1.{sub}.0")], indexed=False)


N_LOAD1 = node_dt("load1", "Load 1 min", 6)
N_LOAD5 = node_dt("load5", "Load 5 min", 7)
N_LOAD15 = node_dt("load15", "Load 15 min", 8)
N_CPU = node_dt("cpu", "CPU Utilization", 9)
N_MEMTOTAL = node_dt("memtotal", "Memory Total", 11)
N_MEMAVAIL = node_dt("memavail", "Memory Available", 12)
N_CONNS = node_dt("conns", "Connections", 13)
N_SYNRECV = node_dt("synrecv", "SYN-RECV", 18)


def one(dt):
    return dt, dt.dss[0]


G_LOAD = GraphTemplate("lamon - Node Load Average", "|host_description| - Load Average", "load", [
    Item(*one(N_LOAD1), LINE2, "EA8F00", "1 min", DIV100),
    Item(*one(N_LOAD5), LINE1, "0000FF", "5 min", DIV100),
    Item(*one(N_LOAD15), LINE1, "00A000", "15 min", DIV100)], upper=1)
G_CPU = GraphTemplate("lamon - Node CPU Utilization", "|host_description| - CPU Utilization", "percent", [
    Item(*one(N_CPU), AREA, "4668E4", "Busy", DIV100)], upper=100, rigid=True)
G_MEM = GraphTemplate("lamon - Node Memory", "|host_description| - Memory", "bytes", [
    Item(*one(N_MEMAVAIL), AREA, "8F9286", "Available", MUL1024),
    Item(*one(N_MEMTOTAL), LINE1, "000000", "Total", MUL1024)], base=1024, upper=1024)
G_CONNS = GraphTemplate("lamon - Node Connections", "|host_description| - Connections", "connections", [
    Item(*one(N_CONNS), AREA, "4668E4", "Established", gprint=GP_COUNT),
    Item(*one(N_SYNRECV), LINE2, "FF0000", "SYN-RECV", gprint=GP_COUNT)], upper=10)
NODE_GRAPHS = [G_LOAD, G_CPU, G_MEM, G_CONNS]

# --------------------------------------------------------------------------
# lamonAppTable: indexed by IMPLIED lamonAppName, so the index is the name's
# octets; oid_index_parse keeps everything after the column number.

APP = f"{ROOT}.2.1.1"
APP_DT = DataTemplate("lamon - Application Connections", "|host_description| - lamon app connections", [
    Ds("established", GAUGE, query_field="lamonAppEstablished"),
    Ds("synrecv", GAUGE, query_field="lamonAppSynRecv")], indexed=True)
G_APP = GraphTemplate("lamon - Application Connections", "|host_description| - Application Connections",
                      "connections", [
                          Item(APP_DT, APP_DT.dss[0], AREA, "4668E4", "Established", gprint=GP_COUNT),
                          Item(APP_DT, APP_DT.dss[1], LINE2, "FF0000", "SYN-RECV", gprint=GP_COUNT)],
                      upper=10)
Q_APPS = DataQuery(
    "lamon - Applications", "The managed applications of a lamon node (LAMON-MIB lamonAppTable)",
    "lamon_apps.xml", f"""<interface>
	<name>lamon - Applications</name>
	<description>LAMON-MIB lamonAppTable: one row per managed application</description>
	<oid_index>{APP}.2</oid_index>
	<oid_index_parse>OID/REGEXP:^.*?{ROOT_RE}\\.2\\.1\\.1\\.[0-9]+\\.([0-9.]+)$</oid_index_parse>
	<index_order>lamonAppLabel</index_order>
	<index_order_type>alphabetic</index_order_type>
	<index_title_format>|chosen_order_field|</index_title_format>
	<fields>
		<lamonAppLabel>
			<name>Application</name>
			<method>walk</method>
			<source>value</source>
			<direction>input</direction>
			<oid>{APP}.2</oid>
		</lamonAppLabel>
		<lamonAppPorts>
			<name>Ports</name>
			<method>walk</method>
			<source>value</source>
			<direction>input</direction>
			<oid>{APP}.3</oid>
		</lamonAppPorts>
		<lamonAppOperStatus>
			<name>Status</name>
			<method>walk</method>
			<source>VALUE/TABLE:1:up:2:down:3:unknown:4:starting:5:stopping</source>
			<direction>input</direction>
			<oid>{APP}.4</oid>
		</lamonAppOperStatus>
		<lamonAppEstablished>
			<name>Established connections</name>
			<method>walk</method>
			<source>value</source>
			<direction>output</direction>
			<oid>{APP}.6</oid>
		</lamonAppEstablished>
		<lamonAppSynRecv>
			<name>SYN-RECV connections</name>
			<method>walk</method>
			<source>value</source>
			<direction>output</direction>
			<oid>{APP}.7</oid>
		</lamonAppSynRecv>
	</fields>
</interface>
""", [QueryGraph(G_APP, "|host_description| - app |query_lamonAppLabel| - connections",
                 "|host_description| - app |query_lamonAppLabel|")])

# --------------------------------------------------------------------------
# lamonDestTable (directors).  The index is protocol, VS address type,
# length-prefixed VS address, VS port, fwmark, destination address type,
# length-prefixed destination address, destination port.  The readable
# fields are cut out of the index for IPv4 services and destinations.

DEST = f"{ROOT}.5.2.1"
D_HEAD = f"^.*?{ROOT_RE}\\.5\\.2\\.1\\.[0-9]+\\."
IP4 = "[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+"
N = "[0-9]+"
DEST_CONN_DT = DataTemplate("lamon - IPVS Destination Connections",
                            "|host_description| - lamon IPVS destination connections", [
                                Ds("active", GAUGE, query_field="lamonDestActiveConns"),
                                Ds("inactive", GAUGE, query_field="lamonDestInactiveConns"),
                                Ds("conns", COUNTER, query_field="lamonDestConns")], indexed=True)
DEST_TRAFFIC_DT = DataTemplate("lamon - IPVS Destination Traffic",
                               "|host_description| - lamon IPVS destination traffic", [
                                   Ds("inbytes", COUNTER, query_field="lamonDestInBytes"),
                                   Ds("outbytes", COUNTER, query_field="lamonDestOutBytes")], indexed=True)
G_DEST_CONNS = GraphTemplate("lamon - IPVS Destination Connections",
                             "|host_description| - IPVS Destination Connections", "connections", [
                                 Item(DEST_CONN_DT, DEST_CONN_DT.dss[0], AREA, "4668E4", "Active", gprint=GP_COUNT),
                                 Item(DEST_CONN_DT, DEST_CONN_DT.dss[1], STACK, "8F9286", "Inactive",
                                      gprint=GP_COUNT),
                                 Item(DEST_CONN_DT, DEST_CONN_DT.dss[2], LINE2, "FF0000", "New per second")],
                             upper=10)
G_DEST_TRAFFIC = GraphTemplate("lamon - IPVS Destination Traffic",
                               "|host_description| - IPVS Destination Traffic", "bytes per second", [
                                   Item(DEST_TRAFFIC_DT, DEST_TRAFFIC_DT.dss[0], AREA, "00CF00", "In"),
                                   Item(DEST_TRAFFIC_DT, DEST_TRAFFIC_DT.dss[1], LINE1, "002A97", "Out")],
                               upper=100)
Q_DESTS = DataQuery(
    "lamon - IPVS Destinations", "The real servers of a lamon director's IPVS services (LAMON-MIB lamonDestTable)",
    "lamon_ipvs_dests.xml", f"""<interface>
	<name>lamon - IPVS Destinations</name>
	<description>LAMON-MIB lamonDestTable: one row per real server of each IPVS virtual service</description>
	<oid_index>{DEST}.4</oid_index>
	<oid_index_parse>OID/REGEXP:{D_HEAD}([0-9.]+)$</oid_index_parse>
	<index_order>lamonDestIndex</index_order>
	<index_order_type>natural</index_order_type>
	<index_title_format>|chosen_order_field|</index_title_format>
	<fields>
		<lamonDestIndex>
			<name>Index</name>
			<source>index</source>
			<direction>input</direction>
		</lamonDestIndex>
		<lamonDestVsAddress>
			<name>Virtual service address (IPv4)</name>
			<method>walk</method>
			<source>OID/REGEXP:{D_HEAD}{N}\\.1\\.4\\.({IP4})\\.{N}\\.{N}\\.1\\.4\\.{IP4}\\.{N}$</source>
			<direction>input</direction>
			<oid>{DEST}.4</oid>
		</lamonDestVsAddress>
		<lamonDestVsPort>
			<name>Virtual service port</name>
			<method>walk</method>
			<source>OID/REGEXP:{D_HEAD}{N}\\.1\\.4\\.{IP4}\\.({N})\\.{N}\\.1\\.4\\.{IP4}\\.{N}$</source>
			<direction>input</direction>
			<oid>{DEST}.4</oid>
		</lamonDestVsPort>
		<lamonDestRealAddress>
			<name>Real server address (IPv4)</name>
			<method>walk</method>
			<source>OID/REGEXP:{D_HEAD}{N}\\.1\\.4\\.{IP4}\\.{N}\\.{N}\\.1\\.4\\.({IP4})\\.{N}$</source>
			<direction>input</direction>
			<oid>{DEST}.4</oid>
		</lamonDestRealAddress>
		<lamonDestRealPort>
			<name>Real server port</name>
			<method>walk</method>
			<source>OID/REGEXP:{D_HEAD}{N}\\.1\\.4\\.{IP4}\\.{N}\\.{N}\\.1\\.4\\.{IP4}\\.({N})$</source>
			<direction>input</direction>
			<oid>{DEST}.4</oid>
		</lamonDestRealPort>
		<lamonDestWeight>
			<name>Weight</name>
			<method>walk</method>
			<source>value</source>
			<direction>input</direction>
			<oid>{DEST}.4</oid>
		</lamonDestWeight>
		<lamonDestActiveConns>
			<name>Active connections</name>
			<method>walk</method>
			<source>value</source>
			<direction>output</direction>
			<oid>{DEST}.8</oid>
		</lamonDestActiveConns>
		<lamonDestInactiveConns>
			<name>Inactive connections</name>
			<method>walk</method>
			<source>value</source>
			<direction>output</direction>
			<oid>{DEST}.9</oid>
		</lamonDestInactiveConns>
		<lamonDestConns>
			<name>Connections scheduled</name>
			<method>walk</method>
			<source>value</source>
			<direction>output</direction>
			<oid>{DEST}.11</oid>
		</lamonDestConns>
		<lamonDestInBytes>
			<name>Bytes in</name>
			<method>walk</method>
			<source>value</source>
			<direction>output</direction>
			<oid>{DEST}.14</oid>
		</lamonDestInBytes>
		<lamonDestOutBytes>
			<name>Bytes out</name>
			<method>walk</method>
			<source>value</source>
			<direction>output</direction>
			<oid>{DEST}.15</oid>
		</lamonDestOutBytes>
	</fields>
</interface>
""", [QueryGraph(G_DEST_CONNS,
                 "|host_description| - IPVS |query_lamonDestVsAddress|:|query_lamonDestVsPort| -> "
                 "|query_lamonDestRealAddress|:|query_lamonDestRealPort| - connections",
                 "|host_description| - IPVS dest |query_lamonDestIndex| connections"),
      QueryGraph(G_DEST_TRAFFIC,
                 "|host_description| - IPVS |query_lamonDestVsAddress|:|query_lamonDestVsPort| -> "
                 "|query_lamonDestRealAddress|:|query_lamonDestRealPort| - traffic",
                 "|host_description| - IPVS dest |query_lamonDestIndex| traffic")])

HOSTS = {
    "cacti_host_template_lamon_node.xml": HostTemplate("lamon node", NODE_GRAPHS, [Q_APPS]),
    "cacti_host_template_lamon_director.xml": HostTemplate("lamon director", NODE_GRAPHS, [Q_DESTS]),
}
QUERIES = [Q_APPS, Q_DESTS]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(outdir, "resource", "snmp_queries"), exist_ok=True)
    for fname, host in HOSTS.items():
        with open(os.path.join(outdir, fname), "w", encoding="utf-8") as f:
            f.write(host.document())
    for q in QUERIES:
        with open(os.path.join(outdir, "resource", "snmp_queries", q.xml_file), "w", encoding="utf-8") as f:
            f.write(q.resource)


if __name__ == "__main__":
    main()
