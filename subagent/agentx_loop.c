/* libevent <-> Net-SNMP glue, after lldpd (src/daemon/event.c):
 * snmp_select_info2() tells which fds to watch and when to call
 * snmp_timeout()/run_alarms(); after every read and timeout the watches are
 * rebuilt.
 *
 * Why rebuild all watches instead of diffing fd numbers: after an snmpd
 * restart the new AgentX socket can get the same fd number as the old one,
 * and a watch on the old (closed) descriptor would never fire again
 * (keepalived's bug).  Re-adding every watch is cheap: there are one or two.
 *
 * Net-SNMP's fds get FD_CLOEXEC here too, so the control module's children
 * do not inherit the AgentX socket. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "agentx_loop.h"

#define MAX_WATCHES 64

static struct event_base *base;
static struct event *timeout_ev;
static struct event *watches[MAX_WATCHES];
static size_t nwatches;
static struct event *sig_hup, *sig_term, *sig_int;
static void (*reload_cb)(void);
static void (*connect_cb)(int first);
static int connected, ever_connected;
static struct timespec lost_at;

static void snmp_read_cb(evutil_socket_t fd, short what, void *arg);
static void session_seen(int open_now);

void agentx_loop_update(void)
{
    if (!base)
        return;
    for (size_t i = 0; i < nwatches; i++)
        event_free(watches[i]);
    nwatches = 0;

    netsnmp_large_fd_set fdset;
    int maxfd = 0, block = 1, sockets = 0;
    struct timeval tv = { 0, 0 };
    netsnmp_large_fd_set_init(&fdset, FD_SETSIZE);
    NETSNMP_LARGE_FD_ZERO(&fdset);
    snmp_select_info2(&maxfd, &fdset, &tv, &block);
    for (int fd = 0; fd < maxfd; fd++) {
        if (!NETSNMP_LARGE_FD_ISSET(fd, &fdset))
            continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
            sockets++;
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC))
            fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
        if (nwatches == MAX_WATCHES) {
            snmp_log(LOG_ERR, "agentx_loop: more than %d Net-SNMP fds; fd %d not watched\n",
                     MAX_WATCHES, fd);
            continue;
        }
        struct event *ev = event_new(base, fd, EV_READ | EV_PERSIST, snmp_read_cb, NULL);
        if (!ev || event_add(ev, NULL) != 0) {
            snmp_log(LOG_ERR, "agentx_loop: cannot watch fd %d\n", fd);
            if (ev)
                event_free(ev);
            continue;
        }
        watches[nwatches++] = ev;
    }
    netsnmp_large_fd_set_cleanup(&fdset);
    session_seen(sockets > 0);
    /* block == 0: Net-SNMP wants snmp_timeout()/run_alarms() after tv. */
    if (evtimer_add(timeout_ev, block ? NULL : &tv) != 0)
        snmp_log(LOG_ERR, "agentx_loop: cannot schedule the Net-SNMP timer\n");
}

static void snmp_read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what; (void)arg;
    netsnmp_large_fd_set fdset;
    netsnmp_large_fd_set_init(&fdset, FD_SETSIZE);
    NETSNMP_LARGE_FD_ZERO(&fdset);
    NETSNMP_LARGE_FD_SET(fd, &fdset);
    snmp_read2(&fdset);
    netsnmp_large_fd_set_cleanup(&fdset);
    agentx_loop_update();
}

static void snmp_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    snmp_timeout();
    run_alarms();
    agentx_loop_update();
}

static void connected_later(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    if (connect_cb)
        connect_cb(arg != NULL);
}

/* The subagent has a socket among Net-SNMP's fds exactly while its AgentX
 * session is open (the internal callback transport uses pipes)
 * (open and registration are synchronous, so registrations are through by
 * the time we see the fd).  Watching that is simpler and safer than
 * Net-SNMP's INDEX_START/STOP callbacks, whose lists the library itself
 * changes while calling them. */
static void session_seen(int open_now)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (open_now && !connected) {
        connected = 1;
        if (!ever_connected) {
            snmp_log(LOG_INFO, "registered with the AgentX master\n");
        } else {
            long ms = (now.tv_sec - lost_at.tv_sec) * 1000 +
                      (now.tv_nsec - lost_at.tv_nsec) / 1000000;
            snmp_log(LOG_NOTICE, "re-registered with the AgentX master %ld ms after losing it\n", ms);
        }
        if (base)
            event_base_once(base, -1, EV_TIMEOUT, connected_later,
                            ever_connected ? NULL : (void *)1, NULL);
        ever_connected = 1;
        /* Net-SNMP would log every failed reconnect; we log the loss once. */
        netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
                               NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
    } else if (!open_now && connected) {
        connected = 0;
        lost_at = now;
        snmp_log(LOG_WARNING, "lost the AgentX master; reconnecting every second\n");
    }
}

void agentx_loop_preinit(void)
{
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    /* Alarms run from our timer, never from SIGALRM. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
    /* A subagent has nothing to persist; don't write /var/lib/snmp. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    /* Only our -c file is configuration; no snmp.conf search. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    /* A 1 s ping notices a dead master and retries the connection every
     * second, so re-registration after an snmpd restart takes < 2 s. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 1);
}

void agentx_loop_on_connect(void (*fn)(int first))
{
    connect_cb = fn;
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what; (void)arg;
    if (sig == SIGHUP) {
        snmp_log(LOG_NOTICE, "SIGHUP: reloading the configuration\n");
        if (reload_cb)
            reload_cb();
        agentx_loop_update();
    } else {
        snmp_log(LOG_NOTICE, "signal %d: shutting down\n", (int)sig);
        event_base_loopbreak(base);
    }
}

int agentx_loop_init(void)
{
    base = event_base_new();
    if (!base)
        return -1;
    timeout_ev = evtimer_new(base, snmp_timeout_cb, NULL);
    sig_hup = evsignal_new(base, SIGHUP, signal_cb, NULL);
    sig_term = evsignal_new(base, SIGTERM, signal_cb, NULL);
    sig_int = evsignal_new(base, SIGINT, signal_cb, NULL);
    if (!timeout_ev || !sig_hup || !sig_term || !sig_int ||
        event_add(sig_hup, NULL) || event_add(sig_term, NULL) || event_add(sig_int, NULL))
        return -1;
    /* A master that goes away must not kill us with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

struct event_base *agentx_loop_base(void)
{
    return base;
}

int agentx_loop_connected(void)
{
    return connected;
}

int agentx_loop_run(void (*reload)(void))
{
    reload_cb = reload;
    agentx_loop_update();
    return event_base_dispatch(base) < 0 ? -1 : 0;
}

void agentx_loop_free(void)
{
    for (size_t i = 0; i < nwatches; i++)
        event_free(watches[i]);
    nwatches = 0;
    struct event **evs[] = { &timeout_ev, &sig_hup, &sig_term, &sig_int };
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (*evs[i]) {
            event_free(*evs[i]);
            *evs[i] = NULL;
        }
    if (base)
        event_base_free(base);
    base = NULL;
}
