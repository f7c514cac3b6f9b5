/* Drains in progress: a draining node has weight 0 on its directors; once
 * its connections are gone (the directors' count and its own), or at the
 * drain timeout, it goes to maintenance (an operator's drain, or a
 * scale-in drain a reboot took over) or back to the spares (scale-in). */
#ifndef LAMON_DECIDE_DRAINS_H
#define LAMON_DECIDE_DRAINS_H

#include "decide_emit.h"

void progress_drains(struct cluster *cl, const struct decide_out *out);

#endif
