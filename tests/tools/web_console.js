#!/usr/bin/env node
// The web console in a real browser: Debian's chromium, headless, driven by
// puppeteer-core (which never downloads a browser).  tests/vm/t_web_console.sh
// runs it against the demo cluster; it speaks only the DOM contract of the
// pages (listed at the top of web/lamon.js).
//
//   web_console.js live  --url U --nodes n1,n2,.. --victim N --spare S --kill PID,PID,.. --shots DIR [--docs PNG]
//       the overview lists exactly these nodes; after SIGKILL to the victim's
//       processes its row turns red (down) and the spare's row becomes a
//       server, with no reload of the page; --docs: also the README's
//       picture of it (docs/web-console.png), 900 pixels wide, cut below the table
//   web_console.js drain --url U --user U --password P --node N --service S --mention W1,W2 --shots DIR
//       a wrong password is refused; the login form opens a session;
//       Cancel in the confirmation starts nothing; OK starts a drain whose
//       job is followed on the page until it ends "ok"; the overview then
//       shows the node in maintenance; screenshots of the node, services and
//       log pages (the log shows each of the comma-separated
//       words of --mention)
//
// Output, one line each, for the shell to turn into TAP:
//   PASS what     FAIL what: why     SHOT path     NOTE text
// Exits 1 after the first failure (the later steps depend on it).
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const PUPPETEER = process.env.PUPPETEER_CORE || path.join(ROOT, '.deps', 'npm', 'node_modules', 'puppeteer-core');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Bounds of every wait on the page, in ms: generous, since the demo's
// director is a TCG guest on a shared machine; none of them is a timing
// assertion, only a limit on how long to wait for the right DOM.
const T_LOAD = 30000;
const T_DOWN = 60000;       // heartbeats stop: the victim's row turns down
const T_PROMOTE = 180000;   // the spare's application starts, IPVS add
const T_JOB = 240000;       // the drain: weight 0, connections to 0, removal
const T_STATE = 120000;

class Stop extends Error {}

function parseArgs(argv) {
    const mode = argv[0];
    const opt = {};
    for (let i = 1; i < argv.length; i += 2) {
        if (!argv[i].startsWith('--') || i + 1 >= argv.length)
            usage(`bad argument '${argv[i]}'`);
        opt[argv[i].slice(2)] = argv[i + 1];
    }
    return { mode, opt };
}

function usage(msg) {
    process.stderr.write(`web_console.js: ${msg}\n` +
        'usage: web_console.js live|drain --url URL [--name value ...] (see the comment at the top)\n');
    process.exit(2);
}

function need(opt, ...names) {
    for (const n of names)
        if (opt[n] === undefined || opt[n] === '')
            usage(`--${n} is needed`);
}

const say = (kind, text) => console.log(`${kind} ${String(text).replace(/\s*\n\s*/g, ' | ')}`);

// A run: one browser, one page, the checks in order.
class Run {
    constructor(opt) {
        this.opt = opt;
        this.base = opt.url.endsWith('/') ? opt.url : opt.url + '/';
        this.shots = opt.shots;
        this.pageErrors = [];
    }

    async start() {
        let puppeteer;
        try {
            puppeteer = require(PUPPETEER);
        } catch (e) {
            throw new Error(`cannot load puppeteer-core from ${PUPPETEER} (make deps): ${e.message}`);
        }
        this.browser = await puppeteer.launch({
            executablePath: CHROMIUM,
            headless: true,
            // Root in a container: no sandbox; no GPU, fixed size for the screenshots.
            args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,900'],
        });
        this.page = await this.browser.newPage();
        await this.page.setViewport({ width: 1280, height: 900 });
        this.page.setDefaultTimeout(T_LOAD);
        this.page.on('pageerror', (e) => this.pageErrors.push(`${this.page.url()}: ${e.message}`));
        this.page.on('console', (m) => {
            if (m.type() === 'error') {
                const where = m.location() && m.location().url ? ` (${m.location().url})` : '';
                say('NOTE', `console error on ${this.page.url()}: ${m.text()}${where}`);
            }
        });
        this.page.on('dialog', (d) => {   // window.confirm/alert would hang the page: refuse and say so
            say('NOTE', `a native ${d.type()} dialog appeared ("${d.message()}"); the contract wants dialog#confirm`);
            d.dismiss().catch(() => {});
        });
    }

