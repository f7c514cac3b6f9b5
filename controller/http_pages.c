/* The web console's pages: layout, overview, services, log (see
 * http_pages.h). */
#include "http_pages.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_log.h"
#include "html_text.h"
#include "http_static.h"
#include "node_view.h"
#include "status_view.h"

#define LOG_PAGE_LINES 500           /* the log page starts with the last lines */

/* The page's style sheet or script, named with its stamp (http_static.h). */
static void asset_link(const struct http_ctx *ctx, struct evbuffer *out, const char *name)
{
    bool css = strstr(name, ".css") != NULL;
    evbuffer_add_printf(out, css ? "<link rel=\"stylesheet\" href=\"" : "<script defer src=\"");
    evbuffer_add_printf(out, "/static/%s?v=%ld", name, asset_stamp(ctx, name));
    evbuffer_add_printf(out, css ? "\">\n" : "\"></script>\n");
}

void page_begin(const struct http_ctx *ctx, struct evbuffer *out, const char *title, const char *page,
                const char *node)
{
    evbuffer_add_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                             /* no icon: browsers would ask for /favicon.ico on every page */
                             "<link rel=\"icon\" href=\"data:,\">\n<title>");
    html_text(out, title);
    evbuffer_add_printf(out, " · lamon</title>\n");
    asset_link(ctx, out, "lamon.css");
    asset_link(ctx, out, "lamon.js");
    evbuffer_add_printf(out, "</head>\n<body data-page=\"%s\"", page);
    if (node) {
        evbuffer_add_printf(out, " data-node=\"");
        html_text(out, node);
        evbuffer_add_printf(out, "\"");
    }
    evbuffer_add_printf(out, ">\n<header>\n<nav><a class=\"brand\" href=\"/\">lamon</a>"
                             " <a href=\"/\"%s>Overview</a> <a href=\"/services\"%s>Services</a>"
                             " <a href=\"/log\"%s>Log</a></nav>\n",
                        strcmp(page, "overview") == 0 ? " aria-current=\"page\"" : "",
                        strcmp(page, "services") == 0 ? " aria-current=\"page\"" : "",
                        strcmp(page, "log") == 0 ? " aria-current=\"page\"" : "");
    /* Shown until the script finds a session (GET /api/v1/session). */
    evbuffer_add_printf(out,
        "<div id=\"session-box\">\n"
        "<form id=\"login\" method=\"post\" action=\"/api/v1/login\">"
        "<input name=\"user\" autocomplete=\"username\" placeholder=\"user\" aria-label=\"user\" required> "
        "<input name=\"password\" type=\"password\" autocomplete=\"current-password\" placeholder=\"password\" "
        "aria-label=\"password\" required> <button type=\"submit\">Log in</button> "
        "<span id=\"login-error\" role=\"alert\"></span></form>\n"
        "<span id=\"session\" hidden>logged in as <b id=\"session-user\"></b> "
        "<button type=\"button\" id=\"logout\">Log out</button></span>\n"
        "<span id=\"live\" class=\"live\" title=\"live updates\">live</span>\n</div>\n</header>\n<main>\n");
}

void page_end(struct evbuffer *out)
{
    evbuffer_add_printf(out,
        "</main>\n"
        "<section id=\"job\" data-job=\"\" data-result=\"\" hidden>\n"
        "<h2>Job <span id=\"job-title\"></span> <button type=\"button\" id=\"job-close\">Close</button></h2>\n"
        "<p id=\"job-progress\"></p>\n<ol id=\"job-steps\"></ol>\n<p id=\"job-message\"></p>\n"
        "<pre id=\"job-output\" hidden></pre>\n</section>\n"
        "<dialog id=\"confirm\">\n<p id=\"confirm-text\"></p>\n<p>"
        "<button type=\"button\" id=\"confirm-cancel\">Cancel</button> "
        "<button type=\"button\" id=\"confirm-ok\">OK</button></p>\n</dialog>\n"
        "</body>\n</html>\n");
}

void page_send(struct http_ctx *ctx, int code, struct evbuffer *out)
{
    http_reply(ctx, code, "text/html; charset=utf-8", out);
}

/* A node's name linked to its page. */
static void node_link(struct evbuffer *out, const char *name)
{
    evbuffer_add_printf(out, "<a href=\"/nodes/");
    html_url_seg(out, name);
    evbuffer_add_printf(out, "\">");
    html_text(out, name);
    evbuffer_add_printf(out, "</a>");
}

