/* Draws one graph (graph_defs.h) in a forked child with librrd's
 * rrd_graph_v, off the controller's poll loop, and hands the PNG back
 * through a pipe read by the loop.
 *
 * Why a child and not the loop or a thread: rrd_graph_v is synchronous and
 * slow (fonts, fetches, PNG encoding: tens to hundreds of ms, more on a
 * cold cache or a busy disk), so it cannot run in the loop; librrd's
 * graphing keeps process-wide state (rrdcached client and its mutex,
 * fontconfig/pango/cairo caches) that is neither thread- nor fork-clean;
 * and a crash or a hang in it (a corrupt RRD, a font problem) must not
 * take the controller down.  A child draws one graph and _exits; the
 * parent never initialises any of that state.  A child that takes longer
 * than its timeout is killed (SIGKILL); every child is reaped with
 * waitpid(pid, WNOHANG) after its pipe closes (nothing else in the
 * controller forks or reaps: node operations run on the agents), so none
 * is left a zombie. */
#ifndef LAMON_GRAPH_CHILD_H
#define LAMON_GRAPH_CHILD_H

#include <event2/buffer.h>
#include <event2/event.h>

#include "graph_defs.h"

#define GRAPH_PNG_MAX (4u << 20)     /* a 600x240 PNG is ~20-40 KB */

enum graph_outcome { GRAPH_OK, GRAPH_FAILED, GRAPH_TIMEOUT };

/* The answer: the PNG (GRAPH_OK; the callee may drain it) or the reason. */
typedef void (*graph_child_cb)(enum graph_outcome r, struct evbuffer *png, const char *err, void *arg);

struct graph_child;

/* Starts drawing G (copied) in a child process, RRD FILE flushed first by
 * rrdcached DAEMON when one is given ("" for none).  CB is called once,
 * from the loop (never from inside this call), unless cancelled; a
 * child not done within TIMEOUT_S seconds is killed and answered
 * GRAPH_TIMEOUT.  NULL with the reason in err when nothing was started. */
struct graph_child *graph_child_start(struct event_base *base, const struct graph_argv *g, const char *daemon,
                                      const char *file, unsigned timeout_s, graph_child_cb cb, void *arg, char *err,
                                      size_t errlen);

/* CB will not be called; the child runs to its end (or timeout) and is reaped. */
void graph_child_cancel(struct graph_child *gc);

/* Children started and not yet reaped (also those waiting to fork);
 * graph_stats.h counts them and those forked. */
unsigned graph_child_running(void);
/* FN is called from the loop after each child is reaped (or given up
 * before its fork): one more may be started.  Never from inside
 * graph_child_start, graph_child_cancel or graph_child_shutdown. */
void graph_child_on_free(void (*fn)(void));

/* Kills and reaps every child, without callbacks (shutdown). */
void graph_child_shutdown(void);

#endif
