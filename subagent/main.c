/* lamon-agent: flags, start-up and shut-down.
 *
 *   lamon-agent [-f] [-x SOCKET] [-c FILE] [-D TOKENS] [-h]
 *
 * A bad configuration stops the start with "FILE: line N: problem"; on
 * SIGHUP a bad one is logged and the old one stays in force. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "mib_modules.h"
#include "node_mib.h"   /* LAMON_VERSION */
#include "notify.h"

#define DEFAULT_CONFIG "/etc/lamon/lamon-agent.conf"

static const char *config_file = DEFAULT_CONFIG;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: lamon-agent [-f] [-x SOCKET] [-c FILE] [-h]\n"
            "  -f         stay in the foreground, log to stderr (else syslog)\n"
            "  -x SOCKET  AgentX master socket (default: Net-SNMP's, or agentx_socket)\n"
            "  -c FILE    configuration file (default " DEFAULT_CONFIG ")\n"
            "  -D TOKENS  Net-SNMP debug output for TOKENS (as snmpd -D)\n"
            "  -h         this help\n");
}

static void reload(void)
{
    if (agent_config_load(config_file) == 0)
        snmp_log(LOG_NOTICE, "%s: reloaded\n", config_file);
    else
        snmp_log(LOG_ERR, "%s: reload failed; the previous configuration stays in force\n",
                 config_file);
}

static void on_connect(int first)
{
    if (first)
        notify_node_started();
}

int main(int argc, char **argv)
{
    int foreground = 0, opt;
    const char *xsocket = NULL;
    while ((opt = getopt(argc, argv, "fx:c:hD:")) != -1) {
        switch (opt) {
        case 'f': foreground = 1; break;
        case 'x': xsocket = optarg; break;
        case 'c': config_file = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'D': debug_register_tokens(optarg); snmp_set_do_debugging(1); break;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }

    /* A subagent names no object by its MIB name, so it reads no MIB file:
     * on a machine without the IETF MIBs (Debian ships none) Net-SNMP's
     * default list logged ~500 "Cannot find module" lines at every start,
     * burying what matters, and parsing them delayed the first answer.
     * An operator's own MIBS/MIBDIRS (e.g. to see names in -D output) win. */
    setenv("MIBS", "", 0);
    setenv("MIBDIRS", "", 0);

    /* Start-up errors go to the terminal either way. */
    snmp_enable_stderrlog();
    agentx_loop_preinit();
    agent_config_register();
    if (agent_config_load(config_file) != 0) {
        snmp_log(LOG_ERR, "lamon-agent: not started: bad configuration\n");
        return 1;
    }
    const struct agent_config *c = agent_config();
    if (!xsocket && c->agentx_socket[0])
        xsocket = c->agentx_socket;
    if (xsocket)
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, xsocket);

    if (!foreground) {
        snmp_disable_stderrlog();
        snmp_enable_syslog_ident("lamon-agent", LOG_DAEMON);
        if (daemon(0, 0) != 0) {
            snmp_log(LOG_ERR, "lamon-agent: cannot daemonize: %s\n", strerror(errno));
            return 1;
        }
    }
    /* After daemon(): an epoll fd does not survive fork. */
    if (agentx_loop_init() != 0) {
        snmp_log(LOG_ERR, "lamon-agent: cannot create the event loop\n");
        return 1;
    }
    agentx_loop_on_connect(on_connect);
    if (init_agent("lamon-agent") != 0) {
        snmp_log(LOG_ERR, "lamon-agent: init_agent failed\n");
        return 1;
    }
    mib_modules_init();
    /* init_agent() put back the 15 s default; 1 s keeps re-registration
     * after a master restart under 2 s. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 1);
    init_snmp("lamon-agent");
    agentx_loop_update();
    if (!agentx_loop_connected()) {
        snmp_log(LOG_WARNING, "AgentX master %s not reachable; retrying every second "
                 "(logged once)\n", xsocket ? xsocket : "(default socket)");
        netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
                               NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
    }
    snmp_log(LOG_INFO, "lamon-agent %s started as node %s (%s, %zu app(s))\n",
             LAMON_VERSION, c->nodename, config_file, c->napps);

    int rc = agentx_loop_run(reload);

    mib_modules_shutdown();
    snmp_shutdown("lamon-agent");
    shutdown_agent();
    agentx_loop_free();
    agent_config_free();
    return rc == 0 ? 0 : 1;
}
