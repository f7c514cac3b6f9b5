/* lamon-controller: polls the cluster's agents, keeps every virtual service
 * at strength, writes the RRDs, and answers lamonctl.
 *
 *   lamon-controller [-f] [-t] [-c FILE] [-h]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <event2/event.h>

#include "cluster.h"
#include "control_socket.h"
#include "ctl_config.h"
#include "decide.h"
#include "event_log.h"
#include "http_server.h"
#include "job_list.h"
#include "node_ops.h"
#include "notif_apply.h"
#include "notif_receiver.h"
#include "poller.h"
#include "rrd_writer.h"
#include "snmp_session.h"
#include "watch_job.h"

#define DEFAULT_CONF "/etc/lamon/lamon-controller.conf"

struct app {
    struct event_base *base;
    struct cluster cl;
    struct poller *poller;
    struct control_socket *ctl;
    struct rrd_writer *rrd;
    struct notif_receiver *rx;
    struct http_server *web;
    const char *conf;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: lamon-controller [-f] [-t] [-c FILE] [-h]\n"
               "  -f       stay in the foreground, log to stderr too\n"
               "  -t       check the configuration and exit: 0 good, 1 not (problems on stderr)\n"
               "  -c FILE  configuration (default " DEFAULT_CONF ")\n"
               "  -h       this help\n");
}

/* -t: the configuration was loaded (every problem went to stderr as
 * "FILE: line N: ..." through snmp_log); nothing is opened or created.  The
 * paths in force go to stdout in the file's own syntax, so that a resource
 * agent can compare them with its parameters and check that the user can
 * write them without reading the file a second way. */
static int check_only(const char *conf, struct ctl_config *cfg)
{
    printf("control %s\n", cfg->control);
    if (cfg->logfile[0])
        printf("logfile %s\n", cfg->logfile);
    if (cfg->rrddir[0])
        printf("rrddir %s\n", cfg->rrddir);
    if (cfg->rrdcached[0])
        printf("rrdcached %s\n", cfg->rrdcached);
    fprintf(stderr, "lamon-controller: %s: configuration OK\n", conf);
    ctl_config_free(cfg);
    return fflush(stdout) == 0 ? 0 : 1;
}

static void on_cycle(struct cluster *cl, void *arg)
{
    struct app *a = arg;
    decide_cycle(cl);
    if (a->rrd)
        rrd_writer_cycle(a->rrd, cl);
}

/* An accepted notification (counted by the receiver): heartbeats and the
 * agents' word on their applications (notif_apply.h). */
static void on_notification(const struct lamon_notification *n, void *arg)
{
    struct app *a = arg;
    /* Not heartbeats: thousands a second would be a syslog call each (a
     * third of the controller's time at 1,000 nodes, bench/README.md) and
     * most of the log; they are counted per node, and notif_apply logs
     * when a node's start and stop. */
    if (n->type != NT_NODE_HEARTBEAT) {
        char desc[512];
        notif_describe(n, desc, sizeof desc);
        syslog(LOG_DEBUG, "notification: %s", desc);
    }
    notif_apply(&a->cl, n, &decide_to_peers);
}

static int setup_outputs(struct app *a)
{
    const struct ctl_config *cfg = a->cl.cfg;
    if (event_log_open(cfg->logfile) < 0) {
        fprintf(stderr, "lamon-controller: logfile %s: %s\n", cfg->logfile, strerror(errno));
        return -1;
    }
    rrd_writer_free(a->rrd);
    a->rrd = NULL;
    if (cfg->rrddir[0]) {
        char err[256];
        a->rrd = rrd_writer_new(cfg, err, sizeof err);
        if (!a->rrd) {
            fprintf(stderr, "lamon-controller: %s\n", err);
            return -1;
        }
    }
    return 0;
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig; (void)what;
    struct app *a = arg;
    struct ctl_config *cfg;
    char err[512];
    if (ctl_config_load(a->conf, &cfg, err, sizeof err) < 0) {
        event_log("reload of %s failed, old configuration kept: %s", a->conf, err);
        return;
    }
    /* Against the path in use: a failed move kept the old socket. */
    bool new_socket = !a->ctl || strcmp(cfg->control, control_socket_path(a->ctl)) != 0;
    if (cluster_apply_config(&a->cl, cfg) < 0) {
        event_log("reload of %s failed: out of memory", a->conf);
        return;
    }
    if (setup_outputs(a) < 0)
        event_log("reload: log file or RRD writer could not be set up");
    if (new_socket) {
        /* The new socket first, so that the old one stays if it fails. */
        struct control_socket *ctl = control_socket_open(a->base, &a->cl, err, sizeof err);
        if (ctl) {
            control_socket_close(a->ctl);
            a->ctl = ctl;
        } else if (a->ctl) {
            event_log("reload: %s; the control socket stays at %s", err, control_socket_path(a->ctl));
            /* The kept socket still gets the new owner and mode. */
            if (control_socket_set_access(a->ctl, err, sizeof err) < 0)
                event_log("reload: %s", err);
        } else {
            event_log("reload: %s", err);
        }
    } else if (a->ctl && control_socket_set_access(a->ctl, err, sizeof err) < 0) {
        event_log("reload: %s", err);   /* e.g. the socket's new group does not exist */
    }
    if (notif_receiver_apply(a->rx, a->cl.cfg, err, sizeof err) < 0)
        event_log("reload: %s", err);
    if (http_server_apply(a->web, err, sizeof err) < 0)
        event_log("reload: %s", err);
    poller_reconfigure(a->poller);
    event_log("configuration reloaded from %s: %zu nodes, %zu directors, %zu services", a->conf, a->cl.nnodes,
              a->cl.ndirs, a->cl.cfg->nservices);
}

