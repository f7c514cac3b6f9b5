/* Runs one command of an operation: fork/exec of an argv array (never a
 * shell), stdout+stderr captured into a 1024-byte tail, exit status through
 * SIGCHLD, all driven by the agent's libevent loop so nothing blocks.
 *
 * The child gets /dev/null as stdin, its own process group (so a time-limit
 * kill reaches everything it started) and no descriptor of the agent except
 * its output file: stdout and stderr go to an anonymous memory file
 * (memfd), whose tail is read when the command's process exits.  So a start
 * command that leaves a daemon behind still ends, and a command left
 * running when the agent exits (see op_runner_shutdown) writes on without
 * SIGPIPE. */
#ifndef LAMON_OP_RUNNER_H
#define LAMON_OP_RUNNER_H

#include <stddef.h>
#include <sys/types.h>

struct event_base;

#define OP_OUTPUT_MAX 1024

struct op_output {
    char buf[OP_OUTPUT_MAX];   /* ring: the last OP_OUTPUT_MAX bytes */
    size_t start, len;
};

/* Appends, keeping only the tail. */
void op_output_append(struct op_output *o, const char *data, size_t n);
/* Copies the tail in order into dst (OP_OUTPUT_MAX bytes); returns its length. */
size_t op_output_copy(const struct op_output *o, char *dst);

/* exit_code: the exit status, 128+N when killed by signal N, -1 when the
 * command could not be started (the reason is in the output). */
typedef void (*op_run_done_fn)(void *ctx, int exit_code, const struct op_output *out);

struct op_run;

/* Must be called once with the agent's loop before op_run_start. */
void op_runner_init(struct event_base *base);
/* True once op_runner_init was called. */
int op_runner_ready(void);

/* Starts argv (argv[0] is searched in PATH if it has no '/').  env: extra
 * NAME=VALUE strings for the child, NULL-terminated, or NULL.  After
 * timeout_s seconds the process group gets SIGTERM, 5 s later SIGKILL.
 * done is called exactly once, from the loop, never from inside this call;
 * the run frees itself after done returns.  NULL on failure (errno set). */
struct op_run *op_run_start(char *const argv[], char *const env[], unsigned timeout_s,
                            op_run_done_fn done, void *ctx);

/* Marks a run to be killed at agent exit (a status check) rather than left
 * to finish.  Valid until its done is called. */
void op_run_kill_on_exit(struct op_run *r);

/* Agent exit: kills the process group of every run marked kill-on-exit and
 * leaves the others (package installs, application starts…) running on
 * their own, logging each, since killing apt-get or dpkg half-way breaks
 * the node's package system.  Forgets all of them without calling done. */
void op_runner_shutdown(void);

/* In a process forked from one that ran commands: forgets them and the
 * loop's event without killing, reaping or freeing what is the parent's. */
void op_runner_forget(void);

#endif
