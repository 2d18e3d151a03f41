// tests/console/console_browser_test.js: the web console (http/console/) in a real browser.
//
// Starts a real `slipwayd --sandbox` (its own cloud emulator) with tokens of every role, prepares
// workflows over the API (a deployment to watch, one waiting for approval, one whose build
// fails, hostile text in site data and in a build error), then drives Debian's chromium,
// headless, with puppeteer-core (pinned in tools/node) through the console:
//   sign in -> list and filter (type, tenant, creation time) -> a queued deployment names the
//   one it waits behind, linked -> open a running deployment and watch it complete live ->
//   approve a waiting one as the approver (whose page has no cancel or resume) -> a failed
//   one's build errors -> verify a history's chain, then edit one stored event in the running
//   server's SQLite file (sqlite3 CLI) and see the chain flagged, restore it and see it verify,
//   delete the last stored event and see the cut flagged against the recorded head ->
//   hostile text in site data, a build error and a tenant name is shown as text, never run ->
//   stats.
// Screenshots of each page go to $SCREENSHOT_DIR. Exits 0 when every check passed.
//
// Environment: SLIPWAYD (the binary), SLIPWAY_NODE_MODULES (tools/node/node_modules),
// CHROMIUM (default /usr/bin/chromium), SCREENSHOT_DIR.
'use strict';

const { execFileSync, spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const puppeteer = require(path.join(process.env.SLIPWAY_NODE_MODULES, 'puppeteer-core'));

const SLIPWAYD = process.env.SLIPWAYD;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), 'slipway-console-shots');
const XSS_SITE = '<img src=x onerror="window.__xss=1">';
const XSS_BUILD = '<img src=x onerror=window.__xss=2>';
const XSS_TENANT = '<img src=x onerror=window.__xss=3>';