    async step(what, fn) {
        let detail;
        try {
            detail = await fn();
        } catch (e) {
            say('FAIL', `${what}: ${e.message}`);
            await this.shot(`failure-${this.opt.mode || 'run'}`).catch(() => {});
            throw new Stop();
        }
        say('PASS', detail ? `${what} (${detail})` : what);
    }

    async goto(rel) {
        const url = new URL(rel, this.base).href;
        const r = await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: T_LOAD });
        if (!r || r.status() !== 200)
            throw new Error(`GET ${url} answered ${r ? r.status() : 'nothing'}`);
        return r;
    }

    async shot(name) {
        fs.mkdirSync(this.shots, { recursive: true });
        const file = path.join(this.shots, `${name}.png`);
        await this.page.screenshot({ path: file, fullPage: true });
        say('SHOT', file);
        return file;
    }

    // What the page's own origin says about the session (GET /api/v1/session).
    async session() {
        return this.page.evaluate(async () => {
            const r = await fetch('/api/v1/session', { credentials: 'same-origin' });
            return r.ok ? r.json() : { status: r.status };
        });
    }

    async json(rel) {
        return this.page.evaluate(async (u) => {
            const r = await fetch(u, { credentials: 'same-origin' });
            return { status: r.status, body: await r.json().catch(() => null) };
        }, rel);
    }

    async stop() {
        if (this.browser)
            await this.browser.close().catch(() => {});
    }
}

// The rows of table#nodes as {name, state, role, cls, visible}.
function rowsOf(page) {
    return page.$$eval('table#nodes tr[data-node]', (trs) => trs.map((tr) => ({
        name: tr.dataset.node, state: tr.dataset.state, role: tr.dataset.role, cls: tr.className,
        visible: !!(tr.offsetWidth || tr.offsetHeight || tr.getClientRects().length),
    })));
}

// The colours the row shows (background and text of the row and its cells,
// and a left border if any), and whether one of them is a red.
function rowColours(page, name) {
    return page.evaluate((n) => {
        const tr = document.querySelector(`table#nodes tr[data-node="${CSS.escape(n)}"]`);
        if (!tr)
            return { found: false, red: false, colours: [] };
        const parse = (c) => {
            const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
            return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
        };
        // Red: the red channel clearly above green and blue, which are close
        // to each other (this takes #c00, #fdd or #f8d7da, not orange or magenta).
        const isRed = (c) => c && c.a > 0.2 && c.r >= c.g + 30 && c.r >= c.b + 30 && Math.abs(c.g - c.b) <= 60;
        const colours = [];
        for (const el of [tr, ...tr.querySelectorAll('td, th')]) {
            const s = getComputedStyle(el);
            for (const c of [s.backgroundColor, s.color, s.borderLeftColor])
                if (!colours.includes(c))
                    colours.push(c);
        }
        return { found: true, red: colours.some((c) => isRed(parse(c))), colours };
    }, name);
}