static void on_term(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct app *a = arg;
    event_log("stopping on signal %d", (int)sig);
    event_base_loopbreak(a->base);
}

int main(int argc, char **argv)
{
    struct app a;
    memset(&a, 0, sizeof a);
    a.conf = DEFAULT_CONF;
    bool foreground = false, check = false;
    int c;
    while ((c = getopt(argc, argv, "ftc:h")) != -1) {
        switch (c) {
        case 'f': foreground = true; break;
        case 't': check = true; break;
        case 'c': a.conf = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    openlog("lamon-controller", LOG_PID | (foreground ? LOG_PERROR : 0), LOG_DAEMON);
    snmp_enable_stderrlog();
    /* No persistent Net-SNMP state of our own, and no MIB files: every OID
     * the controller uses is numeric (common/lamon_mib.h). */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    setenv("MIBS", "", 1);
    /* init_snmp creates Net-SNMP's persistent directory (cert_indexes);
     * loading the file does not need it, and -t creates nothing. */
    if (!check)
        init_snmp("lamon-controller");

    struct ctl_config *cfg;
    char err[512];
    if (ctl_config_load(a.conf, &cfg, err, sizeof err) < 0) {
        /* the details went to stderr through snmp_log already */
        return 1;
    }
    if (check)
        return check_only(a.conf, cfg);
    a.base = event_base_new();
    if (!a.base || cluster_apply_config(&a.cl, cfg) < 0) {
        fprintf(stderr, "lamon-controller: out of memory\n");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &a.cl.started);   /* the registration window (node_register.h) */
    if (setup_outputs(&a) < 0)
        return 1;
    a.ctl = control_socket_open(a.base, &a.cl, err, sizeof err);
    if (!a.ctl) {
        fprintf(stderr, "lamon-controller: %s; not starting\n", err);
        return 1;
    }
    a.rx = notif_receiver_new(a.base, on_notification, &a);
    notif_apply_init(a.base, &a.cl, &decide_to_peers, a.rx);
    if (!a.rx || notif_receiver_apply(a.rx, a.cl.cfg, err, sizeof err) < 0) {
        fprintf(stderr, "lamon-controller: %s\n", a.rx ? err : "out of memory");
        return 1;
    }
    a.web = http_server_new(a.base, &a.cl, err, sizeof err);
    if (!a.web) {
        fprintf(stderr, "lamon-controller: %s\n", err);
        return 1;
    }
    if (!foreground && daemon(0, 0) < 0) {
        fprintf(stderr, "lamon-controller: daemon: %s\n", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    ssess_init(a.base);
    a.poller = poller_new(a.base, &a.cl, on_cycle, &a);
    struct event *hup = evsignal_new(a.base, SIGHUP, on_hup, &a);
    struct event *term = evsignal_new(a.base, SIGTERM, on_term, &a);
    struct event *intr = evsignal_new(a.base, SIGINT, on_term, &a);
    node_ops_init(&a.cl);
    watch_job_init(&a.cl);
    if (!a.poller || !hup || !term || !intr || evsignal_add(hup, NULL) < 0 || evsignal_add(term, NULL) < 0 ||
        evsignal_add(intr, NULL) < 0 || poller_reconfigure(a.poller) < 0 || job_list_init(a.base) < 0) {
        fprintf(stderr, "lamon-controller: cannot set up the event loop\n");
        return 1;
    }
    event_log("started: %zu nodes, %zu directors, %zu services, interval %u ms", a.cl.nnodes, a.cl.ndirs,
              a.cl.cfg->nservices, a.cl.cfg->interval_ms);
    event_base_dispatch(a.base);

    event_free(hup);
    event_free(term);
    event_free(intr);
    poller_free(a.poller);
    job_list_free();
    control_socket_close(a.ctl);
    http_server_free(a.web);
    notif_apply_free();
    notif_receiver_free(a.rx);
    rrd_writer_free(a.rrd);
    cluster_free(&a.cl);
    ssess_shutdown();
    event_log_close();
    event_base_free(a.base);
    snmp_shutdown("lamon-controller");
    closelog();
    return 0;
}
