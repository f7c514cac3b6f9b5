/* lamon-agent.conf through Net-SNMP's config-token API.
 *
 * The tokens are registered under a private type and only the -c file is read
 * (read_config() on that file with our handler list), so no snmp.conf search
 * path can inject lamon tokens.  Each handler fills a configuration being
 * built; it replaces the one in force only if the whole file was clean.
 * Net-SNMP reports unknown tokens and missing arguments itself with
 * "FILE: line N: ..." but does not fail the read, so a logging callback
 * counts every warning or error emitted while our file is read. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_error.h"
#include "agent_config.h"
#include "config_text.h"

#define CONFIG_TYPE "lamon-agent-conf"
#define MAX_HOOKS 16

static struct agent_config *current;   /* in force */
static struct agent_config *building;  /* being read */
static int load_errors;                /* messages logged while reading */
static bool loading;
static void (*reload_hooks[MAX_HOOKS])(void);
static size_t nreload_hooks;

static void config_destroy(struct agent_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->napps; i++) {
        agent_config_free_argv(&c->apps[i].start);
        agent_config_free_argv(&c->apps[i].stop);
        agent_config_free_argv(&c->apps[i].check);
    }
    free(c->apps);
    agent_config_free_argv(&c->reboot_cmd);
    agent_config_free_argv(&c->shutdown_cmd);
    agent_config_free_argv(&c->apt_options);
    free(c);
}

/* --- token handlers ----------------------------------------------------- */

/* Copies the single word of LINE into DST; refuses a missing value, extra
 * words and a value longer than DST holds (never truncates). */
static int one_word(const char *token, char *line, char *dst, size_t dstlen)
{
    char *rest = line;
    int r = config_word(&rest, dst, dstlen, token);
    if (r < 0)
        return -1;
    if (r == 0 || dst[0] == '\0') {       /* "" too: a path, never "/state" */
        config_errorf("%s needs a value", token);
        return -1;
    }
    if (rest) {
        config_errorf("%s takes one value", token);
        return -1;
    }
    return 0;
}

