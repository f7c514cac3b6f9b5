/* libFuzzer target: the agent's state file (subagent/state_file.c) on
 * arbitrary content.
 *
 * Oracle, besides crashes and leaks: what the reader takes, even from a
 * file it calls malformed (the agent starts with "what could be read"), is
 * what a SET could have written (state 0..5, role 0..4, a printable service
 * of at most 64 characters), and writing it back and reading that gives
 * exactly the same, with no complaint.
 *
 * The files live in a private directory under /dev/shm (or /tmp), removed
 * at exit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../subagent/state_file.h"

static char dir[64], file[96], tmpfile_[96];

static void cleanup(void)
{
    unlink(file);
    unlink(tmpfile_);
    rmdir(dir);
}

static void valid(const struct node_persist *p)
{
    if (p->state < 0 || p->state > 5 || p->role < 0 || p->role > 4)
        abort();
    size_t n = strnlen(p->service, sizeof p->service);
    if (n > LAMON_NAME_MAX)
        abort();
    for (size_t i = 0; i < n; i++)
        if (p->service[i] < 0x20 || p->service[i] > 0x7e)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/dev/shm/lamon-fuzz-state.XXXXXX");
        if (!mkdtemp(dir)) {
            snprintf(dir, sizeof dir, "/tmp/lamon-fuzz-state.XXXXXX");
            if (!mkdtemp(dir))
                abort();
        }
        snprintf(file, sizeof file, "%s/state", dir);
        snprintf(tmpfile_, sizeof tmpfile_, "%s/state.tmp", dir);
        atexit(cleanup);
    }
    FILE *f = fopen(file, "we");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct node_persist p, q;
    state_file_load(dir, &p);
    valid(&p);
    if (state_file_save(dir, &p) != 0)
        abort();
    if (state_file_load(dir, &q) != 0)
        abort();        /* the reader refuses what the writer wrote */
    if (p.state != q.state || p.role != q.role || strcmp(p.service, q.service) != 0)
        abort();        /* ... or reads something else */
    return 0;
}
