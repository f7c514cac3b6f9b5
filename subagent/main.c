/* lamon-agent: flags, start-up and shut-down.
 *
 *   lamon-agent [-f] [-x SOCKET] [-c FILE] [-D TOKENS] [-h]
 *
 * A bad configuration stops the start with "FILE: line N: problem"; on
 * SIGHUP a bad one is logged and the old one stays in force.
 *
 * The process started becomes the root monitor (priv_monitor.c), which
 * forks the unprivileged SNMP worker (priv_worker.c). */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "priv_monitor.h"
#include "priv_worker.h"

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
    /* The worker's Net-SNMP opens "the AgentX socket" through the
     * monitor, which connects to -x, agentx_socket or the default itself
     * (priv_agentx.h); the path here only picks the unix domain. */
    const struct agent_config *c = agent_config();
    const char *x = xsocket ? xsocket : c->agentx_socket[0] ? c->agentx_socket : NULL;
    if (x)
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, x);

    if (!foreground) {
        snmp_disable_stderrlog();
        snmp_enable_syslog_ident("lamon-agent", LOG_DAEMON);
        if (daemon(0, 0) != 0) {
            snmp_log(LOG_ERR, "lamon-agent: cannot daemonize: %s\n", strerror(errno));
            return 1;
        }
    }
    /* The monitor keeps root; the worker it forks serves SNMP. */
    priv_worker_set_foreground(foreground);
    int rc = priv_monitor_run(config_file, xsocket, priv_worker_main);
    agent_config_free();
    return rc == 0 ? 0 : 1;
}
