/* lamon web console: keeps the server-rendered pages live by polling the
 * JSON API every second (no reload), sorts and filters the overview, logs
 * in, asks before every operation, POSTs it with the session's CSRF token
 * and follows its job.  No framework, no build step, nothing fetched from
 * elsewhere; values are always set as text, never as markup.
 *
 * The DOM it works on (rendered by controller/http_pages.c and
 * http_page_node.c; the browser test relies on it too):
 *   body[data-page=overview|services|node|log][data-node=NAME]
 *   overview: table#nodes, tr[data-node][data-state][data-role][data-spare].state-STATE
 *             with td[data-field=name|role|service|state|load1|connections|last_seen];
 *             th[data-sort=FIELD] (data-type=number); input#filter; span#shown;
 *             p#counters > span.counter[data-service=NAME] > span[data-count=up|down|spares],
 *             span.counter[data-pool] > span[data-count=pool]
 *   services: section.service[data-service] with span[data-field], table.members,
 *             div.director[data-director] > table.dests
 *   node:     #node-state, td[data-field] in #agent and #kernels, tr[data-app] of #apps,
 *             button[data-op], button[data-app-op][data-app], #kernel-release,
 *             #pkg-action, #pkg-names, table#jobs, select#period, img[data-graph]
 *   log:      ol#log[data-next], input#follow
 *   every page: form#login, #session, #session-user, #logout, #live,
 *             #job[data-job][data-result] > #job-title, #job-progress, #job-steps,
 *             #job-message, #job-output; dialog#confirm > #confirm-text,
 *             #confirm-ok, #confirm-cancel
 */
