/* lamonNode scalars, one scalar-group handler for all 19.
 *
 * Sampled figures are cached for cache_ms, so a walk of the group costs at
 * most one sampling.  CPU utilisation needs two samples: a 1 s timer keeps
 * the last interval's figure.  State, role and service are persisted in
 * statedir/state before a SET is acknowledged (written in ACTION, restored
 * in UNDO). */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "app_mib.h"
#include "lamon_mib.h"
#include "mono_ms.h"
#include "node_mib.h"
#include "node_sample.h"
#include "notify.h"
#include "state_file.h"

static const oid lamonNode_oid[] = { LAMON_NODE };

static struct node_persist persist;    /* state, role, service in force */
static struct node_persist undo;       /* before the SET being processed */
static struct node_sample sample;
static struct timespec sampled_at;
static int have_sample;
static struct cpu_times cpu_prev;
static unsigned cpu_util;
static struct event *cpu_timer;
static char kernel_running[65], kernel_next[65];

static void refresh(void)
{
    const struct agent_config *c = agent_config();
    if (have_sample && ms_since(&sampled_at) < (long)c->cache_ms)
        return;
    if (node_sample_take(&sample) == 0) {
        have_sample = 1;
        clock_gettime(CLOCK_MONOTONIC, &sampled_at);
    }
}

static void cpu_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    char buf[4096];
    struct cpu_times now;
    /* The "cpu " line is first in /proc/stat; 4 kB holds it. */
    if (node_read_file("/proc/stat", buf, sizeof buf) == 0 &&
        node_parse_cpu_times(buf, &now) == 0) {
        if (cpu_prev.total)
            cpu_util = node_cpu_util(&cpu_prev, &now);
        cpu_prev = now;
    }
}

const char *node_mib_name(void)
{
    return agent_config()->nodename;
}

int node_mib_state(void)
{
    return persist.state;
}

int node_mib_role(void)
{
    return persist.role;
}

static const char *node_mib_service(void)
{
    return persist.service;
}

static unsigned long node_mib_load1(void)
{
    refresh();
    return sample.load[0];
}

static unsigned long node_mib_conns(void)
{
    unsigned est = 0, syn = 0;
    app_mib_node_conns(&est, &syn);
    return est;
}

time_t node_mib_boot_time(void)
{
    refresh();
    return sample.btime;
}

const char *node_mib_kernel_running(void)
{
    return kernel_running;
}

void node_mib_set_kernel_next(const char *release)
{
    snprintf(kernel_next, sizeof kernel_next, "%s", release ? release : "");
}

static void persist_now(void)
{
    state_file_save(agent_config()->statedir, &persist);
}

void node_state_set(int state)
{
    if (state < NSTATE_BOOTING || state > NSTATE_STOPPING || state == persist.state)
        return;
    snmp_log(LOG_NOTICE, "node state %d -> %d\n", persist.state, state);
    persist.state = state;
    persist_now();
    notify_node_state_change();
}

static int set_string(netsnmp_request_info *r, const char *s)
{
    return snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, s, strlen(s));
}

static int set_gauge(netsnmp_request_info *r, unsigned long v)
{
    return snmp_set_var_typed_value(r->requestvb, ASN_GAUGE, &v, sizeof v);
}

static void get_one(netsnmp_request_info *r, oid col)
{
    long l;
    unsigned long u;
    unsigned est = 0, syn = 0;
    size_t len;
    u_char *dt;
    switch (col) {
    case LN_NAME:
        set_string(r, node_mib_name());
        break;
    case LN_STATE:
        l = persist.state;
        snmp_set_var_typed_value(r->requestvb, ASN_INTEGER, &l, sizeof l);
        break;
    case LN_ROLE:
        l = persist.role;
        snmp_set_var_typed_value(r->requestvb, ASN_INTEGER, &l, sizeof l);
        break;
    case LN_SERVICE:
        set_string(r, persist.service);
        break;
    case LN_UPTIME:
        refresh();
        u = (unsigned long)(sample.uptime_cs & 0xffffffffULL);
        snmp_set_var_typed_value(r->requestvb, ASN_TIMETICKS, &u, sizeof u);
        break;
    case LN_LOAD1: case LN_LOAD5: case LN_LOAD15:
        refresh();
        set_gauge(r, sample.load[col - LN_LOAD1]);
        break;
    case LN_CPU:
        set_gauge(r, cpu_util);
        break;
    case LN_CPUCOUNT:
        l = sysconf(_SC_NPROCESSORS_ONLN);
        set_gauge(r, l > 0 ? (unsigned long)l : 0);
        break;
    case LN_MEMTOTAL:
        refresh();
        set_gauge(r, sample.mem_total_kb);
        break;
    case LN_MEMAVAIL:
        refresh();
        set_gauge(r, sample.mem_avail_kb);
        break;
    case LN_CONNS:
        app_mib_node_conns(&est, &syn);
        set_gauge(r, est);
        break;
    case LN_SYNRECV:
        app_mib_node_conns(&est, &syn);
        set_gauge(r, syn);
        break;
    case LN_KRUNNING:
        set_string(r, kernel_running);
        break;
    case LN_KNEXT:
        set_string(r, kernel_next);
        break;
    case LN_BOOTTIME:
        refresh();
        dt = date_n_time(&sample.btime, &len);
        snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, dt, len);
        break;
    case LN_VERSION:
        set_string(r, LAMON_VERSION);
        break;
    case LN_HEARTBEAT:
        set_gauge(r, agent_config()->heartbeat_ms);
        break;
    default:
        netsnmp_request_set_error(r, SNMP_NOSUCHOBJECT);
    }
}