/* "www: 2 up, 0 down, 1 spares" per service, then the pool. */
static void counters(struct evbuffer *out, const struct cluster *cl)
{
    size_t ns = cl->cfg->nservices;
    struct service_counts *c = calloc(ns ? ns : 1, sizeof *c);
    unsigned pool = 0;
    evbuffer_add_printf(out, "<p id=\"counters\">");
    if (c)
        view_service_counts(cl, c, &pool);
    for (size_t si = 0; c && si < ns; si++) {
        const char *name = cl->cfg->services[si].name;
        evbuffer_add_printf(out, "<span class=\"counter\" data-service=\"");
        html_text(out, name);
        evbuffer_add_printf(out, "\"><b>");
        html_text(out, name);
        evbuffer_add_printf(out, "</b>: <span data-count=\"up\">%u</span> up, <span data-count=\"down\">%u</span> "
                                 "down, <span data-count=\"spares\">%u</span> spares</span> ",
                            c[si].up, c[si].down, c[si].spares);
    }
    evbuffer_add_printf(out, "<span class=\"counter\" data-pool=\"\"><b>pool</b>: "
                             "<span data-count=\"pool\">%u</span> cold spares</span></p>\n", pool);
    free(c);
}

/* One row of the overview; the script renders the same from /api/v1/nodes. */
static void node_tr(struct evbuffer *out, const struct node_row *r)
{
    evbuffer_add_printf(out, "<tr data-node=\"");
    html_text(out, r->name);
    evbuffer_add_printf(out, "\" data-state=\"%s\" data-role=\"%s\" data-spare=\"%s\" class=\"state-%s\">",
                        r->state, r->role, r->spare ? r->spare : "", r->state);
    evbuffer_add_printf(out, "<td data-field=\"name\">");
    node_link(out, r->name);
    evbuffer_add_printf(out, "</td><td data-field=\"role\">%s%s%s%s</td><td data-field=\"service\">", r->role,
                        r->spare ? " (" : "", r->spare ? r->spare : "", r->spare ? ")" : "");
    html_text(out, r->service ? r->service : "-");
    evbuffer_add_printf(out, "</td><td data-field=\"state\">%s</td><td data-field=\"load1\" class=\"num\">%.2f</td>"
                             "<td data-field=\"connections\" class=\"num\">%u</td>"
                             "<td data-field=\"last_seen\">%s</td></tr>\n",
                        r->state, r->load1, r->conns, r->last_seen);
}

static struct evbuffer *new_page(struct http_ctx *ctx)
{
    struct evbuffer *out = evbuffer_new();
    if (!out)
        http_reply_error(ctx, 503, "out of memory");
    return out;
}

static void get_overview(struct http_ctx *ctx)
{
    struct evbuffer *out = new_page(ctx);
    if (!out)
        return;
    const struct cluster *cl = ctx->cl;
    page_begin(ctx, out, "Cluster", "overview", NULL);
    evbuffer_add_printf(out, "<h1>Cluster</h1>\n");
    counters(out, cl);
    evbuffer_add_printf(out,
        "<p class=\"tools\"><label>Filter <input id=\"filter\" type=\"search\" "
        "placeholder=\"name, role, service or state\" autocomplete=\"off\"></label> "
        "<span id=\"shown\">%zu nodes</span></p>\n"
        "<table id=\"nodes\">\n<thead><tr>"
        "<th data-sort=\"name\">Name</th><th data-sort=\"role\">Role</th><th data-sort=\"service\">Service</th>"
        "<th data-sort=\"state\">State</th><th data-sort=\"load1\" data-type=\"number\">Load</th>"
        "<th data-sort=\"connections\" data-type=\"number\">Connections</th>"
        "<th data-sort=\"last_seen\">Last seen</th></tr></thead>\n<tbody>\n",
        cl->nnodes);
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_row r;
        view_node_row(cl, cl->nodes[i], &r);
        node_tr(out, &r);
    }
    evbuffer_add_printf(out, "</tbody>\n</table>\n");
    page_end(out);
    page_send(ctx, 200, out);
    evbuffer_free(out);
}