async function live(run) {
    const o = run.opt;
    need(o, 'nodes', 'victim', 'spare', 'kill');
    const nodes = o.nodes.split(',').filter(Boolean).sort();
    const page = run.page;

    await run.step('the overview (/) loads with table#nodes and p#counters', async () => {
        await run.goto('/');
        await page.waitForSelector('table#nodes tr[data-node]', { timeout: T_LOAD });
        const counters = await page.$eval('p#counters', (p) => p.textContent.trim()).catch(() => null);
        if (counters === null)
            throw new Error('no p#counters');
        if (!counters)
            throw new Error('p#counters is empty');
        return `counters: ${counters}`;
    });
    await run.step(`the overview shows every node (${nodes.join(' ')})`, async () => {
        const rows = await rowsOf(page);
        const names = rows.map((r) => r.name).sort();
        if (JSON.stringify(names) !== JSON.stringify(nodes))
            throw new Error(`rows are [${names.join(' ')}], lamonctl status has [${nodes.join(' ')}]`);
        const bad = rows.filter((r) => !r.state || !r.role || !r.cls.split(/\s+/).includes(`state-${r.state}`));
        if (bad.length)
            throw new Error(`rows without data-state/data-role/class state-STATE: ${JSON.stringify(bad)}`);
        return rows.map((r) => `${r.name}=${r.role}/${r.state}`).join(' ');
    });
    await run.step(`before the kill: ${o.victim} is an up server and ${o.spare} a spare`, async () => {
        const rows = await rowsOf(page);
        const v = rows.find((r) => r.name === o.victim), s = rows.find((r) => r.name === o.spare);
        if (!v || v.role !== 'server' || v.state !== 'up')
            throw new Error(`${o.victim}'s row: ${JSON.stringify(v)}`);
        if (!s || s.role !== 'spare')
            throw new Error(`${o.spare}'s row: ${JSON.stringify(s)}`);
    });

    // A reload or a navigation would lose this marker and fire framenavigated.
    let navigations = 0;
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
    await page.evaluate(() => { window.__lamonNoReload = 'still here'; });

    await run.step(`SIGKILL to ${o.victim}'s snmpd, agent and web server (${o.kill})`, async () => {
        for (const p of o.kill.split(/[ ,]+/).filter(Boolean))
            process.kill(Number(p), 'SIGKILL');
    });
    await run.step(`${o.victim}'s row turns down (data-state, class state-down)`, async () => {
        await page.waitForFunction((n) => {
            const tr = document.querySelector(`table#nodes tr[data-node="${CSS.escape(n)}"]`);
            return tr && tr.dataset.state === 'down' && tr.classList.contains('state-down');
        }, { timeout: T_DOWN, polling: 250 }, o.victim).catch(async (e) => {
            const v = (await rowsOf(page)).find((r) => r.name === o.victim);
            throw new Error(`${e.message}; the row is ${JSON.stringify(v)}`);
        });
    });
    await run.step(`${o.victim}'s row is red`, async () => {
        const c = await rowColours(page, o.victim);
        if (!c.red)
            throw new Error(`no red among its colours ${c.colours.join(', ')}`);
        return c.colours.join(', ');
    });
    await run.step(`${o.spare}'s row becomes an up server`, async () => {
        await page.waitForFunction((n) => {
            const tr = document.querySelector(`table#nodes tr[data-node="${CSS.escape(n)}"]`);
            return tr && tr.dataset.role === 'server' && tr.dataset.state === 'up';
        }, { timeout: T_PROMOTE, polling: 250 }, o.spare).catch(async (e) => {
            const s = (await rowsOf(page)).find((r) => r.name === o.spare);
            throw new Error(`${e.message}; the row is ${JSON.stringify(s)}`);
        });
    });
    await run.step('the rows changed without a reload of the page', async () => {
        const marker = await page.evaluate(() => window.__lamonNoReload);
        if (marker !== 'still here' || navigations !== 0)
            throw new Error(`marker ${JSON.stringify(marker)}, ${navigations} navigations`);
    });
    await run.shot('overview');
    if (o.docs) {
        // Narrower, and only down to the table: the README shows it small.
        await page.setViewport({ width: 900, height: 900 });
        const bottom = await page.$eval('table#nodes', (t) => t.getBoundingClientRect().bottom + window.scrollY);
        await page.screenshot({ path: o.docs, clip: { x: 0, y: 0, width: 900, height: Math.ceil(bottom) + 24 } });
        say('SHOT', o.docs);
        await page.setViewport({ width: 1280, height: 900 });
    }
    await run.step(`input#filter keeps only ${o.victim}'s row`, async () => {
        await page.type('input#filter', o.victim);
        await page.waitForFunction((n) => {
            const trs = [...document.querySelectorAll('table#nodes tr[data-node]')];
            const vis = (tr) => !!(tr.offsetWidth || tr.offsetHeight || tr.getClientRects().length);
            return trs.every((tr) => vis(tr) === (tr.dataset.node === n));
        }, { timeout: 5000, polling: 100 }, o.victim).catch(async (e) => {
            const rows = (await rowsOf(page)).filter((r) => r.visible).map((r) => r.name);
            throw new Error(`${e.message}; visible: ${rows.join(' ')}`);
        });
        await page.$eval('input#filter', (i) => { i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true })); });
    });
    await run.step('a sortable column header (th[data-sort]) reorders the rows', async () => {
        const ths = await page.$$('table#nodes th[data-sort]');
        if (!ths.length)
            throw new Error('no th[data-sort]');
        const before = (await rowsOf(page)).map((r) => r.name).join(' ');
        // Sorting by name twice gives both orders: one of them differs from now.
        const th = (await page.$('table#nodes th[data-sort="name"], table#nodes th[data-sort="node"]')) || ths[0];
        const seen = new Set([before]);
        for (let i = 0; i < 2; i++) {
            await th.click();
            seen.add((await rowsOf(page)).map((r) => r.name).join(' '));
        }
        if (seen.size < 2)
            throw new Error(`two clicks left the order at ${before}`);
        return [...seen].slice(1).join(' / ');
    });
}