const started = Date.now();
let failures = 0;
function log(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
}
function check(cond, what) {
  if (cond) {
    log('ok   ' + what);
  } else {
    failures++;
    log('FAIL ' + what);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A POST to the emulator's admin API on a fresh connection (it does not keep connections).
function emulatorPost(base, p, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(base + p, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': data.length },
    }, (resp) => {
      resp.resume();
      resp.on('end', () => resolve(resp.statusCode));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// Runs SQL on the server's SQLite file with the sqlite3 CLI, while slipwayd has it open (WAL:
// another process may write; the busy timeout waits out slipwayd's own short transactions).
// Returns the output rows, fields separated by '|'.
function sqlite(db, sql) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, sql], { encoding: 'utf8' }).trim();
}

// ---- the server -------------------------------------------------------------------------

class Server {
  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-console-'));
    this.tokens = {};
    const entries = [];
    for (const [who, role] of [['approver', 'approver'], ['auditor', 'auditor'], ['bravo', 'tenant:bravo']]) {
      this.tokens[who] = crypto.randomBytes(24).toString('hex');
      entries.push({ name: who + '-token', role, token_sha256: crypto.createHash('sha256').update(this.tokens[who]).digest('hex') });
    }
    fs.writeFileSync(path.join(this.dir, 'tokens.json'), JSON.stringify(entries));
    const out = fs.openSync(path.join(this.dir, 'stdout'), 'w');
    const err = fs.openSync(path.join(this.dir, 'stderr'), 'w');
    this.proc = spawn(SLIPWAYD, ['--sandbox', '--state-dir', path.join(this.dir, 'state')], {
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME || '/root', SLIPWAY_LISTEN: '127.0.0.1:0',
        SLIPWAY_TOKENS: path.join(this.dir, 'tokens.json'), SLIPWAY_LIGHTHOUSE: 'off',
      },
      stdio: ['ignore', out, err],
    });
    this.exited = false;
    this.proc.on('exit', () => { this.exited = true; });
    for (let i = 0; i < 600 && !this.exited; i++) {
      const text = fs.readFileSync(path.join(this.dir, 'stdout'), 'utf8');
      const api = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      const emu = /emulator:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      const ops = /ops token: ([0-9a-f]{64})/.exec(text);
      if (api && emu && ops) {
        this.url = api[1];
        this.emulator = emu[1];
        this.tokens.ops = ops[1];
        return;
      }
      await sleep(100);
    }
    throw new Error('slipwayd printed no banner: ' + fs.readFileSync(path.join(this.dir, 'stderr'), 'utf8').slice(-2000));
  }

  async call(method, p, body, who = 'ops') {
    const resp = await fetch(this.url + p, {
      method,
      headers: { Authorization: 'Bearer ' + this.tokens[who], 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await resp.text();
    let json = null;
    try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
    return { status: resp.status, json, text };
  }

  async start_workflow(body) {
    const r = await this.call('POST', '/v1/workflows', body);
    if (r.status !== 201) throw new Error('start ' + JSON.stringify(body).slice(0, 200) + ' -> ' + r.status + ' ' + r.text);
    return r.json.id;
  }

  // Long-polls until `done(workflow)` or the time is up; returns the last workflow.
  async waitFor(id, done, limitMs) {
    const until = Date.now() + limitMs;
    let w = null;
    while (Date.now() < until) {
      const r = await this.call('GET', '/v1/workflows/' + encodeURIComponent(id) + (w ? '?wait=5' : ''));
      w = r.json;
      if (w && done(w)) return w;
    }
    throw new Error(id + ' did not get there in time: ' + JSON.stringify(w).slice(0, 600));
  }

  async stop() {
    if (this.proc && !this.exited) {
      this.proc.kill('SIGTERM');
      for (let i = 0; i < 50 && !this.exited; i++) await sleep(100);
      if (!this.exited) this.proc.kill('SIGKILL');
    }
  }
}

const FINAL = (w) => ['completed', 'failed', 'cancelled'].includes(w.status);

function site(name, extra) {
  return Object.assign({
    siteName: name, tagline: 'Hello', contactEmail: 'me@example.com',
    pages: [{ slug: 'index', title: 'Home', body: 'Welcome' }],
  }, extra || {});
}

// ---- the browser ------------------------------------------------------------------------

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
  log('screenshot ' + name + '.png');
}

async function signIn(page, server, who) {
  await page.goto(server.url + '/#/workflows', { waitUntil: 'load' });
  await page.evaluate(() => sessionStorage.clear());
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('#token');
  await page.type('#token', server.tokens[who]);
  await page.click('#login-submit');
  await page.waitForFunction(() => document.getElementById('whoami').textContent !== '');
}

async function text(page, selector) {
  return page.$eval(selector, (e) => e.textContent);
}

async function noXss(page, where) {
  const state = await page.evaluate(() => ({
    xss: window.__xss,
    // Markup from data would show as elements even where the CSP stops its handlers.
    imgs: document.querySelectorAll('main img').length,
  }));
  check(state.xss === undefined && state.imgs === 0, where + ': no payload ran and none became markup');
}

async function main() {
  const server = new Server();
  let browser = null;
  let page = null;
  try {
    await server.start();
    log('slipwayd at ' + server.url);

    // Three tenants: acme (a deployment to watch), bravo (one that waits for approval),
    // charlie (one whose build fails; its site data and build error carry payloads).
    const onboardings = await Promise.all(['acme', 'bravo', 'charlie'].map((t) => server.start_workflow({
      type: 'onboarding', tenant: t, input: { email: 'owner@' + t + '.test' },
    })));
    const onboarded = await Promise.all(onboardings.map((id) => server.waitFor(id, FINAL, 90000)));
    for (const w of onboarded) check(w.status === 'completed', 'onboarding ' + w.id + ' completed');
    log('onboarded');
    // Every workflow so far was created before `mid`; every later one at or after it.
    await sleep(20);
    const mid = new Date().toISOString();
    await sleep(20);
    const repo = (w) => (w.result && w.result.repository && (w.result.repository.full_name || w.result.repository.repo)) || '';
    const charlieRepo = repo(onboarded[2]);
    // A human pushes a build.ts that imports a module named like markup: tsc's error message
    // (parsed into the build errors) then carries it; the emulated model has no fix for it.
    const unfixable = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'site-variants', 'unfixable', 'src', 'build.ts'), 'utf8')
      .replace('./sitemap', './' + XSS_BUILD);
    const push = await emulatorPost(server.emulator, '/_admin/github/push',
      { repo: charlieRepo, branch: 'main', files: { 'src/build.ts': unfixable }, message: 'break the build', pusher: 'human' });
    check(push === 200, 'pushed a broken build.ts to ' + charlieRepo + ' (HTTP ' + push + ')');

    const approvalId = await server.start_workflow({
      type: 'deployment', tenant: 'bravo', id: 'needs-approval',
      input: { website_data: site('Bravo'), require_approval: true },
    });
    // Bravo's next deployment waits behind the one waiting for approval (one per tenant).
    const behindId = await server.start_workflow({
      type: 'deployment', tenant: 'bravo', id: 'queued-next', input: { website_data: site('Bravo next') },
    });
    const failingId = await server.start_workflow({
      type: 'deployment', tenant: 'charlie', id: 'broken-build',
      input: {
        website_data: site(XSS_SITE, {
          tagline: XSS_SITE + ' Café ☕ 🚀 \u2028 "quoted" \\ back\tslash',
          pages: [{ slug: 'index', title: XSS_SITE, body: XSS_SITE + ' ünïcödé 日本語' }],
        }),
      },
    });

    browser = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      defaultViewport: { width: 1280, height: 900 },
    });
    page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon|404/.test(m.text())) problems.push('console: ' + m.text());
    });
    page.on('dialog', (d) => { problems.push('dialog: ' + d.message()); d.dismiss(); });

    // Sign in as ops; the list.
    await page.goto(server.url + '/', { waitUntil: 'load' });
    await page.waitForSelector('#token');
    await shot(page, '01-login');
    await signIn(page, server, 'ops');
    await page.waitForSelector('#workflow-rows tr[data-id]');
    check((await text(page, '#whoami')) === 'ops:sandbox', 'signed in as ops:sandbox');
    check((await page.$$('#workflow-rows tr[data-id]')).length >= 5, 'the list shows the workflows');
    await shot(page, '02-workflows');
    // Filters: deployments of charlie only.
    await page.select('#filter-type', 'deployment');
    await page.type('#filter-tenant', 'charlie');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('tenant=charlie'));
    // (The push above also started a deployment of its own, through the webhook.)
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('#workflow-rows tr[data-id]'));
      return rows.some((r) => r.dataset.id === 'charlie:broken-build') &&
        rows.every((r) => r.children[1].textContent === 'deployment' && r.children[2].textContent === 'charlie');
    }, { timeout: 10000 });
    check(true, "filtering by type and tenant shows only charlie's deployments");
    await shot(page, '03-workflows-filtered');

    // The creation window: typed into the filters, sent as created_after / created_before.
    const all = await server.call('GET', '/v1/workflows?limit=500');
    const before = all.json.workflows.filter((w) => w.created_at < mid).map((w) => w.id).sort();
    check(onboardings.every((id) => before.includes(id)) && !before.includes(approvalId),
      'the API lists the onboardings, and not the deployments, as created before ' + mid);
    const listed = () => page.$$eval('#workflow-rows tr[data-id]', (trs) => trs.map((t) => t.dataset.id));
    const clearFilters = async () => {
      await page.select('#filter-type', '');
      for (const id of ['#filter-tenant', '#filter-from', '#filter-to']) await page.$eval(id, (e) => { e.value = ''; });
    };
    await clearFilters();
    await page.type('#filter-to', mid);
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('created_before='));
    await page.waitForFunction((n) => document.querySelectorAll('#workflow-rows tr[data-id]').length === n &&
      !document.querySelector('#workflow-rows tr[data-id$=":needs-approval"]'), { timeout: 10000 }, before.length);
    const shownBefore = (await listed()).sort();
    check(JSON.stringify(shownBefore) === JSON.stringify(before),
      'created before ' + mid + ': exactly the workflows created earlier (' + shownBefore.join(', ') + ')');
    await shot(page, '03b-workflows-created-before');
    await clearFilters();
    await page.type('#filter-from', mid);
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('created_after=') && !location.hash.includes('created_before='));
    await page.waitForSelector('#workflow-rows tr[data-id="' + approvalId + '"]', { timeout: 10000 });
    const shownAfter = await listed();
    const createdCells = await page.$$eval('#workflow-rows tr[data-id] td:nth-child(7)', (tds) => tds.map((t) => t.textContent));
    check(shownAfter.includes(failingId) && shownAfter.includes(behindId) && !shownAfter.some((id) => before.includes(id)) &&
      createdCells.every((c) => c >= mid), 'created from ' + mid + ': the deployments, none of the onboardings (' + shownAfter.join(', ') + ')');
    await shot(page, '03c-workflows-created-after');
    await clearFilters();
    await page.type('#filter-from', 'yesterday');
    const problemsBefore = problems.length;
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => /^Error: /.test(document.getElementById('list-more').textContent));
    const refused = await text(page, '#list-more');
    check(/created_after/.test(refused), 'a malformed time is refused, naming the field: ' + refused);
    // Chromium logs the refused request itself as a console error: expected here, only here.
    await sleep(2500); // longer than the poll interval: a poll would have asked again by now
    const logged = problems.splice(problemsBefore);
    problems.push(...logged.filter((p) => !/status of 400/.test(p)));
    check(logged.length === 1, 'the refused filter was asked once, not polled again: ' + logged.join(' | '));

    // A queued deployment shows, and links to, the workflow it waits behind.
    await page.goto(server.url + '/#/workflows?tenant=bravo', { waitUntil: 'load' });
    await page.waitForSelector('#workflow-rows tr[data-id="' + behindId + '"] td.behind a', { timeout: 10000 });
    const behind = await page.$eval('#workflow-rows tr[data-id="' + behindId + '"]', (tr) => ({
      status: tr.children[3].textContent, link: tr.querySelector('td.behind a').textContent,
      href: tr.querySelector('td.behind a').getAttribute('href'),
    }));
    check(behind.status === 'queued' && behind.link === approvalId && behind.href === '#/workflow/' + encodeURIComponent(approvalId),
      behindId + ' is queued and shows it waits behind ' + approvalId + ': ' + JSON.stringify(behind));
    const notQueued = await page.$eval('#workflow-rows tr[data-id="' + approvalId + '"] td.behind', (td) => td.textContent);
    check(notQueued === '—', 'a workflow that is not queued waits behind nothing');
    await shot(page, '03d-queued-behind');
    await page.click('#workflow-rows tr[data-id="' + behindId + '"] td.behind a');
    await page.waitForFunction((id) => location.hash === '#/workflow/' + encodeURIComponent(id) &&
      document.getElementById('wf-status'), { timeout: 10000 }, approvalId);
    check((await page.evaluate(() => document.getElementById('main').textContent)).includes(approvalId),
      'the link opens the workflow ahead, ' + approvalId);
    const cancelled = await server.call('POST', '/v1/workflows/' + encodeURIComponent(behindId) + '/cancel', { reason: 'seen in the list' });
    check(cancelled.status >= 200 && cancelled.status < 300, 'cancelled ' + behindId + ' (HTTP ' + cancelled.status + ')');
    // Live list: a workflow started now appears without a reload.
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.goto(server.url + '/#/workflows?tenant=acme', { waitUntil: 'load' });
    await page.waitForSelector('#workflow-rows tr[data-id]');
    await page.evaluate(() => { window.__sameDocument = true; });
    // Vercel refuses the watched deployment's first create once: an attempt that fails and retries.
    const faults = await emulatorPost(server.emulator, '/_admin/faults',
      { rules: [{ method: 'POST', path: '/*/deployments', status: 503, times: 1 }] });
    check(faults === 200, 'the emulator will refuse one deployment create');
    const watchId = await server.start_workflow({
      type: 'deployment', tenant: 'acme', id: 'watch-me', input: { website_data: site('Acme') },
    });
    await page.waitForSelector('#workflow-rows tr[data-id="acme:watch-me"]', { timeout: 10000 });
    check(await page.evaluate(() => window.__sameDocument === true), 'the list showed a new workflow live');

    // A running deployment, watched live until it completes.
    await page.click('#workflow-rows tr[data-id="acme:watch-me"] a');
    await page.waitForSelector('#steps li');
    const statusAtOpen = await text(page, '#wf-status');
    check(!['completed', 'failed'].includes(statusAtOpen), 'opened acme:watch-me while ' + statusAtOpen);
    await shot(page, '04-deployment-running');
    await page.waitForFunction(() => document.getElementById('wf-status').textContent === 'completed', { timeout: 90000 });
    check(await page.evaluate(() => window.__sameDocument === true), 'watched it complete live (no reload)');
    check((await page.$$('#steps li.step-succeeded')).length >= 5, 'the timeline shows the succeeded steps');
    const url = await page.$eval('#deployment-url', (e) => e.textContent).catch(() => '');
    check(/^https?:\/\//.test(url), 'the deployment URL is shown: ' + url);
    await page.waitForFunction(() => document.getElementById('live-state').textContent.startsWith('finished'));
    const retried = await page.$$eval('#attempt-rows tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent))
      .filter((cells) => cells[3] === 'failed, will retry'));
    check(retried.length === 1 && retried[0][0] === 'deploy' && /503|unavailable/i.test(retried[0][4]) &&
      /^\d{4}-\d\d-\d\dT/.test(retried[0][5]), 'the failed attempt is listed with its error and next attempt time: ' + JSON.stringify(retried));
    check(await page.$('#release-facts') !== null, 'the LLM usage and checks of the release are shown');
    await shot(page, '05-deployment-completed');

    // chain.js writes JSON as nlohmann::json does (keys by code point, numbers as served, its
    // string escapes): expected text from nlohmann 3.11 for the same value.
    const canonical = await page.evaluate(() => {
      const expected = '{"Z":4,"a":[1e+20,-0.5,0.1,100,1e-05,12345678901234567890],"b":1.0,"s":"q\\"\\\\\\n\\u0001' +
        '\u007f\u2028/","é":3,"\ue000":1,"\u{1F680}":2}';
      const shuffled = ' { "s" : "q\\"\\\\\\n\\u0001\u007f\u2028/", "\u{1F680}":2, "\ue000":1, "é":3,' +
        ' "b":1.0, "a":[1e+20, -0.5, 0.1, 100, 1e-05, 12345678901234567890], "Z":4 } ';
      const c = window.SlipwayChain;
      return [c.canonical(c.parseLossless(expected)) === expected, c.canonical(c.parseLossless(shuffled)) === expected];
    });
    check(canonical[0] && canonical[1], 'canonical JSON matches nlohmann::json: ' + canonical);

    // History: the chain verifies against the recorded head; a tampered copy is flagged.
    await page.click('#history-link');
    await page.waitForSelector('#chain-verdict[data-result]');
    check((await page.$eval('#chain-verdict', (e) => e.dataset.result)) === 'verified',
      'the chain verifies: ' + (await text(page, '#chain-verdict')));
    check(await page.$eval('#export', (e) => e.href.startsWith('blob:') && e.download.endsWith('.history.json')), 'an export link is offered');
    await shot(page, '06-history-verified');
    // Tampering with the stored record itself: one event of this finished workflow edited in
    // the SQLite file of the running server. Nothing caches history server-side (each
    // GET .../history reads the table), so the next read serves the edited event.
    // A history page and its verdict. From one history page to another only the hash changes,
    // and the previous page's verdict would still be there: the document is loaded afresh.
    const openHistory = async (id) => {
      await page.goto(server.url + '/#/history/' + encodeURIComponent(id), { waitUntil: 'load' });
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('#chain-verdict[data-result]');
    };
    const db = path.join(server.dir, 'state', 'slipway.db');
    const victim = sqlite(db, "SELECT seq, actor FROM history WHERE workflow_id = '" + watchId +
      "' AND type = 'step_succeeded' ORDER BY seq LIMIT 1").split('|');
    const victimSeq = Number(victim[0]);
    check(victimSeq > 1 && victim[1] !== '', 'found a step_succeeded event of ' + watchId + ' in the database: seq ' + victimSeq);
    const setActor = (actor) => sqlite(db, "UPDATE history SET actor = '" + actor + "' WHERE workflow_id = '" + watchId +
      "' AND seq = " + victimSeq + '; SELECT changes()');
    check(setActor('ops:mallory') === '1', 'edited the actor of seq ' + victimSeq + ' in ' + db);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#chain-verdict[data-result]');
    const verdict = await text(page, '#chain-verdict');
    check((await page.$eval('#chain-verdict', (e) => e.dataset.result)) === 'broken' &&
      verdict.startsWith('Chain BROKEN at seq ' + victimSeq + ':'), 'the edited record is flagged: ' + verdict);
    const brokenRows = await page.$$eval('#event-rows tr.broken', (trs) => trs.map((t) => t.dataset.seq));
    check(brokenRows.length === 1 && brokenRows[0] === String(victimSeq), 'the edited event is marked: ' + brokenRows.join(','));
    check((await page.$$eval('#event-rows td', (tds) => tds.some((t) => t.textContent === 'ops:mallory'))),
      'the page shows the edited value as served');
    await shot(page, '07-history-tampered');
    // Put the original back: the same page verifies again (nothing stale was kept).
    check(setActor(victim[1]) === '1', 'restored the actor ' + victim[1]);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#chain-verdict[data-result]');
    check((await page.$eval('#chain-verdict', (e) => e.dataset.result)) === 'verified',
      'restored, the chain verifies again: ' + (await text(page, '#chain-verdict')));
    // The last stored event of another finished workflow deleted: the events left chain up,
    // but the head the workflow records shows the cut.
    const cutId = onboardings[1];
    const lastRow = sqlite(db, "SELECT 'INSERT INTO history (workflow_id, seq, at_ms, type, step, attempt, actor," +
      " data_json, prev_hash, hash) VALUES (' || quote(workflow_id) || ',' || seq || ',' || at_ms || ',' || quote(type) ||" +
      " ',' || quote(step) || ',' || attempt || ',' || quote(actor) || ',' || quote(data_json) || ',' ||" +
      " quote(prev_hash) || ',' || quote(hash) || ')' FROM history WHERE workflow_id = '" + cutId + "' ORDER BY seq DESC LIMIT 1");
    check(sqlite(db, "DELETE FROM history WHERE workflow_id = '" + cutId + "' AND seq = (SELECT MAX(seq) FROM history" +
      " WHERE workflow_id = '" + cutId + "'); SELECT changes()") === '1', 'deleted the last stored event of ' + cutId);
    await openHistory(cutId);
    const cut = await text(page, '#chain-verdict');
    check(/BROKEN .*events were removed/.test(cut), 'a history cut at its end is flagged against the recorded head: ' + cut);
    await shot(page, '07b-history-truncated');
    sqlite(db, lastRow);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#chain-verdict[data-result]');
    check((await page.$eval('#chain-verdict', (e) => e.dataset.result)) === 'verified',
      'the deleted event put back, ' + cutId + ' verifies again: ' + (await text(page, '#chain-verdict')));

    // The failed build: its errors as a table of file:line, payloads as text.
    await page.goto(server.url + '/#/workflow/' + encodeURIComponent(failingId), { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('wf-status') &&
      document.getElementById('wf-status').textContent === 'failed', { timeout: 90000 });
    await page.waitForSelector('#build-error-table');
    const locations = await page.$$eval('#build-error-table td.location', (tds) => tds.map((t) => t.textContent));
    check(locations.some((l) => l.startsWith('src/build.ts:4')), 'build errors list src/build.ts:4: ' + locations.join(', '));
    const hrefs = await page.$$eval('#build-error-table td.location a', (as) => as.map((a) => a.href));
    check(hrefs.some((h) => /^https:\/\/github\.com\/[^/]+\/charlie\/blob\/[0-9a-f]{40}\/src\/build\.ts#L4$/.test(h)),
      'a build error links to its line in the tenant repository: ' + hrefs.join(', '));
    const messages = await page.$$eval('#build-error-table td.build-message', (tds) => tds.map((t) => t.textContent));
    check(messages.some((m) => m.includes(XSS_BUILD)), 'the build error message is shown literally');
    const bodyText = await page.evaluate(() => document.getElementById('main').textContent);
    check(bodyText.includes(XSS_SITE), 'the site data payload is shown literally');
    // The auto-fix rounds it went through, with the model's usage and its reasons.
    const rounds = await page.$$eval('#autofix .autofix-round', (ds) => ds.map((d) => d.textContent));
    check(rounds.length >= 1 && rounds.every((r) => r.includes('tokens') && r.includes('Round')),
      'the auto-fix rounds are shown with the model usage: ' + rounds.join(' | '));
    await noXss(page, 'failed deployment page');
    await shot(page, '08-build-errors');

    // Ops resumes it: a reason is required, then the answer is shown.
    await page.click('#action-resume');
    await page.click('#action-confirm');
    check((await text(page, '#action-result')) === 'A reason is required.', 'resume asks for a reason');
    await page.type('#action-reason', 'retry after the fix');
    await page.click('#action-confirm');
    await page.waitForFunction(() => /^Resume: /.test(document.getElementById('action-result').textContent));
    const resumed = await text(page, '#action-result');
    check(/^Resume: done \(HTTP 20\d\)/.test(resumed), 'ops resumed the failed deployment: ' + resumed);
    await shot(page, '08b-resumed');
    await server.waitFor(failingId, FINAL, 90000);

    // Chains with hostile, quoted and non-ASCII text in their data verify too.
    for (const id of [failingId, onboardings[0]]) {
      await openHistory(id);
      check((await page.$eval('#chain-verdict', (e) => e.dataset.result)) === 'verified',
        'the chain of ' + id + ' verifies: ' + (await text(page, '#chain-verdict')));
    }

    // A hostile tenant name (the API refuses one, so the test puts it into the list's answer).
    check((await server.call('POST', '/v1/workflows', { type: 'deployment', tenant: XSS_TENANT, input: {} })).status === 400,
      'the API refuses a tenant name with markup');
    await page.setRequestInterception(true);
    const hostileTenant = async (req) => {
      if (!req.url().includes('/v1/workflows?')) return req.continue();
      try {
        const r = await fetch(req.url(), { headers: req.headers() });
        const body = JSON.parse(await r.text());
        for (const w of body.workflows) w.tenant = XSS_TENANT;
        return req.respond({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
      } catch (e) {
        log('the rewrite of ' + req.url() + ' failed: ' + (e.stack || e)); // else the page waits forever
        return req.abort();
      }
    };
    page.on('request', hostileTenant);
    await page.goto(server.url + '/#/workflows?live=0', { waitUntil: 'load' });
    await page.waitForSelector('#workflow-rows tr[data-id]');
    const tenants = await page.$$eval('#workflow-rows tr[data-id] td:nth-child(3)', (tds) => tds.map((t) => t.textContent));
    check(tenants.length > 0 && tenants.every((t) => t === XSS_TENANT), 'a hostile tenant name is shown literally');
    await noXss(page, 'list with hostile tenant names');
    await shot(page, '09-hostile-tenant');
    page.off('request', hostileTenant);
    await page.setRequestInterception(false);

    // Tenants: every onboarded tenant with its domains and last deployments.
    await page.goto(server.url + '/#/tenants', { waitUntil: 'load' });
    await page.waitForSelector('#tenant-rows tr[data-tenant="acme"]');
    const acmeRow = await text(page, '#tenant-rows tr[data-tenant="acme"]');
    check(acmeRow.includes('acme-dev.') && acmeRow.includes('watch-me'),
      'the tenants page shows acme with its dev domain and its last deployment: ' + acmeRow);
    check((await page.$$('#tenant-rows tr')).length === 3, 'three tenants are listed');
    await noXss(page, 'tenants page');
    await shot(page, '10-tenants');

    // Stats over a chosen window.
    await page.goto(server.url + '/#/stats?window=1h', { waitUntil: 'load' });
    await page.waitForSelector('#stats table');
    const statsText = await text(page, '#stats');
    check(statsText.includes('deployment') && statsText.includes('onboarding'), 'stats show deployments and onboardings');
    await shot(page, '10-stats');
    // A chosen window: a day in 2020 holds none of them.
    await page.select('#stats-window', 'custom');
    await page.$eval('#stats-from', (e) => { e.value = '2020-01-01T00:00:00Z'; });
    await page.$eval('#stats-to', (e) => { e.value = '2020-01-02T00:00:00Z'; });
    await page.click('#stats-apply');
    await page.waitForFunction(() => location.hash.includes('window=custom') && document.querySelector('#stats table') &&
      document.querySelector('#stats').textContent.includes('2020-01-01T00:00:00'));
    const rows = await page.$$eval('#stats .card tr', (trs) => trs.map((tr) => tr.textContent));
    check(rows.includes('workflows0'), 'a chosen window from 2020-01-01 to 2020-01-02 counts no workflows: ' + rows.join(' | '));

    // The approver: approve and reject only; no cancel, no resume.
    await server.waitFor(approvalId, (w) => w.status === 'waiting' && w.current_step === 'approval', 90000);
    await signIn(page, server, 'approver');
    check(!(await page.$eval('#nav-stats', (e) => !e.hidden)), 'the approver has no stats link');
    check(!(await page.$eval('#nav-tenants', (e) => !e.hidden)), 'the approver has no tenants link');
    await page.goto(server.url + '/#/workflow/' + encodeURIComponent(approvalId), { waitUntil: 'load' });
    await page.waitForSelector('#action-approve');
    check((await page.$('#action-cancel')) === null && (await page.$('#action-resume')) === null,
      'the approver sees no cancel or resume button');
    check((await page.$('#action-reject')) !== null, 'the approver may reject');
    await page.click('#action-approve');
    await page.waitForSelector('#action-confirm');
    await page.type('#action-reason', 'looks good');
    await shot(page, '11-approve-confirm');
    await page.click('#action-confirm');
    await page.waitForSelector('#action-result');
    const result = await text(page, '#action-result');
    check(/Approve: done \(HTTP 20\d\)/.test(result), 'the approval was accepted: ' + result);
    await page.waitForFunction(() => document.getElementById('wf-status').textContent !== 'waiting', { timeout: 20000 });
    await shot(page, '12-approved');
    const history = await server.call('GET', '/v1/workflows/' + encodeURIComponent(approvalId) + '/history?limit=1000');
    check(history.json.events.some((e) => e.type === 'signal_received' && e.actor === 'approver:approver-token'),
      'history records the approver');

    // The tenant: sees its own workflows, may cancel one, may neither approve nor resume.
    const queuedId = await server.start_workflow({
      type: 'deployment', tenant: 'bravo', id: 'to-cancel', input: { website_data: site('Bravo 2'), require_approval: true },
    });
    await signIn(page, server, 'bravo');
    check(!(await page.$eval('#nav-stats', (e) => !e.hidden)), 'the tenant has no stats link');
    check(!(await page.$eval('#nav-tenants', (e) => !e.hidden)), 'the tenant has no tenants link');
    const visible = await page.$$eval('#workflow-rows tr[data-id]', (trs) => trs.map((t) => t.dataset.id));
    check(visible.length > 0 && visible.every((id) => id.startsWith('bravo:')), 'the tenant lists only its own workflows');
    await page.goto(server.url + '/#/workflow/' + encodeURIComponent(queuedId), { waitUntil: 'load' });
    await page.waitForSelector('#action-cancel');
    check((await page.$('#action-approve')) === null && (await page.$('#action-resume')) === null,
      'the tenant sees no approve or resume button');
    await page.click('#action-cancel');
    await page.type('#action-reason', 'changed my mind');
    await shot(page, '13-tenant-cancel-confirm');
    await page.click('#action-confirm');
    await page.waitForSelector('#action-result');
    check(/^Cancel: done \(HTTP 20\d\)/.test(await text(page, '#action-result')), 'the tenant cancelled: ' + (await text(page, '#action-result')));
    await page.waitForFunction(() => document.getElementById('wf-status').textContent === 'cancelled', { timeout: 30000 });
    await shot(page, '14-tenant-cancelled');

    // The auditor reads everything and changes nothing: stats, and no action at all.
    await signIn(page, server, 'auditor');
    check(await page.$eval('#nav-stats', (e) => !e.hidden), 'the auditor has the stats link');
    check(await page.$eval('#nav-tenants', (e) => !e.hidden), 'the auditor has the tenants link');
    await page.goto(server.url + '/#/workflow/' + encodeURIComponent(watchId), { waitUntil: 'load' });
    await page.waitForSelector('#actions');
    check((await page.$$('#actions button')).length === 0, 'the auditor sees no action button');

    check(problems.length === 0, 'no page errors, CSP refusals or dialogs' + (problems.length ? ': ' + problems.join(' | ') : ''));
  } catch (e) {
    failures++;
    log('FAIL ' + (e.stack || e));
    if (page) await shot(page, 'failure').catch(() => {});
  } finally {
    if (browser) await browser.close();
    await server.stop();
    if (failures === 0 && server.dir) fs.rmSync(server.dir, { recursive: true, force: true });
    else if (server.dir) log('kept ' + server.dir + ' (slipwayd stdout, stderr and state)');
  }
  log(failures === 0 ? 'PASSED' : failures + ' check(s) FAILED');
  process.exit(failures === 0 ? 0 : 1);
}

main();