(function () {
    'use strict';

    var POLL_MS = 1000;
    var LOG_KEEP = 2000;                 /* lines the log page keeps */
    var session = { user: null, csrf: null };

    function $(sel, root) { return (root || document).querySelector(sel); }
    function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

    /* el('td', {class: 'num'}, 'text', child...): an element, children as text or nodes. */
    function el(tag, attrs) {
        var e = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            if (attrs[k] !== null && attrs[k] !== undefined)
                e.setAttribute(k, attrs[k]);
        });
        for (var i = 2; i < arguments.length; i++) {
            var c = arguments[i];
            if (c === null || c === undefined)
                continue;
            e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
        }
        return e;
    }
    function setText(e, text) {
        text = String(text);
        if (e && e.textContent !== text)
            e.textContent = text;
    }
    function setAttr(e, name, value) {
        value = String(value);
        if (e.getAttribute(name) !== value)
            e.setAttribute(name, value);
    }
    function nodeLink(name) { return el('a', { href: '/nodes/' + encodeURIComponent(name) }, name); }

    /* --- the API ----------------------------------------------------------- */

    function api(method, path, form) {
        var opts = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
        if (form) {
            opts.headers['Content-Type'] = 'application/x-www-form-urlencoded';
            opts.body = new URLSearchParams(form).toString();
        }
        if (method === 'POST' && session.csrf)
            opts.headers['X-CSRF-Token'] = session.csrf;
        return fetch(path, opts).then(function (r) {
            return r.text().then(function (t) {
                var j = null;
                try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
                return { status: r.status, json: j };
            });
        });
    }

    function setLive(ok) {
        var l = $('#live');
        if (!l)
            return;
        l.classList.toggle('offline', !ok);
        setText(l, ok ? 'live' : 'offline');
    }

    /* Runs FN (returning a promise) now and POLL_MS after each end. */
    function every(fn, ms) {
        function tick() {
            var p = document.hidden ? Promise.resolve() : fn();
            p.then(function () { setLive(true); }, function () { setLive(false); })
             .then(function () { setTimeout(tick, ms || POLL_MS); });
        }
        tick();
    }

    /* --- session and login -------------------------------------------------- */

    function showSession() {
        var login = $('#login'), box = $('#session');
        if (login)
            login.hidden = !!session.user;
        if (box)
            box.hidden = !session.user;
        setText($('#session-user'), session.user || '');
        document.body.classList.toggle('logged-in', !!session.user);
    }

    function loadSession() {
        return api('GET', '/api/v1/session').then(function (r) {
            if (r.status === 200 && r.json) {
                session.user = r.json.user || null;
                session.csrf = r.json.csrf || null;
            }
            showSession();
        }, showSession);
    }

    function setupLogin() {
        var form = $('#login');
        if (form) {
            form.addEventListener('submit', function (ev) {
                ev.preventDefault();
                var err = $('#login-error');
                setText(err, '');
                api('POST', '/api/v1/login', {
                    user: form.elements.user.value, password: form.elements.password.value
                }).then(function (r) {
                    if (r.status === 200 && r.json) {
                        session.user = r.json.user;
                        session.csrf = r.json.csrf;
                        form.elements.password.value = '';
                        showSession();
                    } else {
                        setText(err, r.status === 429 ? 'too many attempts: wait a little'
                                : (r.json && r.json.error) || 'login refused (' + r.status + ')');
                    }
                }, function () { setText(err, 'the controller does not answer'); });
            });
        }
        var out = $('#logout');
        if (out) {
            out.addEventListener('click', function () {
                api('POST', '/api/v1/logout').then(function () {
                    session.user = session.csrf = null;
                    showSession();
                });
            });
        }
        showSession();
    }

    /* --- confirmation ---------------------------------------------------------- */

    function confirmOp(text) {
        var d = $('#confirm');
        if (!d || typeof d.showModal !== 'function')
            return Promise.resolve(window.confirm(text));
        setText($('#confirm-text'), text);
        return new Promise(function (resolve) {
            var ok = $('#confirm-ok'), cancel = $('#confirm-cancel');
            function done(v) {
                ok.removeEventListener('click', onOk);
                cancel.removeEventListener('click', onCancel);
                d.removeEventListener('cancel', onCancel);
                if (d.open)
                    d.close();
                resolve(v);
            }
            function onOk() { done(true); }
            function onCancel(ev) { if (ev) ev.preventDefault(); done(false); }
            ok.addEventListener('click', onOk);
            cancel.addEventListener('click', onCancel);
            d.addEventListener('cancel', onCancel);       /* Escape */
            d.showModal();
            cancel.focus();
        });
    }

    /* --- jobs ------------------------------------------------------------------- */

    var followed = { id: null, timer: null, progress: [] };

    function jobPanel(id, result, title) {
        var p = $('#job');
        if (!p)
            return null;
        p.hidden = false;
        setAttr(p, 'data-job', id === null ? '' : id);
        setAttr(p, 'data-result', result);
        setText($('#job-title'), title);
        return p;
    }

    /* The job's failure as lamonctl says it: the message (the agent's SNMP
     * error name for a refusal), then each operation's exit code. */
    function failureText(j) {
        var parts = [];
        if (j.message)
            parts.push(j.message);
        (j.ops || []).forEach(function (o) {
            if (typeof o.exit_code === 'number' && o.exit_code >= 0)
                parts.push((o.argument ? o.argument + ': ' : '') + 'exit code ' + o.exit_code
                           + (o.status ? ' (' + o.status + ')' : ''));
        });
        return parts.join('; ') || 'failed';
    }

    function showJob(j) {
        var p = jobPanel(j.job, j.result || 'pending', j.job + ': ' + (j.operation || '') + ' on ' + (j.node || ''));
        if (!p)
            return;
        var steps = $('#job-steps');
        var lines = Array.isArray(j.steps) ? j.steps.slice() : followed.progress;
        /* Without steps, the progress lines as they come, like lamonctl's. */
        if (!Array.isArray(j.steps)) {
            var line = j.progress || j.phase;
            if (line && lines[lines.length - 1] !== line)
                lines.push(line);
        }
        while (steps.children.length > lines.length)
            steps.removeChild(steps.lastChild);
        lines.forEach(function (l, i) {
            if (i < steps.children.length)
                setText(steps.children[i], l);
            else
                steps.appendChild(el('li', null, l));
        });
        setText($('#job-progress'), j.progress || j.phase || '');
        setText($('#job-message'), j.result === 'failed' ? failureText(j) : (j.result === 'ok' ? (j.message || 'done') : ''));
        var out = $('#job-output');
        if (out) {
            out.hidden = !j.output;
            setText(out, j.output || '');
        }
    }

    function followJob(id) {
        if (followed.timer)
            clearTimeout(followed.timer);
        followed = { id: id, timer: null, progress: [] };
        setText($('#job-steps'), '');
        jobPanel(id, 'pending', String(id));
        function poll() {
            if (followed.id !== id)
                return;
            api('GET', '/api/v1/jobs/' + id).then(function (r) {
                if (followed.id !== id)
                    return;
                if (r.status === 200 && r.json) {
                    showJob(r.json);
                    if (r.json.result !== 'pending') {
                        refreshJobs();
                        return;
                    }
                } else if (r.status === 404) {
                    jobPanel(id, 'failed', String(id));
                    setText($('#job-message'), 'no job ' + id);
                    return;
                }
                followed.timer = setTimeout(poll, POLL_MS);
            }, function () { followed.timer = setTimeout(poll, POLL_MS); });
        }
        poll();
    }

    /* Asks, POSTs PATH with FORM, follows the job it started. */
    function operate(question, path, form) {
        if (!session.user) {
            var err = $('#login-error');
            setText(err, 'log in to change the cluster');
            var u = $('#login input[name=user]');
            if (u)
                u.focus();
            return;
        }
        confirmOp(question).then(function (yes) {
            if (!yes)
                return;
            api('POST', path, form).then(function (r) {
                if ((r.status === 202 || r.status === 200) && r.json && r.json.job) {
                    followJob(r.json.job);
                    return;
                }
                if (r.status === 401) {
                    session.user = session.csrf = null;
                    showSession();
                }
                jobPanel(null, 'failed', question);
                setText($('#job-steps'), '');
                setText($('#job-message'), (r.json && r.json.error) || 'refused (' + r.status + ')');
            }, function () {
                jobPanel(null, 'failed', question);
                setText($('#job-message'), 'the controller does not answer');
            });
        });
    }

    /* --- overview ---------------------------------------------------------------- */

    var sortKey = null, sortDir = 1;

    function roleText(n) { return n.role + (n.spare ? ' (' + n.spare + ')' : ''); }

    function fillNodeRow(tr, n) {
        setAttr(tr, 'data-state', n.state);
        setAttr(tr, 'data-role', n.role);
        setAttr(tr, 'data-spare', n.spare || '');
        setAttr(tr, 'class', 'state-' + n.state);
        var f = {};
        $$('td[data-field]', tr).forEach(function (td) { f[td.getAttribute('data-field')] = td; });
        setText(f.role, roleText(n));
        setText(f.service, n.service || '-');
        setText(f.state, n.state);
        setText(f.load1, Number(n.load1).toFixed(2));
        setText(f.connections, n.connections);
        setText(f.last_seen, n.last_seen || 'never');
    }

    function newNodeRow(n) {
        var tr = el('tr', { 'data-node': n.name },
            el('td', { 'data-field': 'name' }, nodeLink(n.name)),
            el('td', { 'data-field': 'role' }), el('td', { 'data-field': 'service' }),
            el('td', { 'data-field': 'state' }), el('td', { 'data-field': 'load1', class: 'num' }),
            el('td', { 'data-field': 'connections', class: 'num' }), el('td', { 'data-field': 'last_seen' }));
        fillNodeRow(tr, n);
        return tr;
    }

    /* The counter line, by the rules of status_view.h's view_service_counts. */
    function counters(nodes) {
        var c = {}, pool = 0;
        nodes.forEach(function (n) {
            var up = n.state === 'up';
            if (n.role === 'spare' && up) {
                if (n.service) {
                    c[n.service] = c[n.service] || { up: 0, down: 0, spares: 0 };
                    c[n.service].spares++;
                } else {
                    pool++;
                }
            } else if (n.role === 'server' && n.service) {
                c[n.service] = c[n.service] || { up: 0, down: 0, spares: 0 };
                if (up)
                    c[n.service].up++;
                else if (n.state === 'down' || n.state === 'app-down')
                    c[n.service].down++;
            }
        });
        $$('#counters .counter[data-service]').forEach(function (s) {
            var v = c[s.getAttribute('data-service')] || { up: 0, down: 0, spares: 0 };
            ['up', 'down', 'spares'].forEach(function (k) { setText($('[data-count=' + k + ']', s), v[k]); });
        });
        setText($('#counters [data-count=pool]'), pool);
    }

    function cellValue(tr, key, numeric) {
        var td = $('td[data-field=' + key + ']', tr);
        var t = td ? td.textContent : '';
        if (!numeric)
            return t;
        var v = parseFloat(t);
        return isNaN(v) ? -1 : v;
    }

    function applySort() {
        var tbody = $('#nodes tbody');
        if (!tbody || !sortKey)
            return;
        var th = $('#nodes th[data-sort=' + sortKey + ']');
        var numeric = th && th.getAttribute('data-type') === 'number';
        var rows = $$('tr', tbody);
        var sorted = rows.slice().sort(function (a, b) {
            var x = cellValue(a, sortKey, numeric), y = cellValue(b, sortKey, numeric);
            var d = numeric ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
            if (d === 0)
                d = a.getAttribute('data-node').localeCompare(b.getAttribute('data-node'), undefined, { numeric: true });
            return d * sortDir;
        });
        /* Moves rows only when the order changed: a click on a link survives. */
        if (sorted.some(function (r, i) { return r !== rows[i]; }))
            sorted.forEach(function (r) { tbody.appendChild(r); });
    }

    function applyFilter() {
        var f = $('#filter');
        var terms = f ? f.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
        var rows = $$('#nodes tbody tr'), shown = 0;
        rows.forEach(function (tr) {
            var text = ['name', 'role', 'service', 'state'].map(function (k) { return cellValue(tr, k, false); })
                .join(' ').toLowerCase();
            var match = terms.every(function (t) { return text.indexOf(t) >= 0; });
            if (tr.hidden === match)
                tr.hidden = !match;
            shown += match ? 1 : 0;
        });
        setText($('#shown'), terms.length ? shown + ' of ' + rows.length + ' nodes' : rows.length + ' nodes');
    }

    function refreshNodes() {
        return api('GET', '/api/v1/nodes').then(function (r) {
            if (r.status !== 200 || !Array.isArray(r.json))
                throw new Error('nodes');
            var tbody = $('#nodes tbody'), have = {};
            $$('tr[data-node]', tbody).forEach(function (tr) { have[tr.getAttribute('data-node')] = tr; });
            var seen = {};
            r.json.forEach(function (n) {
                seen[n.name] = true;
                if (have[n.name])
                    fillNodeRow(have[n.name], n);
                else
                    tbody.appendChild(newNodeRow(n));
            });
            Object.keys(have).forEach(function (name) {
                if (!seen[name])
                    tbody.removeChild(have[name]);
            });
            counters(r.json);
            applySort();
            applyFilter();
        });
    }

    function setupOverview() {
        $$('#nodes th[data-sort]').forEach(function (th) {
            th.tabIndex = 0;
            function sortBy() {
                var key = th.getAttribute('data-sort');
                sortDir = sortKey === key ? -sortDir : 1;
                sortKey = key;
                $$('#nodes th[data-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
                th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
                applySort();
            }
            th.addEventListener('click', sortBy);
            th.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') sortBy(); });
        });
        var f = $('#filter');
        if (f)
            f.addEventListener('input', applyFilter);
        every(refreshNodes);
    }

    /* --- services ------------------------------------------------------------------ */

    function refreshServices() {
        return api('GET', '/api/v1/services').then(function (r) {
            if (r.status !== 200 || !r.json || !Array.isArray(r.json.services))
                throw new Error('services');
            r.json.services.forEach(function (s) {
                var sec = $$('section.service').filter(function (x) {
                    return x.getAttribute('data-service') === s.name;
                })[0];
                if (!sec)
                    return;
                $$('[data-field]', sec).forEach(function (f) {
                    var k = f.getAttribute('data-field');
                    if (k in s)
                        setText(f, s[k]);
                });
                var mb = $('table.members tbody', sec);
                if (mb) {
                    var rows = (s.members || []).map(function (m) {
                        return el('tr', { 'data-node': m.name, 'data-state': m.state, class: 'state-' + m.state },
                                  el('td', null, nodeLink(m.name)), el('td', null, m.state),
                                  el('td', { class: 'num' }, m.connections));
                    });
                    replaceRows(mb, rows);
                }
                (s.directors || []).forEach(function (d) {
                    var div = $$('div.director', sec).filter(function (x) {
                        return x.getAttribute('data-director') === d.name;
                    })[0];
                    if (!div)
                        return;
                    setAttr(div, 'data-reachable', d.reachable ? 'true' : 'false');
                    setText($('.reach', div), d.reachable ? 'reachable' : 'unreachable');
                    var rows = (d.dests || []).map(function (x) {
                        return el('tr', null, el('td', null, x.address), el('td', null, x.node ? nodeLink(x.node) : '-'),
                                  el('td', { class: 'num' }, x.weight), el('td', { class: 'num' }, x.connections));
                    });
                    replaceRows($('table.dests tbody', div), rows);
                });
            });
        });
    }

    /* Replaces TBODY's rows with ROWS when they differ (links keep their focus otherwise). */
    function replaceRows(tbody, rows) {
        if (!tbody)
            return;
        var now = $$('tr', tbody).map(function (r) { return r.outerHTML; }).join('');
        if (now === rows.map(function (r) { return r.outerHTML; }).join(''))
            return;
        while (tbody.firstChild)
            tbody.removeChild(tbody.firstChild);
        rows.forEach(function (r) { tbody.appendChild(r); });
    }

    /* --- a node's page ---------------------------------------------------------------- */

    var nodeName = null;

    function nodeField(n, k) {
        switch (k) {
        case 'address': return n.address + ':' + n.port;
        case 'load': return [n.load1, n.load5, n.load15].map(function (v) { return Number(v).toFixed(2); }).join(' ');
        case 'cpu': return Number(n.cpu).toFixed(2);
        case 'memory': return n.memavail_kb + ' kB available of ' + n.memtotal_kb + ' kB';
        case 'last_seen': return n.last_seen || 'never';
        default:
            return n[k] === null || n[k] === undefined || n[k] === '' ? '-' : n[k];
        }
    }

    function refreshNode() {
        return api('GET', '/api/v1/nodes/' + encodeURIComponent(nodeName)).then(function (r) {
            if (r.status === 404) {
                setText($('#node-state'), 'gone');
                return;
            }
            if (r.status !== 200 || !r.json)
                throw new Error('node');
            var n = r.json, badge = $('#node-state');
            if (badge) {
                setText(badge, n.state);
                setAttr(badge, 'data-state', n.state);
                setAttr(badge, 'class', 'badge state-' + n.state);
            }
            $$('#agent td[data-field], #kernels td[data-field]').forEach(function (td) {
                setText(td, nodeField(n, td.getAttribute('data-field')));
            });
            (n.apps || []).forEach(function (a) {
                var tr = $$('#apps tr[data-app]').filter(function (x) { return x.getAttribute('data-app') === a.name; })[0];
                if (!tr)
                    return;
                var oper = a.oper_name || String(a.oper);
                setAttr(tr, 'data-oper', oper);
                setAttr(tr, 'class', 'app-' + oper);
                setText($('[data-field=oper]', tr), oper);
                setText($('[data-field=admin]', tr), a.admin_name || String(a.admin));
                setText($('[data-field=established]', tr), a.established);
                setText($('[data-field=synrecv]', tr), a.synrecv);
            });
        });
    }

    function refreshJobs() {
        var tbody = $('#jobs tbody');
        if (!tbody || !nodeName)
            return Promise.resolve();
        return api('GET', '/api/v1/jobs?node=' + encodeURIComponent(nodeName)).then(function (r) {
            var list = r.json && (Array.isArray(r.json) ? r.json : r.json.jobs);
            if (r.status !== 200 || !Array.isArray(list))
                return;
            var rows = list.map(function (j) {
                var msg = el('td', null, j.result === 'failed' ? failureText(j) : (j.message || ''));
                if (j.output)
                    msg.appendChild(el('details', null, el('summary', null, 'output'), el('pre', null, j.output)));
                return el('tr', { 'data-job': j.job, 'data-result': j.result, class: 'result-' + j.result },
                          el('td', null, el('button', { type: 'button', 'data-follow': j.job }, String(j.job))),
                          el('td', null, j.operation), el('td', null, j.phase), el('td', null, j.result), msg);
            });
            replaceRows(tbody, rows);
        });
    }

    function setupNode() {
        nodeName = document.body.getAttribute('data-node');
        var q = function (what) { return what + ' ' + nodeName + '?'; };
        var base = '/api/v1/nodes/' + encodeURIComponent(nodeName);
        $$('button[data-op]').forEach(function (b) {
            b.addEventListener('click', function () {
                var op = b.getAttribute('data-op');
                if (op === 'kernel') {
                    var rel = $('#kernel-release').value.trim();
                    if (!rel) {
                        $('#kernel-release').focus();
                        return;
                    }
                    operate('Boot ' + nodeName + ' into kernel ' + rel + ' next time?', base + '/kernel', { release: rel });
                } else if (op === 'packages') {
                    var act = $('#pkg-action').value, pk = $('#pkg-names').value.trim().replace(/\s+/g, ' ');
                    if (!pk) {                  /* every action names its packages (lamonctl op NODE pkg ACTION PKG...) */
                        $('#pkg-names').focus();
                        return;
                    }
                    operate('Packages on ' + nodeName + ': ' + act + ' ' + pk + '?', base + '/packages',
                            { action: act, packages: pk });
                } else {
                    var words = { drain: 'Drain', undrain: 'Undrain', reboot: 'Reboot', shutdown: 'Shut down' };
                    operate(q(words[op] || op), base + '/' + op);
                }
            });
        });
        $$('button[data-app-op]').forEach(function (b) {
            b.addEventListener('click', function () {
                var op = b.getAttribute('data-app-op'), app = b.getAttribute('data-app');
                operate(op.charAt(0).toUpperCase() + op.slice(1) + ' ' + app + ' on ' + nodeName + '?',
                        base + '/apps/' + encodeURIComponent(app) + '/' + op);
            });
        });
        var jobs = $('#jobs');
        if (jobs) {
            jobs.addEventListener('click', function (ev) {
                var t = ev.target.closest('button[data-follow]');
                if (t)
                    followJob(Number(t.getAttribute('data-follow')));
            });
        }
        var period = $('#period');
        /* A graph that failed (a 503 while the controller draws many, a
         * dropped connection) is asked for again GRAPH_TRIES times,
         * GRAPH_RETRY_MS apart; data-tries counts them.  A new src (the
         * period, the refresh) starts the count again. */
        var GRAPH_TRIES = 3, GRAPH_RETRY_MS = 2000;
        function showGraph(img, src) {
            img.setAttribute('data-tries', '0');
            img.src = src;
        }
        function graphs(bust) {
            $$('img[data-graph]').forEach(function (img) {
                showGraph(img, img.getAttribute('data-graph') + '?period=' + encodeURIComponent(period.value)
                    + (bust ? '&t=' + Date.now() : ''));
            });
        }
        if (period) {
            period.addEventListener('change', function () { graphs(false); });
            setInterval(function () { if (!document.hidden) graphs(true); }, 60000);
        }
        function graphFailed(img) {
            img.classList.add('missing');
            var tries = Number(img.getAttribute('data-tries') || 0), failed = img.src;
            if (tries >= GRAPH_TRIES)
                return;
            setTimeout(function () {
                if (img.src !== failed)
                    return;                  /* replaced meanwhile: that one counts afresh */
                img.setAttribute('data-tries', String(tries + 1));
                img.src = /[?&]try=/.test(failed) ? failed.replace(/([?&])try=\d+/, '$1try=' + (tries + 1))
                    : failed + (failed.indexOf('?') < 0 ? '?' : '&') + 'try=' + (tries + 1);
            }, GRAPH_RETRY_MS);
        }
        $$('img[data-graph]').forEach(function (img) {
            img.addEventListener('error', function () { graphFailed(img); });
            img.addEventListener('load', function () { img.classList.remove('missing'); });
            if (img.complete && img.getAttribute('src') && !img.naturalWidth)
                graphFailed(img);            /* failed before this deferred script ran */
        });
        var n = 0;
        every(function () {
            return refreshNode().then(function () { return n++ % 2 ? null : refreshJobs(); });
        });
    }

    /* --- the log ---------------------------------------------------------------------- */

    function refreshLog() {
        var ol = $('#log');
        var since = ol.getAttribute('data-next') || '0';
        return api('GET', '/api/v1/log?since=' + encodeURIComponent(since)).then(function (r) {
            if (r.status !== 200 || !r.json || !Array.isArray(r.json.log))
                throw new Error('log');
            /* Another run of the controller: its lines are numbered from 0
             * again, so the page starts over from its first line. */
            var run = String(r.json.run);
            if (ol.getAttribute('data-run') && ol.getAttribute('data-run') !== run) {
                setAttr(ol, 'data-run', run);
                setAttr(ol, 'data-next', '0');
                ol.appendChild(el('li', { 'class': 'restart' }, '(the controller restarted)'));
                return null;
            }
            setAttr(ol, 'data-run', run);
            r.json.log.forEach(function (line) { ol.appendChild(el('li', null, line)); });
            while (ol.children.length > LOG_KEEP)
                ol.removeChild(ol.firstChild);
            setAttr(ol, 'data-next', r.json.next);
            var f = $('#follow');
            if (r.json.log.length && f && f.checked)
                window.scrollTo(0, document.body.scrollHeight);
        });
    }

    /* --- start ------------------------------------------------------------------------- */

    function start() {
        setupLogin();
        loadSession();
        var close = $('#job-close');
        if (close) {
            close.addEventListener('click', function () {
                if (followed.timer)
                    clearTimeout(followed.timer);
                followed = { id: null, timer: null, progress: [] };
                $('#job').hidden = true;
            });
        }
        switch (document.body.getAttribute('data-page')) {
        case 'overview': setupOverview(); break;
        case 'services': every(refreshServices); break;
        case 'node': setupNode(); break;
        case 'log': every(refreshLog); break;
        default: break;
        }
    }

    if (document.readyState === 'loading')
        document.addEventListener('DOMContentLoaded', start);
    else
        start();
}());