/* RESERVE1: type, length and value checks; nothing changes. */
static int check_one(netsnmp_request_info *r, oid col)
{
    const netsnmp_variable_list *vb = r->requestvb;
    int err;
    switch (col) {
    case LN_STATE:
        /* booting and stopping are the agent's to set, not a manager's. */
        return netsnmp_check_vb_int_range(vb, NSTATE_RUNNING, NSTATE_MAINTENANCE);
    case LN_ROLE:
        return netsnmp_check_vb_int_range(vb, ROLE_UNASSIGNED, ROLE_DIRECTOR);
    case LN_SERVICE:
        if ((err = netsnmp_check_vb_type(vb, ASN_OCTET_STR)) != SNMP_ERR_NOERROR)
            return err;
        if (vb->val_len > LAMON_NAME_MAX)
            return SNMP_ERR_WRONGLENGTH;
        /* DisplayString: printable ASCII only (it lands in a text file). */
        for (size_t i = 0; i < vb->val_len; i++)
            if (vb->val.string[i] < 0x20 || vb->val.string[i] > 0x7e)
                return SNMP_ERR_WRONGVALUE;
        return SNMP_ERR_NOERROR;
    default:
        return SNMP_ERR_NOTWRITABLE;
    }
}

static void apply_one(netsnmp_request_info *r, oid col)
{
    const netsnmp_variable_list *vb = r->requestvb;
    if (col == LN_STATE)
        persist.state = (int)*vb->val.integer;
    else if (col == LN_ROLE)
        persist.role = (int)*vb->val.integer;
    else if (col == LN_SERVICE) {
        memcpy(persist.service, vb->val.string, vb->val_len);
        persist.service[vb->val_len] = '\0';
    }
}

static int node_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                        netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler; (void)reg;
    netsnmp_request_info *r;
    /* The column is read from the OID: the scalar-group helper moves
     * reg->rootoid to the scalar before calling us. */
    switch (reqinfo->mode) {
    case MODE_GET:
        for (r = requests; r; r = r->next)
            if (!r->processed)
                get_one(r, r->requestvb->name[OID_LENGTH(lamonNode_oid)]);
        break;
    case MODE_SET_RESERVE1:
        for (r = requests; r; r = r->next) {
            int err = check_one(r, r->requestvb->name[OID_LENGTH(lamonNode_oid)]);
            if (err != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, r, err);
        }
        break;
    case MODE_SET_RESERVE2:
    case MODE_SET_FREE:
        break;
    case MODE_SET_ACTION:
        undo = persist;
        for (r = requests; r; r = r->next)
            apply_one(r, r->requestvb->name[OID_LENGTH(lamonNode_oid)]);
        /* Acknowledge only what is on disk. */
        if (state_file_save(agent_config()->statedir, &persist) != 0) {
            persist = undo;
            netsnmp_set_request_error(reqinfo, requests, SNMP_ERR_RESOURCEUNAVAILABLE);
        }
        break;
    case MODE_SET_UNDO:
        persist = undo;
        persist_now();
        break;
    case MODE_SET_COMMIT:
        if (persist.state != undo.state || persist.role != undo.role) {
            snmp_log(LOG_NOTICE, "SET: node state %d -> %d, role %d -> %d\n",
                     undo.state, persist.state, undo.role, persist.role);
            notify_node_state_change();
        }
        if (strcmp(persist.service, undo.service) != 0)
            snmp_log(LOG_NOTICE, "SET: node service '%s' -> '%s'\n", undo.service,
                     persist.service);
        undo = persist;
        break;
    default:
        break;
    }
    return SNMP_ERR_NOERROR;
}

static const struct notify_node_view node_view = {
    node_mib_name, node_mib_state, node_mib_role, node_mib_boot_time, node_mib_kernel_running,
    node_mib_service, node_mib_load1, node_mib_conns,
};

void node_mib_init(void)
{
    notify_set_node_view(&node_view);
    struct utsname u;
    const struct agent_config *c = agent_config();
    if (uname(&u) == 0)
        snprintf(kernel_running, sizeof kernel_running, "%s", u.release);

    struct node_persist stored;
    if (state_file_load(c->statedir, &stored) != 0)
        snmp_log(LOG_WARNING, "%s/state: using what could be read\n", c->statedir);
    persist.state = NSTATE_BOOTING;
    persist.role = stored.role ? stored.role : 1;   /* unassigned */
    strcpy(persist.service, stored.service);
    refresh();
    cpu_tick(-1, 0, NULL);
    /* booting until the first sample; then the stored state, unless it was
     * a transient one (booting, or stopping before a reboot). */
    if (have_sample)
        persist.state = (stored.state >= NSTATE_RUNNING && stored.state <= NSTATE_MAINTENANCE)
                        ? stored.state : NSTATE_RUNNING;
    if (stored.state != persist.state || stored.role != persist.role)
        persist_now();
    undo = persist;

    struct timeval one_s = { 1, 0 };
    cpu_timer = event_new(agentx_loop_base(), -1, EV_PERSIST, cpu_tick, NULL);
    if (!cpu_timer || event_add(cpu_timer, &one_s) != 0)
        snmp_log(LOG_ERR, "node_mib: cannot start the CPU sampling timer\n");

    netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
        "lamonNode", node_handler, lamonNode_oid, OID_LENGTH(lamonNode_oid),
        HANDLER_CAN_RWRITE);
    if (!reg || netsnmp_register_scalar_group(reg, LN_NAME, LN_HEARTBEAT) != MIB_REGISTERED_OK)
        snmp_log(LOG_ERR, "node_mib: cannot register lamonNode\n");
}

void node_mib_shutdown(void)
{
    if (cpu_timer)
        event_free(cpu_timer);
    cpu_timer = NULL;
}
