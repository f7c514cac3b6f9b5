/* A node's page: the agent's values, its applications, its kernels, the
 * operations, its recent jobs and its graphs (see http_pages.h). */
#include "http_pages.h"

#include <stdio.h>

#include "html_text.h"
#include "node_view.h"
#include "status_view.h"

/* One row of the agent's values: LABEL, and the value in a cell named
 * FIELD (the key of /api/v1/nodes/NAME the script updates it from). */
static void kv(struct evbuffer *out, const char *label, const char *field, const char *value)
{
    evbuffer_add_printf(out, "<tr><th>%s</th><td data-field=\"%s\">", label, field);
    html_text(out, value && value[0] ? value : "-");
    evbuffer_add_printf(out, "</td></tr>\n");
}

static void kvu(struct evbuffer *out, const char *label, const char *field, unsigned long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lu", v);
    kv(out, label, field, buf);
}

static void values(struct evbuffer *out, const struct cluster *cl, const struct node_rt *n)
{
    const struct node_sample *s = &n->s;
    struct node_row r;
    view_node_row(cl, n, &r);
    char buf[HTTP_SEG_LEN + 64];
    evbuffer_add_printf(out, "<section id=\"values\">\n<h2>Agent</h2>\n<table id=\"agent\" class=\"kv\">\n");
    snprintf(buf, sizeof buf, "%s:%u", n->peer.host, n->peer.port);
    kv(out, "Address", "address", buf);
    kv(out, "Source", "source", r.source);
    kv(out, "Role", "role", r.role);
    kv(out, "Service", "service", r.service);
    kv(out, "State", "state", r.state);
    kv(out, "Health", "health", node_health_name(n->hyst.health));
    kv(out, "Agent name", "agent_name", s->name);
    kv(out, "Agent version", "agent_version", s->version);
    kvu(out, "Uptime (s)", "uptime_s", s->uptime / 100);
    snprintf(buf, sizeof buf, "%.2f %.2f %.2f", s->load1 / 100.0, s->load5 / 100.0, s->load15 / 100.0);
    kv(out, "Load (1, 5, 15 min)", "load", buf);
    snprintf(buf, sizeof buf, "%.2f", s->cpu / 100.0);
    kv(out, "CPU (%)", "cpu", buf);
    snprintf(buf, sizeof buf, "%lu kB available of %lu kB", s->memavail, s->memtotal);
    kv(out, "Memory", "memory", buf);
    kvu(out, "Connections", "connections", s->conns);
    kvu(out, "SYN-RECV", "synrecv", s->synrecv);
    kv(out, "Last seen", "last_seen", r.last_seen);
    evbuffer_add_printf(out, "</table>\n</section>\n");
}

static void apps(struct evbuffer *out, const struct node_rt *n)
{
    evbuffer_add_printf(out, "<section id=\"applications\">\n<h2>Applications</h2>\n<table id=\"apps\">\n<thead><tr>"
                             "<th>Application</th><th>State</th><th>Admin</th><th>Established</th><th>SYN-RECV</th>"
                             "<th>Operations</th></tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < n->s.napps; k++) {
        const struct app_sample *a = &n->s.apps[k];
        const char *oper = app_oper_name(a->oper);
        evbuffer_add_printf(out, "<tr data-app=\"");
        html_text(out, a->name);
        evbuffer_add_printf(out, "\" data-oper=\"%s\" class=\"app-%s\"><td>", oper, oper);
        html_text(out, a->name);
        evbuffer_add_printf(out, "</td><td data-field=\"oper\">%s</td><td data-field=\"admin\">%s</td>"
                                 "<td data-field=\"established\" class=\"num\">%u</td>"
                                 "<td data-field=\"synrecv\" class=\"num\">%u</td><td>",
                            oper, app_admin_name(a->admin), a->estab, a->synrecv);
        static const char *const ops[] = { "start", "stop", "restart" };
        for (size_t o = 0; o < 3; o++) {
            evbuffer_add_printf(out, "<button type=\"button\" data-app-op=\"%s\" data-app=\"", ops[o]);
            html_text(out, a->name);
            evbuffer_add_printf(out, "\">%s</button> ", ops[o]);
        }
        evbuffer_add_printf(out, "</td></tr>\n");
    }
    evbuffer_add_printf(out, "</tbody>\n</table>\n</section>\n");
}

