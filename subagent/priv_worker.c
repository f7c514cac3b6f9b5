/* The worker's start-up and loop; see priv_worker.h.
 *
 * Order matters: everything that needs a path (the /proc files, syslog)
 * is opened while the worker is still root outside the chroot (no
 * directory: an fd of one would lead out of it); the MIB modules register; then the privileges
 * go (priv_drop) and the seccomp filter is loaded; only then does
 * init_snmp() open the AgentX session, through the monitor. */
#include "priv_worker.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <signal.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "heartbeat.h"
#include "mib_modules.h"
#include "node_mib.h"   /* LAMON_VERSION */
#include "node_sample.h"
#include "notify.h"
#include "priv_agentx.h"
#include "priv_client.h"
#include "priv_drop.h"
#include "priv_seccomp.h"

static int g_foreground;
static unsigned g_generation;

void priv_worker_set_foreground(int foreground) { g_foreground = foreground; }

static void on_connect(int first)
{
    /* A restarted worker is no restarted node. */
    if (first && g_generation == 0)
        notify_node_started();
    heartbeat_now();
}

static void on_hup(void)
{
    snmp_log(LOG_NOTICE, "worker: SIGHUP is the monitor's (pid %ld): it reloads and restarts "
             "the worker\n", (long)getppid());
}

int priv_worker_main(int sock, unsigned generation, const struct priv_drop *drop)
{
    g_generation = generation;
    if (!g_foreground)
        openlog("lamon-agent", LOG_PID | LOG_NDELAY, LOG_DAEMON);   /* before the chroot */
    tzset();                                                       /* /etc/localtime, too */
    if (agentx_loop_init() != 0) {
        snmp_log(LOG_ERR, "worker: cannot create the event loop\n");
        return 1;
    }
    if (priv_client_hello(sock) < 0) {
        snmp_log(LOG_ERR, "worker: no WELCOME from the monitor\n");
        return 1;
    }
    priv_client_install();
    agentx_loop_on_connect(on_connect);
    priv_agentx_register();
    if (init_agent("lamon-agent") != 0) {
        snmp_log(LOG_ERR, "worker: init_agent failed\n");
        return 1;
    }
    if (node_sample_preopen() != 0)
        snmp_log(LOG_WARNING, "worker: cannot open the /proc files; node figures stay empty\n");
    mib_modules_init();
    priv_client_adopt_ops();
    if (priv_client_watch(agentx_loop_base()) != 0) {
        snmp_log(LOG_ERR, "worker: cannot watch the monitor's socket\n");
        return 1;
    }
    if (priv_drop_apply(drop) != 0 || priv_seccomp_apply() != 0)
        return 1;
    snmp_log(LOG_INFO, "worker: running as uid %ld%s%s, no capabilities, seccomp allow-list "
             "of %u system calls\n", (long)getuid(), drop->as_root ? " in chroot " : "",
             drop->as_root ? drop->root : "", priv_seccomp_count());

    /* init_agent() put back the 15 s default; 1 s keeps re-registration
     * after a master restart under 2 s. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 1);
    init_snmp("lamon-agent");
    agentx_loop_update();
    heartbeat_start();
    if (!agentx_loop_connected()) {
        const char *x = netsnmp_ds_get_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET);
        snmp_log(LOG_WARNING, "AgentX master %s not reachable; retrying every second "
                 "(logged once)\n", x ? x : "(default socket)");
        netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
                               NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
    }
    const struct agent_config *c = agent_config();
    snmp_log(LOG_INFO, "lamon-agent %s started as node %s (%zu app(s))\n",
             LAMON_VERSION, c->nodename, c->napps);

    int rc = agentx_loop_run(on_hup);

    heartbeat_stop();
    mib_modules_shutdown();
    snmp_shutdown("lamon-agent");
    shutdown_agent();
    priv_client_shutdown();
    agentx_loop_free();
    return rc == 0 ? 0 : 1;
}