// Shows form#login: it is there when there is no session, possibly behind a
// link or button ("Log in") present on every page.
async function openLogin(run) {
    const page = run.page;
    const visible = async () => page.$eval('form#login', (f) =>
        !!(f.offsetWidth || f.offsetHeight || f.getClientRects().length)).catch(() => false);
    if (await visible())
        return;
    const opener = await page.evaluateHandle(() => {
        const vis = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
        const sel = '[data-login], #login-link, #login-open, #login-button, a[href="#login"], a[href="/login"]';
        for (const e of document.querySelectorAll(sel))
            if (vis(e) && !e.closest('form#login'))
                return e;
        for (const e of document.querySelectorAll('a, button'))
            if (vis(e) && /^\s*log\s*-?in\b/i.test(e.textContent) && !e.closest('form#login'))
                return e;
        return null;
    });
    const el = opener.asElement();
    if (!el)
        throw new Error('form#login is not shown and no "Log in" link or button was found');
    await el.click();
    await page.waitForFunction(() => {
        const f = document.querySelector('form#login');
        return f && !!(f.offsetWidth || f.offsetHeight || f.getClientRects().length);
    }, { timeout: 5000 });
}

async function login(run, user, password) {
    const page = run.page;
    await openLogin(run);
    const u = await page.$('form#login input[name=user]');
    const p = await page.$('form#login input[name=password]');
    if (!u || !p)
        throw new Error('form#login has no input[name=user] and input[name=password]');
    await u.click({ clickCount: 3 });
    await u.type(user);
    await p.click({ clickCount: 3 });
    await p.type(password);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/login') && r.request().method() === 'POST',
                                        { timeout: T_LOAD });
    await p.press('Enter');
    return (await answer).status();
}

