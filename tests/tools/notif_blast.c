/* notif_blast: datagrams for a lamon-controller's notification receiver,
 * for the flood test and the heartbeat scale bench (built into
 * build/tests/tools/, never installed).
 *
 * Every PDU is built once with Net-SNMP's own encoder (snmp_build: BER,
 * community, USM) and its bytes are sent again and again, so one core
 * sends well over 10,000 datagrams a second.  The kinds, sent in turn:
 *
 *   valid      lamonNodeHeartbeat of nodes PREFIX1..PREFIXN (the agent's
 *              varbinds), node i from 127.0.(10+(i-1)/250).(1+(i-1)%250),
 *              the numbering of bench/controller_poll.sh
 *   garbage    random bytes, and a heartbeat cut in half
 *   community  a heartbeat with a wrong community
 *   unknown    heartbeats of node names nobody configured
 *   spoof      a heartbeat naming node SPOOF, from the --from address
 *   v3user     an SNMPv3 authPriv inform from a user the receiver lacks
 *   v3auth     one from --user with a wrong authentication key
 *   v3priv     one from --user with the right authentication key and a
 *              wrong privacy key
 *   source     a valid heartbeat from --outside (outside every accept)
 *
 * All but valid and source come from --from.  The v3 kinds first learn the
 * receiver's engine ID and time (one discovery request each, from --from).
 * Prints what it sent per kind and the rate achieved. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/snmpusm.h>

#include "lamon_mib.h"

#define NODES_MAX 10000          /* addresses 127.0.10.1 .. 127.0.49.250 */
#define UNKNOWN_NAMES 64
#define GARBAGE 16
#define SECONDS_MAX 3600

enum kind { K_VALID, K_GARBAGE, K_COMMUNITY, K_UNKNOWN, K_SPOOF, K_V3USER, K_V3AUTH, K_V3PRIV, K_SOURCE, K_COUNT };
static const char *const kind_names[K_COUNT] = {
    "valid", "garbage", "community", "unknown", "spoof", "v3user", "v3auth", "v3priv", "source",
};

struct dgram {
    unsigned char *buf;
    size_t len;
    int fd;                      /* connected to the receiver, bound to the source */
};

struct kind_out {
    struct dgram *d;
    size_t n, next;
    unsigned long sent;
};

static struct opts {
    const char *to, *community, *prefix, *from, *outside, *spoof, *user, *auth, *priv;
    unsigned nodes, period_ms;
    double rate, seconds;
    unsigned long count;
    int inform;
    unsigned kinds;              /* bit per enum kind */
} o = {
    .community = "public", .prefix = "node", .from = "127.0.0.1", .outside = "127.255.0.1", .spoof = "node1",
    .user = "lamonadmin", .auth = "lamonauthpass", .priv = "lamonprivpass",
    .nodes = 1, .period_ms = 200, .rate = 1000, .seconds = 5, .kinds = 1u << K_VALID,
};

static struct sockaddr_in target;
static struct kind_out kinds[K_COUNT];
static unsigned long send_errors, replies;
static volatile sig_atomic_t stop;

/* --- sockets, one per source address --------------------------------------- */

static struct { struct in_addr a; int fd; } *socks;
static size_t nsocks;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "notif_blast: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static int sock_from(const char *addr)
{
    struct in_addr a;
    if (inet_pton(AF_INET, addr, &a) != 1)
        die("not an IPv4 address: %s", addr);
    for (size_t i = 0; i < nsocks; i++)
        if (socks[i].a.s_addr == a.s_addr)
            return socks[i].fd;
    void *grown = realloc(socks, (nsocks + 1) * sizeof *socks);
    if (!grown)
        die("out of memory");
    socks = grown;
    struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = a };
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof src) < 0 ||
        connect(fd, (struct sockaddr *)&target, sizeof target) < 0)
        die("cannot send from %s (open files limit?)", addr);
    socks[nsocks].a = a;
    socks[nsocks++].fd = fd;
    return fd;
}

/* Node I's address, as bench/controller_poll.sh's addr() numbers them. */
static void node_addr(unsigned i, char *buf, size_t len)
{
    snprintf(buf, len, "127.0.%u.%u", 10 + (i - 1) / 250, 1 + (i - 1) % 250);
}

/* Acknowledgements of informs and v3 Reports: counted, then dropped. */
static void read_replies(void)
{
    unsigned char b[2048];
    for (size_t i = 0; i < nsocks; i++)
        for (int k = 0; k < 10000 && recv(socks[i].fd, b, sizeof b, 0) >= 0; k++)
            replies++;
}

