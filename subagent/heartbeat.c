/* The heartbeat timer (see heartbeat.h). */
#include "heartbeat.h"

#include <stdbool.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <event2/event.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "notify.h"

static struct event *timer;
static unsigned period_ms;              /* the timer's; 0 when none runs */

/* The period sent is the timer's, never a configured one not in force:
 * the controller sets its deadline from it. */
void heartbeat_now(void)
{
    if (period_ms)
        notify_node_heartbeat(period_ms);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    heartbeat_now();
}

static int arm(unsigned ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    timer = event_new(agentx_loop_base(), -1, EV_PERSIST, on_timer, NULL);
    if (!timer || event_add(timer, &tv) != 0) {
        snmp_log(LOG_ERR, "heartbeat: cannot start the %u ms timer; no heartbeats\n", ms);
        heartbeat_stop();
        return -1;
    }
    period_ms = ms;
    return 0;
}

/* A reload hands the worker a new heartbeat_ms: the timer follows it, and
 * the first heartbeat at the new period goes at once. */
static void on_reload(void)
{
    unsigned ms = agent_config()->heartbeat_ms;
    if (ms == period_ms)
        return;
    heartbeat_stop();
    if (!ms) {
        snmp_log(LOG_INFO, "heartbeat: off (heartbeat_ms 0)\n");
        return;
    }
    if (arm(ms) == 0) {
        snmp_log(LOG_INFO, "heartbeat: lamonNodeHeartbeat every %u ms now\n", ms);
        heartbeat_now();
    }
}

int heartbeat_start(void)
{
    static bool hooked;
    if (!hooked) {
        agent_config_add_reload_hook(on_reload);
        hooked = true;
    }
    unsigned ms = agent_config()->heartbeat_ms;
    if (!ms || timer)
        return 0;
    if (arm(ms) < 0)
        return -1;
    snmp_log(LOG_INFO, "heartbeat: lamonNodeHeartbeat every %u ms\n", ms);
    return 0;
}

void heartbeat_stop(void)
{
    if (timer)
        event_free(timer);
    timer = NULL;
    period_ms = 0;
}
