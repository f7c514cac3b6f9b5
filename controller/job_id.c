/* Job numbers (see job_id.h). */
#include "job_id.h"

static unsigned last;

unsigned job_id_next(void)
{
    if (++last == 0)                 /* 0 is "no job" */
        last = 1;
    return last;
}