/* --- PDUs ------------------------------------------------------------------- */

static void add(struct kind_out *k, const unsigned char *bytes, size_t len, int fd)
{
    void *grown = realloc(k->d, (k->n + 1) * sizeof *k->d);
    unsigned char *copy = malloc(len);
    if (!grown || !copy)
        die("out of memory");
    k->d = grown;
    memcpy(copy, bytes, len);
    k->d[k->n++] = (struct dgram){ .buf = copy, .len = len, .fd = fd };
}

/* The lamonNodeHeartbeat varbinds subagent/notify.c sends. */
static netsnmp_pdu *heartbeat_pdu(int version, int command, const char *name)
{
    static const oid uptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
    static const oid trapoid_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
    static const oid trap[] = { LAMON_NOTIFS, LNOTIF_NODE_HEARTBEAT };
    static const oid name_oid[] = { LAMON_NODE, LN_NAME, 0 }, state_oid[] = { LAMON_NODE, LN_STATE, 0 },
                     role_oid[] = { LAMON_NODE, LN_ROLE, 0 }, service_oid[] = { LAMON_NODE, LN_SERVICE, 0 },
                     load_oid[] = { LAMON_NODE, LN_LOAD1, 0 }, conns_oid[] = { LAMON_NODE, LN_CONNS, 0 },
                     hb_oid[] = { LAMON_NODE, LN_HEARTBEAT, 0 };
    static long reqid;
    netsnmp_pdu *pdu = snmp_pdu_create(command);
    if (!pdu)
        die("out of memory");
    pdu->version = version;
    pdu->reqid = pdu->msgid = ++reqid;
    u_long ticks = 4200, load = 12, conns = 0, period = o.period_ms;
    long state = NSTATE_RUNNING, role = ROLE_SPARE;
    snmp_pdu_add_variable(pdu, uptime_oid, OID_LENGTH(uptime_oid), ASN_TIMETICKS, &ticks, sizeof ticks);
    snmp_pdu_add_variable(pdu, trapoid_oid, OID_LENGTH(trapoid_oid), ASN_OBJECT_ID, trap, sizeof trap);
    snmp_pdu_add_variable(pdu, name_oid, OID_LENGTH(name_oid), ASN_OCTET_STR, name, strlen(name));
    snmp_pdu_add_variable(pdu, state_oid, OID_LENGTH(state_oid), ASN_INTEGER, &state, sizeof state);
    snmp_pdu_add_variable(pdu, role_oid, OID_LENGTH(role_oid), ASN_INTEGER, &role, sizeof role);
    snmp_pdu_add_variable(pdu, service_oid, OID_LENGTH(service_oid), ASN_OCTET_STR, "", 0);
    snmp_pdu_add_variable(pdu, load_oid, OID_LENGTH(load_oid), ASN_GAUGE, &load, sizeof load);
    snmp_pdu_add_variable(pdu, conns_oid, OID_LENGTH(conns_oid), ASN_GAUGE, &conns, sizeof conns);
    snmp_pdu_add_variable(pdu, hb_oid, OID_LENGTH(hb_oid), ASN_GAUGE, &period, sizeof period);
    return pdu;
}

/* PDU's bytes (consumed) as SESSION's library would send them, into K. */
static void build(struct kind_out *k, netsnmp_session *session, netsnmp_pdu *pdu, int fd)
{
    size_t len = 2048, off = 0;
    u_char *buf = malloc(len);
    if (!buf || snmp_build(&buf, &len, &off, session, pdu) < 0 || (pdu->flags & UCD_MSG_FLAG_FORWARD_ENCODE))
        die("cannot build a PDU: %s", snmp_api_errstring(session->s_snmp_errno));
    add(k, buf + len - off, off, fd);         /* reverse encoding: the message ends the buffer */
    free(buf);
    snmp_free_pdu(pdu);
}

static void build_v2c(struct kind_out *k, const char *community, const char *name, int fd)
{
    netsnmp_session s;
    snmp_sess_init(&s);
    s.version = SNMP_VERSION_2c;
    s.community = (u_char *)community;
    s.community_len = strlen(community);
    netsnmp_pdu *pdu = heartbeat_pdu(SNMP_VERSION_2c, o.inform ? SNMP_MSG_INFORM : SNMP_MSG_TRAP2, name);
    pdu->community = (u_char *)strdup(community);
    pdu->community_len = strlen(community);
    build(k, &s, pdu, fd);
}

