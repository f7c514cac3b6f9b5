/* What the controller makes of a node and of a director's table, as read
 * from the last polls: pure predicates over the cluster picture, shared by
 * the decisions, the status views and the RRD writer.  No I/O. */
#ifndef LAMON_NODE_VIEW_H
#define LAMON_NODE_VIEW_H

#include "cluster.h"

/* The service index the node serves (as a server, or in its scale-in
 * drain), or -1. */
int node_service(const struct cluster *cl, const struct node_rt *n);

/* A scale-in drain is written to the agent as role spare, state draining,
 * service kept (see node_view.c). */
bool scale_in_drain(const struct node_rt *n);

/* The service the spare N is kept hot for (role spare, state running,
 * service kept), or -1. */
int hot_service(const struct cluster *cl, const struct node_rt *n);
/* The service whose application N is judged for: the one it serves, or
 * the one it is a hot spare of; -1 for neither. */
int app_service(const struct cluster *cl, const struct node_rt *n);
/* N is a hot spare of SVC that answers, runs the application (judged up)
 * and has not fallen over since it was heated: promotion is only the
 * directors' add. */
bool hot_ready(const struct cluster *cl, const struct node_rt *n, int svc);
/* Every node judged (node_settled). */
bool cluster_settled(const struct cluster *cl);

/* A member as the decisions see it: as polled, or as just written. */
bool in_service(const struct cluster *cl, const struct node_rt *n, int svc);
/* A member in place, for the views and for claims of strength. */
bool node_is_member(const struct cluster *cl, const struct node_rt *n, int svc);
/* Counts toward the service's strength: not known to have failed. */
bool node_live(const struct node_rt *n);
/* May carry traffic: known to answer and to run the application. */
bool node_ready(const struct cluster *cl, const struct node_rt *n);
/* Judged: its health and its application's are known. */
bool node_settled(const struct node_rt *n);
const char *node_state_label(const struct cluster *cl, const struct node_rt *n);

const struct app_sample *find_app(const struct node_rt *n, const char *name);
/* The node's load as service S measures it (ctl_config.h, "load"). */
double node_load(const struct node_rt *n, const struct ctl_service *s);
const char *load_unit(const struct ctl_service *s);
const char *role_name(int role);

/* The weight of weights follow (ctl_config.h): BASE scaled down by LOAD
 * relative to HIGH, within 1..BASE; HAVE (the weight in force, -1 if none)
 * is kept when the new figure is less than max(1, BASE / 10) away. */
int follow_weight(int base, double load, double high, int have);

/* The node's real-server address for service S: its HOST with the
 * service's real port. */
struct sockaddr_storage dest_addr(const struct node_rt *n, const struct ctl_service *s);
bool same_sa(const struct sockaddr_storage *x, const struct sockaddr_storage *y);
/* The destination of service SVC at A in D's last walk, or NULL. */
const struct dest_obs *dir_find(const struct director_rt *d, int svc, const struct sockaddr_storage *a);
/* The node whose real-server address for S is A, or NULL. */
const struct node_rt *node_at(const struct cluster *cl, const struct ctl_service *s, const struct sockaddr_storage *a);
/* "192.0.2.1:80" or "[2001:db8::1]:80" */
void addr_str(const struct sockaddr_storage *a, char *buf, size_t len);

#endif