static int parse_uint(const char *token, const char *s, unsigned lo,
                      unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9') {
        config_errorf("%s: not a number", token);
        return -1;
    }
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi) {
        config_errorf("%s: value out of range %u..%u", token, lo, hi);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > LAMON_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

static struct lamon_app *building_app(const char *name)
{
    for (size_t i = 0; i < building->napps; i++)
        if (strcmp(building->apps[i].name, name) == 0)
            return &building->apps[i];
    return NULL;
}

static void h_nodename(const char *token, char *line)
{
    char v[LAMON_NAME_MAX + 1];
    if (one_word(token, line, v, sizeof v) == 0) {
        if (!valid_name(v))
            config_errorf("nodename '%s': use letters, digits, '.', '_', '-'", v);
        else
            strcpy(building->nodename, v);
    }
}

static void h_path(const char *token, char *line)
{
    char *dst = NULL;
    if (strcmp(token, "statedir") == 0)
        dst = building->statedir;
    else if (strcmp(token, "grub_editenv") == 0)
        dst = building->grub_editenv;
    else if (strcmp(token, "grub_env") == 0)
        dst = building->grub_env;
    else if (strcmp(token, "boot_dir") == 0)
        dst = building->boot_dir;
    else if (strcmp(token, "apt_get") == 0)
        dst = building->apt_get;
    else if (strcmp(token, "agentx_socket") == 0)
        dst = building->agentx_socket;
    else if (strcmp(token, "chroot") == 0)
        dst = building->chroot_dir;
    if (dst)
        one_word(token, line, dst, sizeof building->statedir);   /* all PATH_MAX */
}

/* The account must exist when the agent runs as root and drops to it. */
static void h_user(const char *token, char *line)
{
    char v[LAMON_NAME_MAX + 1];
    if (one_word(token, line, v, sizeof v) != 0)
        return;
    if (!valid_name(v))
        config_errorf("user '%s': use letters, digits, '.', '_', '-'", v);
    else if (geteuid() == 0 && !getpwnam(v))
        config_errorf("user '%s' does not exist; create it with: adduser --system --group %s", v, v);
    else
        strcpy(building->user, v);
}

static void h_ms(const char *token, char *line)
{
    char v[32];
    unsigned ms;
    if (one_word(token, line, v, sizeof v) != 0)
        return;
    if (strcmp(token, "cache_ms") == 0) {
        if (parse_uint(token, v, 0, 3600000, &ms) == 0)
            building->cache_ms = ms;
    } else if (strcmp(token, "heartbeat_ms") == 0) {
        /* 0 is off; a faster beat than 100 ms is load, not safety */
        if (parse_uint(token, v, 0, 3600000, &ms) != 0)
            return;
        if (ms > 0 && ms < 100)
            config_errorf("%s: %u is too fast; 0 (off) or 100..3600000", token, ms);
        else
            building->heartbeat_ms = ms;
    } else if (parse_uint(token, v, 100, 3600000, &ms) == 0) {
        building->check_ms = ms;
    }
}

/* ipvs_pending_age SECONDS, ipvs_pending_max COUNT: createAndWait rows. */
static void h_ipvs_pending(const char *token, char *line)
{
    char v[32];
    unsigned n;
    if (one_word(token, line, v, sizeof v) != 0)
        return;
    if (strcmp(token, "ipvs_pending_age") == 0) {
        if (parse_uint(token, v, 1, 86400, &n) == 0)
            building->ipvs_pending_age = n;
    } else if (parse_uint(token, v, 1, 100000, &n) == 0) {
        building->ipvs_pending_max = n;
    }
}

static void h_ipvs(const char *token, char *line)
{
    char v[16];
    if (one_word(token, line, v, sizeof v) != 0)
        return;
    if (strcmp(v, "on") == 0)
        building->ipvs = LAMON_ON;
    else if (strcmp(v, "off") == 0)
        building->ipvs = LAMON_OFF;
    else
        config_errorf("ipvs must be on or off, not '%s'", v);
}

static void h_app(const char *token, char *line)
{
    (void)token;
    char name[LAMON_NAME_MAX + 1], ports[256];
    const char *err;
    char *rest = line;
    int r = config_word(&rest, name, sizeof name, "app name");
    if (r < 0)
        return;
    if (r == 0) {
        config_errorf("app needs NAME PORT[,PORT...]");
        return;
    }
    if ((r = config_word(&rest, ports, sizeof ports, "app port list")) < 0)
        return;
    if (r == 0) {
        config_errorf("app %s: missing port list", name);
        return;
    }
    if (rest) {
        config_errorf("app %s: unexpected words after the port list", name);
        return;
    }
    if (!valid_name(name)) {
        config_errorf("app name '%s': 1..64 letters, digits, '.', '_', '-'", name);
        return;
    }
    if (building_app(name)) {
        config_errorf("app %s declared twice", name);
        return;
    }
    struct lamon_app a;
    memset(&a, 0, sizeof a);
    strcpy(a.name, name);
    if (agent_config_parse_ports(ports, a.ports, LAMON_APP_MAX_PORTS, &a.nports, &err) != 0) {
        config_errorf("app %s: bad port list '%s': %s", name, ports, err);
        return;
    }
    struct lamon_app *n = realloc(building->apps, (building->napps + 1) * sizeof *n);
    if (!n) {
        config_errorf("out of memory");
        return;
    }
    building->apps = n;
    building->apps[building->napps++] = a;
}

static void h_app_cmd(const char *token, char *line)
{
    char name[LAMON_NAME_MAX + 1];
    const char *err;
    char *rest = line;
    int r = config_word(&rest, name, sizeof name, "app name");
    if (r < 0)
        return;
    if (r == 0) {
        config_errorf("%s needs NAME ARGV...", token);
        return;
    }
    struct lamon_app *a = building_app(name);
    if (!a) {
        config_errorf("%s for unknown app '%s' (declare it with 'app' first)",
                             token, name);
        return;
    }
    struct lamon_argv *dst = strcmp(token, "app_start") == 0 ? &a->start
                           : strcmp(token, "app_stop") == 0 ? &a->stop : &a->check;
    if (dst->argv) {
        config_errorf("%s for app %s given twice", token, name);
        return;
    }
    if (agent_config_split_argv(rest, dst, &err) != 0)
        config_errorf("%s %s: %s", token, name, err);
}

static void h_cmd(const char *token, char *line)
{
    const char *err;
    struct lamon_argv *dst = strcmp(token, "reboot_cmd") == 0 ? &building->reboot_cmd
                           : &building->shutdown_cmd;
    struct lamon_argv a;
    if (agent_config_split_argv(line, &a, &err) != 0) {
        config_errorf("%s: %s", token, err);
        return;
    }
    agent_config_free_argv(dst);    /* replaces the default */
    *dst = a;
}

static void h_apt_option(const char *token, char *line)
{
    const char *err;
    struct lamon_argv a;
    if (agent_config_split_argv(line, &a, &err) != 0) {
        config_errorf("%s: %s", token, err);
        return;
    }
    struct lamon_argv *o = &building->apt_options;
    char **n = realloc(o->argv, (o->argc + a.argc + 1) * sizeof *n);
    if (!n) {
        agent_config_free_argv(&a);
        config_errorf("out of memory");
        return;
    }
    o->argv = n;
    for (size_t i = 0; i < a.argc; i++)
        o->argv[o->argc++] = a.argv[i];
    o->argv[o->argc] = NULL;
    free(a.argv);           /* the strings moved into apt_options */
}

static void h_op_keep(const char *token, char *line)
{
    char s[32], c[32];
    char *rest = line;
    int r1 = config_word(&rest, s, sizeof s, token);
    int r2 = r1 > 0 ? config_word(&rest, c, sizeof c, token) : 0;
    if (r1 < 0 || r2 < 0)
        return;
    if (r2 == 0) {
        config_errorf("%s needs SECONDS COUNT", token);
        return;
    }
    if (rest) {
        config_errorf("%s takes two values", token);
        return;
    }
    unsigned secs, count;
    if (parse_uint(token, s, 0, 31536000, &secs) == 0 &&
        parse_uint(token, c, 1, 100000, &count) == 0) {
        building->op_keep_seconds = secs;
        building->op_keep_count = count;
    }
}

/* Counts every warning or error Net-SNMP logs while our file is read:
 * unknown tokens and missing arguments are reported only that way. */
static int log_counter(int major, int minor, void *server_arg, void *client_arg)
{
    (void)major; (void)minor; (void)client_arg;
    const struct snmp_log_message *m = server_arg;
    if (loading && m && m->priority <= LOG_WARNING)
        load_errors++;
    return 0;
}

void agent_config_register(void)
{
    static const struct { const char *token; void (*fn)(const char *, char *);
                          const char *help; } t[] = {
        { "nodename", h_nodename, "NAME" },
        { "statedir", h_path, "DIR" },
        { "cache_ms", h_ms, "MS" },
        { "check_ms", h_ms, "MS" },
        { "heartbeat_ms", h_ms, "MS" },
        { "ipvs", h_ipvs, "on|off" },
        { "ipvs_pending_age", h_ipvs_pending, "SECONDS" },
        { "ipvs_pending_max", h_ipvs_pending, "COUNT" },
        { "app", h_app, "NAME PORT[,PORT...]" },
        { "app_start", h_app_cmd, "NAME ARGV..." },
        { "app_stop", h_app_cmd, "NAME ARGV..." },
        { "app_check", h_app_cmd, "NAME ARGV..." },
        { "reboot_cmd", h_cmd, "ARGV..." },
        { "shutdown_cmd", h_cmd, "ARGV..." },
        { "grub_editenv", h_path, "PATH" },
        { "grub_env", h_path, "FILE" },
        { "boot_dir", h_path, "DIR" },
        { "apt_get", h_path, "PATH" },
        { "apt_option", h_apt_option, "ARG..." },
        { "op_keep", h_op_keep, "SECONDS COUNT" },
        { "agentx_socket", h_path, "PATH" },
        { "user", h_user, "NAME" },
        { "chroot", h_path, "DIR" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        register_config_handler(CONFIG_TYPE, t[i].token, t[i].fn, NULL, t[i].help);
    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_WARNING);
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
                           log_counter, NULL);
}

static int set_defaults(struct agent_config *c)
{
    const char *err;
    if (gethostname(c->nodename, sizeof c->nodename) != 0)
        strcpy(c->nodename, "localhost");
    c->nodename[LAMON_NAME_MAX] = '\0';
    char *dot = strchr(c->nodename, '.');
    if (dot)
        *dot = '\0';        /* the short name, as the cluster knows it */
    strcpy(c->statedir, "/var/lib/lamon");
    c->cache_ms = 500;
    c->check_ms = 1000;
    c->ipvs = LAMON_AUTO;
    c->ipvs_pending_age = 300;      /* RFC 2579's suggested 5 minutes */
    c->ipvs_pending_max = 100;
    strcpy(c->grub_editenv, "/usr/bin/grub-editenv");
    strcpy(c->grub_env, "/boot/grub/grubenv");
    strcpy(c->boot_dir, "/boot");
    strcpy(c->apt_get, "/usr/bin/apt-get");
    strcpy(c->user, "lamon");
    strcpy(c->chroot_dir, "/run/lamon-agent/empty");
    c->op_keep_seconds = 3600;
    c->op_keep_count = 100;
    if (agent_config_split_argv("/bin/systemctl reboot", &c->reboot_cmd, &err) != 0 ||
        agent_config_split_argv("/bin/systemctl poweroff", &c->shutdown_cmd, &err) != 0)
        return -1;
    return 0;
}

/* Reads a new configuration with READ (which returns 0 when it ran), after
 * BAD problems found by the line checks, and swaps it in when clean. */
static int load(const char *name, int bad, int (*read)(const char *name, void *arg), void *arg)
{
    building = calloc(1, sizeof *building);
    if (!building || set_defaults(building) != 0) {
        snmp_log(LOG_ERR, "%s: out of memory\n", name);
        config_destroy(building);
        building = NULL;
        return -1;
    }
    /* A file that fails the line checks is not handed to Net-SNMP at all:
     * it would run an include line. */
    int rc = 0;
    load_errors = 0;
    if (bad == 0) {
        loading = true;
        rc = read(name, arg);
        loading = false;
    }
    if (bad || rc != 0 || load_errors) {
        snmp_log(LOG_ERR, "%s: %d problem(s); configuration %s\n", name,
                 bad ? bad : load_errors ? load_errors : 1,
                 current ? "not reloaded, the previous one stays in force"
                         : "refused");
        config_destroy(building);
        building = NULL;
        return -1;
    }
    bool reload = current != NULL;
    config_destroy(current);
    current = building;
    building = NULL;
    if (reload)
        for (size_t i = 0; i < nreload_hooks; i++)
            reload_hooks[i]();
    return 0;
}

static int read_file(const char *file, void *arg)
{
    (void)arg;
    return read_config(file, read_config_get_handlers(CONFIG_TYPE), NORMAL_CONFIG) ==
           SNMPERR_SUCCESS ? 0 : -1;
}

int agent_config_load(const char *file)
{
    int bad = config_file_check(file);
    if (bad < 0)
        return -1;
    return load(file, bad, read_file, NULL);
}

static int read_text(const char *name, void *text)
{
    return config_text_run(CONFIG_TYPE, name, text) == 0 ? 0 : -1;
}

int agent_config_load_text(const char *name, char *text)
{
    return load(name, 0, read_text, text);
}

const struct agent_config *agent_config(void)
{
    return current;
}

const struct lamon_app *agent_config_find_app(const char *name)
{
    if (!current || !name)
        return NULL;
    for (size_t i = 0; i < current->napps; i++)
        if (strcmp(current->apps[i].name, name) == 0)
            return &current->apps[i];
    return NULL;
}

void agent_config_add_reload_hook(void (*fn)(void))
{
    if (nreload_hooks < MAX_HOOKS)
        reload_hooks[nreload_hooks++] = fn;
    else
        snmp_log(LOG_ERR, "agent_config: too many reload hooks\n");
}

void agent_config_free(void)
{
    config_destroy(current);
    current = NULL;
}