static void ku(const oid *proto, size_t plen, const char *pass, u_char *key, size_t *klen)
{
    *klen = USM_AUTH_KU_LEN;
    if (generate_Ku(proto, (u_int)plen, (const u_char *)pass, strlen(pass), key, klen) != SNMPERR_SUCCESS)
        die("cannot make a key from a passphrase for %s", "v3");
}

/* An authPriv inform from USER with these passphrases: a session to the
 * receiver learns its engine ID and time (the discovery Net-SNMP does
 * before an inform) and makes the local USM user; the user is removed
 * again after the build, so that the next kind's keys are its own. */
static void build_v3(struct kind_out *k, const char *user, const char *auth, const char *priv, int fd)
{
    netsnmp_session s, *ss;
    char peer[64];
    snprintf(peer, sizeof peer, "udp:%s:%u", inet_ntoa(target.sin_addr), ntohs(target.sin_port));
    snmp_sess_init(&s);
    s.peername = peer;
    s.version = SNMP_VERSION_3;
    s.securityName = (char *)user;
    s.securityNameLen = strlen(user);
    s.securityModel = SNMP_SEC_MODEL_USM;
    s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
    s.securityAuthProto = snmp_duplicate_objid(usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN);
    s.securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
    s.securityPrivProto = snmp_duplicate_objid(usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN);
    s.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
    ku(s.securityAuthProto, s.securityAuthProtoLen, auth, s.securityAuthKey, &s.securityAuthKeyLen);
    ku(s.securityAuthProto, s.securityAuthProtoLen, priv, s.securityPrivKey, &s.securityPrivKeyLen);
    s.flags &= ~SNMP_FLAGS_DONT_PROBE;      /* snmp_sess_init sets it: discover now */
    s.timeout = 1000000;
    s.retries = 2;
    void *h = snmp_sess_open(&s);
    free(s.securityAuthProto);
    free(s.securityPrivProto);
    if (!h || !(ss = snmp_sess_session(h)) || !ss->securityEngineIDLen)
        die("no SNMPv3 engine ID discovered from the receiver (is %s inside an accept network?): %s", o.from,
            snmp_api_errstring(h ? snmp_sess_session(h)->s_snmp_errno : snmp_errno));
    build(k, ss, heartbeat_pdu(SNMP_VERSION_3, SNMP_MSG_INFORM, o.spoof), fd);
    struct usmUser *u = usm_get_user(ss->securityEngineID, ss->securityEngineIDLen, (char *)user);
    if (u)
        usm_free_user(usm_remove_user(u));
    snmp_sess_close(h);
}

static void build_all(void)
{
    char name[80], addr[32];
    if (o.kinds & 1u << K_VALID)
        for (unsigned i = 1; i <= o.nodes; i++) {
            snprintf(name, sizeof name, "%s%u", o.prefix, i);
            node_addr(i, addr, sizeof addr);
            build_v2c(&kinds[K_VALID], o.community, name, sock_from(addr));
        }
    int from = sock_from(o.from);
    if (o.kinds & 1u << K_GARBAGE) {
        unsigned long x = 88172645463325252UL;     /* xorshift64: the same bytes every run */
        unsigned char b[200];
        for (int g = 0; g < GARBAGE - 1; g++) {
            size_t len = 1 + g * 13 % sizeof b;
            for (size_t i = 0; i < len; i++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                b[i] = (unsigned char)x;
            }
            b[0] %= 0x30;                          /* no SEQUENCE: never a message */
            add(&kinds[K_GARBAGE], b, len, from);
        }
        struct kind_out whole = { 0 };
        build_v2c(&whole, o.community, o.spoof, from);
        add(&kinds[K_GARBAGE], whole.d[0].buf, whole.d[0].len / 2, from);
        free(whole.d[0].buf);
        free(whole.d);
    }
    if (o.kinds & 1u << K_COMMUNITY) {
        snprintf(name, sizeof name, "%s-wrong", o.community);
        build_v2c(&kinds[K_COMMUNITY], name, o.spoof, from);
    }
    if (o.kinds & 1u << K_UNKNOWN)
        for (int i = 1; i <= UNKNOWN_NAMES; i++) {
            snprintf(name, sizeof name, "unknown%d", i);
            build_v2c(&kinds[K_UNKNOWN], o.community, name, from);
        }
    if (o.kinds & 1u << K_SPOOF)
        build_v2c(&kinds[K_SPOOF], o.community, o.spoof, from);
    if (o.kinds & 1u << K_V3USER)
        build_v3(&kinds[K_V3USER], "flood-nobody", "nobodyauthpass", "nobodyprivpass", from);
    if (o.kinds & 1u << K_V3AUTH)
        build_v3(&kinds[K_V3AUTH], o.user, "wrong-auth-pass", o.priv, from);
    if (o.kinds & 1u << K_V3PRIV)
        build_v3(&kinds[K_V3PRIV], o.user, o.auth, "wrong-priv-pass", from);
    if (o.kinds & 1u << K_SOURCE)
        build_v2c(&kinds[K_SOURCE], o.community, o.spoof, sock_from(o.outside));
}