async function drain(run) {
    const o = run.opt;
    need(o, 'user', 'password', 'node', 'service', 'mention');
    const page = run.page;
    const node = o.node;
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname); });

    await run.step(`the node page /nodes/${node} shows its application and a drain button`, async () => {
        await run.goto(`/nodes/${encodeURIComponent(node)}`);
        await page.waitForSelector('tr[data-app="web"]', { timeout: T_LOAD });
        await page.waitForSelector('button[data-op="drain"]', { timeout: T_LOAD });
    });
    await run.step('no session before the login', async () => {
        const s = await run.session();
        if (s.user)
            throw new Error(`GET /api/v1/session says ${JSON.stringify(s)}`);
    });
    await run.step('a wrong password is refused (401) and opens no session', async () => {
        const code = await login(run, o.user, `${o.password}-wrong`);
        if (code !== 401)
            throw new Error(`POST /api/v1/login answered ${code}`);
        const s = await run.session();
        if (s.user)
            throw new Error(`GET /api/v1/session says ${JSON.stringify(s)}`);
    });
    await run.step(`logging in as ${o.user} from form#login opens a session`, async () => {
        const code = await login(run, o.user, o.password);
        if (code !== 200)
            throw new Error(`POST /api/v1/login answered ${code}`);
        await page.waitForFunction(async (u) => {
            const r = await fetch('/api/v1/session', { credentials: 'same-origin' });
            return r.ok && (await r.json()).user === u;
        }, { timeout: 10000, polling: 250 }, o.user);
    });
    const jobsBefore = await run.json(`/api/v1/jobs?node=${encodeURIComponent(node)}`);

    const openConfirm = async () => {
        await page.click('button[data-op="drain"]');
        await page.waitForFunction(() => {
            const d = document.querySelector('dialog#confirm');
            return d && d.open;
        }, { timeout: 5000 });
    };
    await run.step('drain asks for confirmation; Cancel starts nothing', async () => {
        await openConfirm();
        await page.click('dialog#confirm button#confirm-cancel');
        await page.waitForFunction(() => !document.querySelector('dialog#confirm').open, { timeout: 5000 });
        const jobs = await run.json(`/api/v1/jobs?node=${encodeURIComponent(node)}`);
        const sent = posts.filter((p) => p.endsWith('/drain'));
        if (sent.length)
            throw new Error(`POSTs were sent: ${sent.join(' ')}`);
        if (JSON.stringify(jobs.body) !== JSON.stringify(jobsBefore.body))
            throw new Error(`jobs changed: ${JSON.stringify(jobsBefore.body)} -> ${JSON.stringify(jobs.body)}`);
    });
    let job;
    await run.step('drain, then OK in the confirmation, starts a job (202) that the page follows', async () => {
        await openConfirm();
        const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
            new URL(r.url()).pathname === `/api/v1/nodes/${encodeURIComponent(node)}/drain`, { timeout: T_LOAD });
        await page.click('dialog#confirm button#confirm-ok');
        const r = await answer;
        const body = await r.json().catch(() => null);
        if (r.status() !== 202 || !body || !body.job)
            throw new Error(`POST answered ${r.status()} ${JSON.stringify(body)}`);
        job = String(body.job);
        await page.waitForFunction((n) => {
            const j = document.querySelector('#job');
            return j && j.dataset.job === n;
        }, { timeout: 10000 }, job).catch(async (e) => {
            const j = await page.$eval('#job', (x) => x.outerHTML.slice(0, 300)).catch(() => 'no #job');
            throw new Error(`${e.message}; ${j}`);
        });
        return `job ${job}, ${body.href}`;
    });
    await run.step('the job ends "ok" on the page (#job data-result)', async () => {
        await page.waitForFunction(() => {
            const j = document.querySelector('#job');
            return j && j.dataset.result && j.dataset.result !== 'pending';
        }, { timeout: T_JOB, polling: 250 });
        const j = await page.evaluate(() => ({
            result: document.querySelector('#job').dataset.result,
            steps: (document.querySelector('#job-steps') || {}).innerText || '',
            message: (document.querySelector('#job-message') || {}).innerText || '',
        }));
        for (const line of j.steps.split('\n').filter((l) => l.trim()))
            say('NOTE', `#job-steps: ${line}`);
        if (j.result !== 'ok')
            throw new Error(`data-result="${j.result}", #job-message: ${j.message}`);
        if (!j.steps.trim())
            throw new Error('#job-steps is empty');
    });
    await run.step(`/api/v1/jobs/${job} is the drain of ${node}, result ok`, async () => {
        const r = await run.json(`/api/v1/jobs/${job}`);
        const b = r.body || {};
        if (r.status !== 200 || b.node !== node || b.operation !== 'drain' || b.result !== 'ok')
            throw new Error(`${r.status} ${JSON.stringify(b).slice(0, 400)}`);
    });
    await run.shot('node');

    await run.step(`the overview shows ${node} in maintenance`, async () => {
        await run.goto('/');
        await page.waitForFunction((n) => {
            const tr = document.querySelector(`table#nodes tr[data-node="${CSS.escape(n)}"]`);
            return tr && tr.dataset.state === 'maintenance';
        }, { timeout: T_STATE, polling: 250 }, node).catch(async (e) => {
            const v = (await rowsOf(page)).find((r) => r.name === node);
            throw new Error(`${e.message}; the row is ${JSON.stringify(v)}`);
        });
    });
    await run.step(`the services page shows section.service[data-service=${o.service}]`, async () => {
        await run.goto('/services');
        await page.waitForSelector(`section.service[data-service="${o.service}"]`, { timeout: T_LOAD });
    });
    await run.shot('services');
    await run.step(`the log page (/log) shows the controller's decisions about ${o.mention}`, async () => {
        await run.goto('/log');
        const words = o.mention.split(',').filter(Boolean);
        await page.waitForFunction((ws) => ws.every((w) => document.body.innerText.includes(w)),
                                   { timeout: T_LOAD, polling: 250 }, words).catch((e) => {
            throw new Error(`${e.message}; the page does not show all of: ${words.join(', ')}`);
        });
    });
    await run.shot('log');
}

async function main() {
    const { mode, opt } = parseArgs(process.argv.slice(2));
    const modes = { live, drain };
    if (!modes[mode])
        usage(`unknown mode '${mode}'`);
    need(opt, 'url', 'shots');
    opt.mode = mode;
    const run = new Run(opt);
    let failed = false;
    try {
        await run.start();
        await modes[mode](run);
        await run.step('no uncaught script error on the pages', async () => {
            if (run.pageErrors.length)
                throw new Error(run.pageErrors.join('; '));
        });
    } catch (e) {
        failed = true;
        if (!(e instanceof Stop))
            say('FAIL', `web_console.js ${mode}: ${e.stack || e.message}`);
    } finally {
        await run.stop();
    }
    process.exit(failed ? 1 : 0);
}

main();
