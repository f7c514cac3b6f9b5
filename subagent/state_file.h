/* The node's persisted state (DIR/state): written atomically (temp file,
 * fsync, rename, fsync of the directory), so a crash leaves the old or the
 * new file, never a torn one.  The reader takes only what a SET can write
 * (state 1..5, role 1..4, a printable service of 64 characters at most);
 * a line over 255 characters is refused whole, never split. */
#ifndef LAMON_STATE_FILE_H
#define LAMON_STATE_FILE_H

#include "agent_config.h"

struct node_persist {
    int state;                          /* lamonNodeState, 0 = not stored */
    int role;                           /* lamonNodeRole, 0 = not stored */
    char service[LAMON_NAME_MAX + 1];
};

/* Fills P from DIR/state; a missing file leaves P zeroed and returns 0.
 * Returns -1 (logged) on a read error or a malformed file. */
int state_file_load(const char *dir, struct node_persist *p);
/* Creates DIR if needed; 0 or -1 (logged). */
int state_file_save(const char *dir, const struct node_persist *p);

/* In the privilege-separated worker, state_file_save only calls SAVE (the
 * monitor writes the file in its own statedir). */
void state_file_set_remote(int (*save)(const struct node_persist *p));

#endif