/* --- sending ----------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Sends the kinds in turn at o.rate until o.seconds or o.count (or a
 * signal); returns the seconds it took. */
static double blast(void)
{
    enum kind order[K_COUNT] = { K_VALID };
    unsigned n = 0;
    for (int k = 0; k < K_COUNT; k++)
        if (o.kinds & 1u << k)
            order[n++] = (enum kind)k;
    unsigned long total = 0, batch = o.rate >= 1000 ? (unsigned long)(o.rate / 1000) : 1;
    double t0 = now_s(), next_replies = t0 + 1, t = t0;
    while (!stop && (t = now_s()) - t0 < o.seconds && (!o.count || total < o.count)) {
        unsigned long due = (unsigned long)((t - t0) * o.rate) + 1;
        if (o.count && due > o.count)
            due = o.count;
        for (unsigned long b = 0; total < due && b < 100 * batch; b++, total++) {
            struct kind_out *k = &kinds[order[total % n]];
            const struct dgram *d = &k->d[k->next++ % k->n];
            if (send(d->fd, d->buf, d->len, MSG_DONTWAIT) < 0)
                send_errors++;
            else
                k->sent++;
        }
        if (t >= next_replies) {
            read_replies();
            next_replies = t + 1;
        }
        /* Sleep until the next batch is due (about a millisecond). */
        double wake = t0 + (double)(total + batch) / o.rate;
        if (wake > t) {
            struct timespec ts = { (time_t)(wake - t), (long)((wake - t - (double)(time_t)(wake - t)) * 1e9) };
            nanosleep(&ts, NULL);
        }
    }
    double took = now_s() - t0;
    struct timespec settle = { 0, 300 * 1000000L };  /* late acknowledgements */
    nanosleep(&settle, NULL);
    read_replies();
    return took;
}

