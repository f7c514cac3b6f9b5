/* The heartbeat timer (see heartbeat.h). */
#include "heartbeat.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <event2/event.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "notify.h"

static struct event *timer;

void heartbeat_now(void)
{
    unsigned ms = agent_config()->heartbeat_ms;
    if (ms)
        notify_node_heartbeat(ms);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    heartbeat_now();
}

int heartbeat_start(void)
{
    unsigned ms = agent_config()->heartbeat_ms;
    if (!ms || timer)
        return 0;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    timer = event_new(agentx_loop_base(), -1, EV_PERSIST, on_timer, NULL);
    if (!timer || event_add(timer, &tv) != 0) {
        snmp_log(LOG_ERR, "heartbeat: cannot start the %u ms timer; no heartbeats\n", ms);
        heartbeat_stop();
        return -1;
    }
    snmp_log(LOG_INFO, "heartbeat: lamonNodeHeartbeat every %u ms\n", ms);
    return 0;
}

void heartbeat_stop(void)
{
    if (timer)
        event_free(timer);
    timer = NULL;
}
