/* libFuzzer target: lamon-agent.conf (subagent/agent_config.c) on arbitrary
 * file content, through Net-SNMP's read_config as the agent reads it.
 *
 * Oracle, besides crashes and leaks: a file that loads is written back in
 * a canonical form (every token, every value quoted), and that text must
 * load again to the same canonical form.  So quoting, word splitting and
 * the limits lose or change nothing, and a refused file changes nothing
 * (the configuration in force is freed after every input).
 *
 * The file is a memfd (see config_text.h). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../subagent/agent_config.h"
#include "config_error.h"
#include "config_text.h"

static void argv_line(struct out *o, const char *token, const char *name,
                      const struct lamon_argv *a)
{
    if (!a->argv)
        return;
    adds(o, token);
    if (name)
        word(o, name);
    for (size_t i = 0; i < a->argc; i++)
        word(o, a->argv[i]);
    adds(o, "\n");
}

static void canonical(const struct agent_config *c, struct out *o)
{
    char num[64];
    o->len = 0;
    adds(o, "nodename"); word(o, c->nodename); adds(o, "\n");
    adds(o, "statedir"); word(o, c->statedir); adds(o, "\n");
    snprintf(num, sizeof num, "cache_ms %u\ncheck_ms %u\n", c->cache_ms, c->check_ms);
    adds(o, num);
    if (c->agentx_socket[0]) {
        adds(o, "agentx_socket"); word(o, c->agentx_socket); adds(o, "\n");
    }
    if (c->ipvs != LAMON_AUTO)
        adds(o, c->ipvs == LAMON_ON ? "ipvs on\n" : "ipvs off\n");
    for (size_t i = 0; i < c->napps; i++) {
        const struct lamon_app *a = &c->apps[i];
        adds(o, "app"); word(o, a->name);
        adds(o, " ");
        for (size_t k = 0; k < a->nports; k++) {
            snprintf(num, sizeof num, "%s%u", k ? "," : "", a->ports[k]);
            adds(o, num);
        }
        adds(o, "\n");
        argv_line(o, "app_start", a->name, &a->start);
        argv_line(o, "app_stop", a->name, &a->stop);
        argv_line(o, "app_check", a->name, &a->check);
    }
    argv_line(o, "reboot_cmd", NULL, &c->reboot_cmd);
    argv_line(o, "shutdown_cmd", NULL, &c->shutdown_cmd);
    adds(o, "grub_editenv"); word(o, c->grub_editenv); adds(o, "\n");
    adds(o, "grub_env"); word(o, c->grub_env); adds(o, "\n");
    adds(o, "boot_dir"); word(o, c->boot_dir); adds(o, "\n");
    adds(o, "apt_get"); word(o, c->apt_get); adds(o, "\n");
    /* one line per argument: lines add up, and one line could pass the limit */
    for (size_t i = 0; i < c->apt_options.argc; i++) {
        adds(o, "apt_option"); word(o, c->apt_options.argv[i]); adds(o, "\n");
    }
    snprintf(num, sizeof num, "op_keep %u %u\n", c->op_keep_seconds, c->op_keep_count);
    adds(o, num);
    adds(o, "chroot"); word(o, c->chroot_dir); adds(o, "\n");
    /* user: only when not the default, which need not exist where this runs */
    if (strcmp(c->user, "lamon") != 0) {
        adds(o, "user"); word(o, c->user); adds(o, "\n");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct out first, second;
    static bool registered;
    if (!registered) {
        registered = true;
        agent_config_register();
    }
    const char *path = conf_file_put("agent_config", data, size);
    if (agent_config_load(path) == 0) {
        const struct agent_config *c = agent_config();
        if (!c || (c->napps > 0 && !c->apps))
            abort();
        for (size_t i = 0; i < c->napps; i++)
            if (c->apps[i].nports < 1 || c->apps[i].nports > LAMON_APP_MAX_PORTS)
                abort();
        canonical(c, &first);
        if (!lines_fit(first.s))
            goto out;
        conf_file_put("agent_config", first.s, first.len);
        if (agent_config_load(path) != 0)
            abort();        /* the canonical form of a good file is refused */
        canonical(agent_config(), &second);
        if (strcmp(first.s, second.s) != 0)
            abort();        /* ... or reads differently */
    }
out:
    agent_config_free();
    return 0;
}