/* --- options ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: notif_blast --to ADDR:PORT [options]\n"
            "Sends LAMON-MIB heartbeats and bad datagrams to a lamon-controller's notification\n"
            "receiver (listen ADDRESS:PORT), the kinds in turn, at a given rate, for a bounded time.\n"
            "  -t, --to ADDR:PORT     the receiver (IPv4)\n"
            "  -k, --kinds LIST       comma-separated, default valid; all: every kind\n"
            "        valid      lamonNodeHeartbeat of PREFIX1..PREFIXN, node i from\n"
            "                   127.0.(10+(i-1)/250).(1+(i-1)%%250)\n"
            "        garbage    random bytes and a heartbeat cut in half\n"
            "        community  a heartbeat with the community COMMUNITY-wrong\n"
            "        unknown    heartbeats of node names unknown1..unknown%d\n"
            "        spoof      a heartbeat naming node SPOOF (from --from)\n"
            "        v3user     an SNMPv3 authPriv inform from a user the receiver lacks\n"
            "        v3auth     one from --user with a wrong authentication key\n"
            "        v3priv     one from --user with a wrong privacy key\n"
            "        source     a valid heartbeat from --outside\n"
            "  -n, --nodes N          nodes of kind valid (1..%d, default 1)\n"
            "  -p, --prefix P         their name prefix (default node)\n"
            "  -r, --rate R           datagrams per second, all kinds together (default 1000)\n"
            "  -s, --seconds S        stop after S seconds (default 5, at most %d)\n"
            "  -c, --count C          stop after C datagrams (default: no limit)\n"
            "  -C, --community C      community of the v2c kinds (default public)\n"
            "  -P, --period MS        lamonNodeHeartbeatInterval carried (default 200)\n"
            "  -i, --inform           v2c informs instead of traps (acknowledgements are counted)\n"
            "  -f, --from ADDR        source of the bad kinds (default 127.0.0.1)\n"
            "  -o, --outside ADDR     source of kind source (default 127.255.0.1)\n"
            "  -S, --spoof NAME       node name of kinds spoof, community, garbage, v3* (default node1)\n"
            "  -u, --user U  -A, --auth PASS  -X, --priv PASS\n"
            "                         the accepted v3user (SHA/AES) whose keys v3auth and v3priv get\n"
            "                         wrong (default lamonadmin lamonauthpass lamonprivpass)\n"
            "  -h, --help\n"
            "Prints one line per kind, \"sent KIND N\", then the total, the rate achieved, send\n"
            "errors and replies (acknowledgements and v3 Reports).  SIGINT/SIGTERM end it early.\n",
            UNKNOWN_NAMES, NODES_MAX, SECONDS_MAX);
}

static unsigned parse_kinds(const char *list)
{
    if (strcmp(list, "all") == 0)
        return (1u << K_COUNT) - 1;
    unsigned bits = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < K_COUNT && strcmp(w, kind_names[k]) != 0)
            k++;
        if (k == K_COUNT)
            die("unknown kind '%s' (see --help)", w);
        bits |= 1u << k;
    }
    free(copy);
    if (!bits)
        die("no kind in '%s'", list);
    return bits;
}

static double number(const char *s, double lo, double hi, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi)
        die("bad %s (see --help)", what);
    return v;
}

static void parse(int argc, char **argv)
{
    static const struct option longs[] = {
        { "to", 1, 0, 't' }, { "kinds", 1, 0, 'k' }, { "nodes", 1, 0, 'n' }, { "prefix", 1, 0, 'p' },
        { "rate", 1, 0, 'r' }, { "seconds", 1, 0, 's' }, { "count", 1, 0, 'c' }, { "community", 1, 0, 'C' },
        { "period", 1, 0, 'P' }, { "inform", 0, 0, 'i' }, { "from", 1, 0, 'f' }, { "outside", 1, 0, 'o' },
        { "spoof", 1, 0, 'S' }, { "user", 1, 0, 'u' }, { "auth", 1, 0, 'A' }, { "priv", 1, 0, 'X' },
        { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "t:k:n:p:r:s:c:C:P:if:o:S:u:A:X:h", longs, NULL)) != -1) {
        switch (c) {
        case 't': o.to = optarg; break;
        case 'k': o.kinds = parse_kinds(optarg); break;
        case 'n': o.nodes = (unsigned)number(optarg, 1, NODES_MAX, "--nodes"); break;
        case 'p': o.prefix = optarg; break;
        case 'r': o.rate = number(optarg, 1, 10000000, "--rate"); break;
        case 's': o.seconds = number(optarg, 0.001, SECONDS_MAX, "--seconds"); break;
        case 'c': o.count = (unsigned long)number(optarg, 1, 1e12, "--count"); break;
        case 'C': o.community = optarg; break;
        case 'P': o.period_ms = (unsigned)number(optarg, 0, 3600000, "--period"); break;
        case 'i': o.inform = 1; break;
        case 'f': o.from = optarg; break;
        case 'o': o.outside = optarg; break;
        case 'S': o.spoof = optarg; break;
        case 'u': o.user = optarg; break;
        case 'A': o.auth = optarg; break;
        case 'X': o.priv = optarg; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (optind != argc || !o.to) {
        usage(stderr);
        exit(2);
    }
    char host[64];
    unsigned port;
    if (sscanf(o.to, "%63[0-9.]:%u", host, &port) != 2 || port == 0 || port > 65535 ||
        inet_pton(AF_INET, host, &target.sin_addr) != 1)
        die("--to wants IPV4:PORT, not %s", o.to);
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)port);
    if (strlen(o.auth) < 8 || strlen(o.priv) < 8)
        die("SNMPv3 passphrases have at least 8 characters");
}

int main(int argc, char **argv)
{
    parse(argc, argv);
    /* One socket per node: raise the open files limit as far as allowed. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* No MIBs, no config or persistent files: only the encoder and USM. */
    setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_REVERSE_ENCODE, 1);
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_CLIENT_ADDR, o.from);
    init_snmp("notif_blast");
    build_all();
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    double took = blast();
    unsigned long total = 0;
    for (int k = 0; k < K_COUNT; k++)
        if (o.kinds & 1u << k) {
            printf("sent %s %lu\n", kind_names[k], kinds[k].sent);
            total += kinds[k].sent;
        }
    printf("total %lu datagrams in %.2f s: %.0f/s (target %.0f/s), %lu send errors, %lu replies\n", total, took,
           took > 0 ? (double)total / took : 0, o.rate, send_errors, replies);
    for (int k = 0; k < K_COUNT; k++) {
        for (size_t i = 0; i < kinds[k].n; i++)
            free(kinds[k].d[i].buf);
        free(kinds[k].d);
    }
    for (size_t i = 0; i < nsocks; i++)
        close(socks[i].fd);
    free(socks);
    snmp_shutdown("notif_blast");
    return 0;
}