/* One service's section: sizes, spares, members, each director's table. */
static void service_section(struct evbuffer *out, const struct cluster *cl, size_t si)
{
    struct service_row r;
    view_service_row(cl, si, &r);
    const struct ctl_service *s = r.svc;
    evbuffer_add_printf(out, "<section class=\"service\" id=\"svc-");
    html_url_seg(out, s->name);
    evbuffer_add_printf(out, "\" data-service=\"");
    html_text(out, s->name);
    evbuffer_add_printf(out, "\">\n<h2>");
    html_text(out, s->name);
    evbuffer_add_printf(out, " <small>%s ", s->protocol == 6 ? "tcp" : "udp");
    html_text(out, r.vip);
    evbuffer_add_printf(out, ":%u</small></h2>\n<p class=\"sizes\">nodes <span data-field=\"nodes\">%u</span> "
                             "(min <span data-field=\"min\">%u</span>, max <span data-field=\"max\">%u</span>, "
                             "wanted now <span data-field=\"target\">%u</span>); spares "
                             "<span data-field=\"hot_spares\">%u</span> hot (keeps <span data-field=\"hot\">%u</span>), "
                             "<span data-field=\"warming_spares\">%u</span> warming, "
                             "<span data-field=\"cold_spares\">%u</span> cold in the pool</p>\n",
                        r.port, s->nodes, s->min, s->max, r.target, r.hot, s->hot, r.warming, r.cold);
    evbuffer_add_printf(out, "<h3>Members</h3>\n<table class=\"members\"><thead><tr><th>Node</th><th>State</th>"
                             "<th>Connections</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        if (!node_is_member(cl, n, (int)si))
            continue;
        const char *st = node_state_label(cl, n);
        evbuffer_add_printf(out, "<tr data-node=\"");
        html_text(out, n->peer.name);
        evbuffer_add_printf(out, "\" data-state=\"%s\" class=\"state-%s\"><td>", st, st);
        node_link(out, n->peer.name);
        evbuffer_add_printf(out, "</td><td>%s</td><td class=\"num\">%u</td></tr>\n", st, n->s.conns);
    }
    evbuffer_add_printf(out, "</tbody></table>\n");
    for (size_t k = 0; k < s->ndirectors; k++) {
        const struct director_rt *d = cl->dirs[s->directors[k]];
        evbuffer_add_printf(out, "<div class=\"director\" data-director=\"");
        html_text(out, d->peer.name);
        evbuffer_add_printf(out, "\" data-reachable=\"%s\">\n<h3>Director ", d->reachable ? "true" : "false");
        html_text(out, d->peer.name);
        evbuffer_add_printf(out, " <small class=\"reach\">%s</small></h3>\n<table class=\"dests\"><thead><tr>"
                                 "<th>Destination</th><th>Node</th><th>Weight</th><th>Connections</th></tr></thead>\n"
                                 "<tbody>\n", d->reachable ? "reachable" : "unreachable");
        for (size_t j = 0; j < d->ndests; j++) {
            const struct dest_obs *o = &d->dests[j];
            if (o->svc != (int)si)
                continue;
            char addr[INET6_ADDRSTRLEN + 16];
            addr_str(&o->addr, addr, sizeof addr);
            const struct node_rt *n = node_at(cl, s, &o->addr);
            evbuffer_add_printf(out, "<tr><td>");
            html_text(out, addr);
            evbuffer_add_printf(out, "</td><td>");
            if (n)
                node_link(out, n->peer.name);
            else
                evbuffer_add_printf(out, "-");
            evbuffer_add_printf(out, "</td><td class=\"num\">%d</td><td class=\"num\">%u</td></tr>\n", o->weight,
                                o->active);
        }
        evbuffer_add_printf(out, "</tbody></table>\n</div>\n");
    }
    evbuffer_add_printf(out, "</section>\n");
}

static void get_services(struct http_ctx *ctx)
{
    struct evbuffer *out = new_page(ctx);
    if (!out)
        return;
    page_begin(ctx, out, "Services", "services", NULL);
    evbuffer_add_printf(out, "<h1>Services</h1>\n<div id=\"services\">\n");
    for (size_t si = 0; si < ctx->cl->cfg->nservices; si++)
        service_section(out, ctx->cl, si);
    if (!ctx->cl->cfg->nservices)
        evbuffer_add_printf(out, "<p>No service is configured.</p>\n");
    evbuffer_add_printf(out, "</div>\n");
    page_end(out);
    page_send(ctx, 200, out);
    evbuffer_free(out);
}

/* The log's last lines; the script asks /api/v1/log?since=data-next. */
static void get_log(struct http_ctx *ctx)
{
    struct evbuffer *out = new_page(ctx);
    if (!out)
        return;
    size_t n = event_log_count();
    size_t from = n > LOG_PAGE_LINES ? n - LOG_PAGE_LINES : 0;
    page_begin(ctx, out, "Log", "log", NULL);
    evbuffer_add_printf(out, "<h1>Event log</h1>\n<p class=\"tools\"><label><input type=\"checkbox\" id=\"follow\" "
                             "checked> follow</label></p>\n<ol id=\"log\" data-next=\"%lu\">\n",
                        event_log_total());
    for (size_t i = from; i < n; i++) {
        evbuffer_add_printf(out, "<li>");
        html_text(out, event_log_line(i));
        evbuffer_add_printf(out, "</li>\n");
    }
    evbuffer_add_printf(out, "</ol>\n");
    page_end(out);
    page_send(ctx, 200, out);
    evbuffer_free(out);
}

const struct http_route http_pages_routes[] = {
    { EVHTTP_REQ_GET, "/", get_overview, HTTP_OPEN, true },
    { EVHTTP_REQ_GET, "/services", get_services, HTTP_OPEN, true },
    { EVHTTP_REQ_GET, "/nodes/*", http_page_node, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/log", get_log, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/static/*", http_static_get, HTTP_OPEN, false },
    { 0, NULL, NULL, 0, false },
};
