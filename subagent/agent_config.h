/* lamon-agent configuration: the tokens of lamon-agent.conf, read with
 * Net-SNMP's config-token API (errors carry file and line), reloaded on SIGHUP.
 *
 *   nodename NAME
 *   statedir DIR                       role/service/state file lives here
 *   cache_ms MS                        lifetime of sampled values (default 500)
 *   check_ms MS                        how often app status is checked (default 1000)
 *   heartbeat_ms MS                    send lamonNodeHeartbeat every MS through
 *                                      snmpd's sinks (0 = off, the default; 100..3600000)
 *   agentx_socket PATH                 AgentX master socket (-x overrides)
 *   ipvs on|off                        default: on when the kernel has IPVS
 *   ipvs_pending_age SECONDS           idle createAndWait services age out (300)
 *   ipvs_pending_max COUNT             at most this many of them (100)
 *   app NAME PORT[,PORT...]            a managed application
 *   app_start NAME ARGV...             its start command (argv, no shell)
 *   app_stop NAME ARGV...              its stop command
 *   app_check NAME ARGV...             status check: exit 0 = up
 *                                      (default: something listens on every port)
 *   reboot_cmd ARGV...                 default: /bin/systemctl reboot
 *   shutdown_cmd ARGV...               default: /bin/systemctl poweroff
 *   grub_editenv PATH                  default: /usr/bin/grub-editenv
 *   grub_env FILE                      default: /boot/grub/grubenv
 *   boot_dir DIR                       kernels are DIR/vmlinuz-*; default /boot
 *   apt_get PATH                       default: /usr/bin/apt-get
 *   apt_option ARG...                  extra arguments for apt-get (repeatable)
 *   op_keep SECONDS COUNT              finished operations age out (default 3600 100)
 *   user NAME                          the SNMP worker's user (default lamon)
 *   chroot DIR                         the SNMP worker's empty root (default
 *                                      /run/lamon-agent/empty)
 *
 * ARGV values are split like a shell would split words with quotes, and
 * nothing else: no expansion, no redirection.
 *
 * Nothing is cut short: a line over CONFIG_LINE_MAX characters, a word over
 * its field (CONFIG_WORD_MAX for paths), an empty value, a NUL byte and
 * include lines are errors at their line (config_error.h).
 */
#ifndef LAMON_AGENT_CONFIG_H
#define LAMON_AGENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define LAMON_NAME_MAX 64
#define LAMON_APP_MAX_PORTS 16

struct lamon_argv {
    char **argv;            /* NULL-terminated; NULL when not configured */
    size_t argc;
};

struct lamon_app {
    char name[LAMON_NAME_MAX + 1];
    unsigned short ports[LAMON_APP_MAX_PORTS];
    size_t nports;
    struct lamon_argv start, stop, check;
};

enum lamon_tristate { LAMON_AUTO = -1, LAMON_OFF = 0, LAMON_ON = 1 };

struct agent_config {
    char nodename[LAMON_NAME_MAX + 1];
    char statedir[4096];
    unsigned cache_ms;
    enum lamon_tristate ipvs;
    unsigned ipvs_pending_age, ipvs_pending_max;
    struct lamon_app *apps;
    size_t napps;
    struct lamon_argv reboot_cmd, shutdown_cmd;
    char grub_editenv[4096], grub_env[4096], boot_dir[4096], apt_get[4096];
    struct lamon_argv apt_options;
    unsigned op_keep_seconds, op_keep_count;
    unsigned check_ms;      /* period of the application status checks */
    unsigned heartbeat_ms;  /* period of lamonNodeHeartbeat; 0: none */
    char agentx_socket[4096];   /* "" = Net-SNMP's default */
    char user[LAMON_NAME_MAX + 1];  /* the worker's user (priv_drop.c) */
    char chroot_dir[4096];      /* the worker's root */
};

/* The configuration in force.  Replaced as a whole on a successful reload;
 * never NULL after agent_config_load() succeeded once. */
const struct agent_config *agent_config(void);

/* Registers the tokens; call once before init_agent(). */
void agent_config_register(void);

/* Reads FILE.  On any error prints "FILE: line N: problem" and keeps the
 * configuration in force unchanged; returns 0 on success, -1 on error. */
int agent_config_load(const char *file);

/* The same from TEXT, the file's content (cut into lines in place), for
 * the SNMP worker, which cannot open the file (config_text.h); NAME is
 * the file's name for the log.  The monitor checked the file's lines. */
int agent_config_load_text(const char *name, char *text);

const struct lamon_app *agent_config_find_app(const char *name);

/* Called after every successful reload (not the first load).  Pointers into
 * the previous configuration are invalid once the hooks run. */
void agent_config_add_reload_hook(void (*fn)(void));

/* Frees the configuration in force (at exit). */
void agent_config_free(void);

/* Parsers, exposed for the unit tests.  Both return 0 or -1 with *err set
 * to a static description of the problem. */
int agent_config_parse_ports(const char *s, unsigned short *ports,
                             size_t max, size_t *n, const char **err);
/* Splits LINE into words as copy_nword does (quotes group, no expansion);
 * OUT owns the copies (free with agent_config_free_argv). */
int agent_config_split_argv(const char *line, struct lamon_argv *out,
                            const char **err);
void agent_config_free_argv(struct lamon_argv *a);

#endif