/* The running and next-boot kernels, and the node's operations. */
static void kernels_and_ops(struct evbuffer *out, const struct node_rt *n)
{
    evbuffer_add_printf(out, "<section id=\"kernels\">\n<h2>Kernels</h2>\n<table class=\"kv\">\n");
    kv(out, "Running", "kernel_running", n->s.kernel);
    kv(out, "Next boot", "kernel_next", n->s.kernel_next);
    evbuffer_add_printf(out, "</table>\n</section>\n");
    evbuffer_add_printf(out,
        "<section id=\"operations\">\n<h2>Operations</h2>\n<p class=\"ops\">"
        "<button type=\"button\" data-op=\"drain\">Drain</button> "
        "<button type=\"button\" data-op=\"undrain\">Undrain</button> "
        "<button type=\"button\" data-op=\"reboot\">Reboot</button> "
        "<button type=\"button\" data-op=\"shutdown\">Shut down</button></p>\n"
        "<p class=\"ops\"><label>Next-boot kernel <input id=\"kernel-release\" name=\"release\" "
        "placeholder=\"release, e.g. 6.1.0-26-amd64\" autocomplete=\"off\"></label> "
        "<button type=\"button\" data-op=\"kernel\">Set next boot</button></p>\n"
        "<p class=\"ops\"><label>Packages <select id=\"pkg-action\" name=\"action\">"
        "<option value=\"install\">install</option><option value=\"update\">update</option>"
        "<option value=\"remove\">remove</option></select></label> "
        "<input id=\"pkg-names\" name=\"packages\" placeholder=\"package names, space-separated\" "
        "autocomplete=\"off\" aria-label=\"packages\"> "
        "<button type=\"button\" data-op=\"packages\">Run</button></p>\n</section>\n"
        "<section id=\"recent-jobs\">\n<h2>Recent jobs</h2>\n<table id=\"jobs\">\n<thead><tr><th>Job</th>"
        "<th>Operation</th><th>Phase</th><th>Result</th><th>Message</th></tr></thead>\n<tbody></tbody>\n</table>\n"
        "</section>\n");
}

/* Graph images of /graph/... (drawn by the controller from its RRDs). */
static void graph_img(struct evbuffer *out, const char *node, const char *app, const char *kind, const char *alt)
{
    evbuffer_add_printf(out, "<figure><img loading=\"lazy\" data-graph=\"/graph/%s/", app ? "app" : "node");
    html_url_seg(out, node);
    if (app) {
        evbuffer_add_printf(out, "/");
        html_url_seg(out, app);
    }
    evbuffer_add_printf(out, "/%s\" src=\"/graph/%s/", kind, app ? "app" : "node");
    html_url_seg(out, node);
    if (app) {
        evbuffer_add_printf(out, "/");
        html_url_seg(out, app);
    }
    evbuffer_add_printf(out, "/%s?period=day\" alt=\"", kind);
    html_text(out, alt);
    evbuffer_add_printf(out, "\"><figcaption>");
    html_text(out, alt);
    evbuffer_add_printf(out, "</figcaption></figure>\n");
}

static void graphs(struct evbuffer *out, const struct node_rt *n)
{
    evbuffer_add_printf(out, "<section id=\"graphs\">\n<h2>Graphs</h2>\n<p><label>Period <select id=\"period\">"
                             "<option value=\"hour\">hour</option><option value=\"day\" selected>day</option>"
                             "<option value=\"week\">week</option><option value=\"month\">month</option>"
                             "</select></label></p>\n<div class=\"graphs\">\n");
    graph_img(out, n->peer.name, NULL, "load", "load");
    graph_img(out, n->peer.name, NULL, "cpu", "CPU");
    graph_img(out, n->peer.name, NULL, "mem", "memory");
    graph_img(out, n->peer.name, NULL, "conns", "connections");
    for (size_t k = 0; k < n->s.napps; k++) {
        char alt[CTL_NAME_MAX + 32];
        snprintf(alt, sizeof alt, "%s connections", n->s.apps[k].name);
        graph_img(out, n->peer.name, n->s.apps[k].name, "conns", alt);
    }
    evbuffer_add_printf(out, "</div>\n</section>\n");
}

void http_page_node(struct http_ctx *ctx)
{
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    const struct cluster *cl = ctx->cl;
    int i = cluster_find_node(cl, ctx->seg[1]);
    if (i < 0) {
        page_begin(ctx, out, "No such node", "missing", NULL);
        evbuffer_add_printf(out, "<h1>No such node</h1>\n<p>There is no node <b>");
        html_text(out, ctx->seg[1]);
        evbuffer_add_printf(out, "</b>. <a href=\"/\">All nodes</a></p>\n");
        page_end(out);
        page_send(ctx, 404, out);
        evbuffer_free(out);
        return;
    }
    const struct node_rt *n = cl->nodes[i];
    const char *state = node_state_label(cl, n);
    page_begin(ctx, out, n->peer.name, "node", n->peer.name);
    evbuffer_add_printf(out, "<h1>");
    html_text(out, n->peer.name);
    evbuffer_add_printf(out, " <span id=\"node-state\" class=\"badge state-%s\" data-state=\"%s\">%s</span></h1>\n",
                        state, state, state);
    evbuffer_add_printf(out, "<div class=\"columns\">\n");
    values(out, cl, n);
    evbuffer_add_printf(out, "<div>\n");
    kernels_and_ops(out, n);
    evbuffer_add_printf(out, "</div>\n</div>\n");
    apps(out, n);
    graphs(out, n);
    page_end(out);
    page_send(ctx, 200, out);
    evbuffer_free(out);
}
