/* The controller's unix control socket.  A client sends one line, the
 * command and its words; the controller answers "OK" or "ERR reason" on
 * the first line, then the body, and closes.  Commands:
 *   status [json] | node NAME [json] | services [json] | log [N] [json] |
 *   stats [json] | drain NAME | undrain NAME | app NAME APP start|stop|restart |
 *   op NAME reboot|shutdown|kernel RELEASE|pkg install|update|remove PKG... |
 *   job N [json]   (op answers "job N"; job shows its progress, see node_ops.h)
 */
#ifndef LAMON_CONTROL_SOCKET_H
#define LAMON_CONTROL_SOCKET_H

#include <event2/event.h>

#include "cluster.h"

#define CTL_SOCKET_REQUEST_TIMEOUT_S 5
#define CTL_SOCKET_ANSWER_TIMEOUT_S 10
#define CTL_SOCKET_MAX_CLIENTS 64
#define CTL_SOCKET_ACCEPT_PAUSE_MS 1000
#define CTL_SOCKET_LOG_EVERY_S 10

struct control_socket;

/* Binds the configuration's control path, applies owner/mode from it.
 * A stale socket file (nobody accepts on it) is replaced; a socket a
 * running controller accepts on, or a file that is not a socket, is left
 * alone and refused.  Returns NULL with the reason in err. */
struct control_socket *control_socket_open(struct event_base *base, struct cluster *cl, char *err, size_t errlen);
void control_socket_close(struct control_socket *cs);
/* The path CS listens on. */
const char *control_socket_path(const struct control_socket *cs);

/* Applies the configuration's owner, group and mode to the socket file
 * again (after a reload).  Returns -1 with the reason in err. */
int control_socket_set_access(struct control_socket *cs, char *err, size_t errlen);

#endif
