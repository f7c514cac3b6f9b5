/* Configuration text run through Net-SNMP's registered token handlers, as
 * read_config() runs a file.  The SNMP worker cannot open its
 * configuration file inside its chroot, so on a reload the monitor hands it
 * the text (priv_monitor.c) and the worker's own handlers read it. */
#ifndef LAMON_CONFIG_TEXT_H
#define LAMON_CONFIG_TEXT_H

/* Runs every line of TEXT (modified in place: lines are cut at '\n')
 * through the handlers registered for Net-SNMP config type TYPE.  Blank
 * lines and '#' comments are skipped; tokens match without regard to
 * case, as in read_config().  Returns the number of lines with an unknown
 * token, each logged as "NAME: line N: ...". */
int config_text_run(const char *type, const char *name, char *text);

#endif
