/* Job numbers: one sequence for every kind of job the controller follows
 * (node_ops.h, watch_job.h), so that "job N" and /api/v1/jobs/N name one. */
#ifndef LAMON_JOB_ID_H
#define LAMON_JOB_ID_H

/* The next job number, from 1. */
unsigned job_id_next(void);

#endif
