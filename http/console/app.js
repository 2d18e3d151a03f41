// app.js: the Slipway console. Plain DOM, no framework, no build step.
//
// Everything the API returns is hostile (tenant names, site data, build output): it reaches the
// page only as text (textContent / text nodes), never as markup, and links are made only from
// our own routes or from http(s) URLs. The page's Content-Security-Policy refuses inline script
// besides. The token is kept in sessionStorage (this tab only) and sent as a bearer token.
'use strict';

(function () {
  const TOKEN_KEY = 'slipway.token';
  const FINAL = new Set(['completed', 'failed', 'cancelled']);
  const STATUSES = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelling', 'cancelled'];
  const TYPES = ['onboarding', 'deployment', 'template_update', 'rollback', 'tenant_settings', 'domain_transfer'];
  const main = document.getElementById('main');
  let me = null; // GET /v1/whoami
  let leaving = []; // stops timers and streams of the current view

  // ---- DOM helpers: text only ----------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = String(v);
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  // A link to one of our own routes.
  function routeLink(route, label, props) {
    return el('a', Object.assign({ href: '#' + route }, props || {}), label);
  }

  // A link only for an http(s) URL (a deployment's URL); anything else stays text.
  function externalLink(url) {
    const s = String(url);
    if (!/^https?:\/\/[^\s]+$/i.test(s)) return el('span', { class: 'mono' }, s);
    return el('a', { href: s, rel: 'noopener noreferrer', target: '_blank', class: 'mono' }, s);
  }

  function badge(status) {
    return el('span', { class: 'status status-' + String(status).replace(/[^a-z_]/g, '') }, String(status));
  }

  function json(v) {
    return el('pre', null, JSON.stringify(v, null, 2));
  }

  function when(t) {
    return t ? String(t) : '—';
  }

  function clear(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }

  // ---- API ---------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, error) {
      super((error && error.message) || 'HTTP ' + status);
      this.status = status;
      this.code = (error && error.code) || '';
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  async function request(method, path, body, signal) {
    const headers = { Authorization: 'Bearer ' + token() };
    const init = { method, headers, signal, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(path, init);
    const text = await resp.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch (e) {
      parsed = null;
    }
    if (!resp.ok) {
      if (resp.status === 401 && path !== '/v1/whoami') logout('Your token was refused: sign in again.');
      throw new ApiError(resp.status, parsed && parsed.error);
    }
    return { status: resp.status, json: parsed, text };
  }

  async function api(method, path, body, signal) {
    return (await request(method, path, body, signal)).json;
  }

  function wfPath(id) {
    return '/v1/workflows/' + encodeURIComponent(id);
  }

  // ---- roles -------------------------------------------------------------------------------

  const isOps = () => me && me.role === 'ops';
  const isTenant = () => me && typeof me.tenant === 'string' && me.tenant !== '';
  const can = {
    stats: () => isOps() || (me && me.role === 'auditor'),
    tenants: () => isOps() || (me && me.role === 'auditor'),
    cancel: () => isOps() || isTenant(),
    resume: () => isOps(),
    decide: () => isOps() || (me && me.role === 'approver'),
  };

  // ---- routing -----------------------------------------------------------------------------

  function leave() {
    for (const stop of leaving.splice(0)) {
      try {
        stop();
      } catch (e) {
        /* already stopped */
      }
    }
  }

  function parseHash() {
    const hash = location.hash.replace(/^#/, '') || '/workflows';
    const q = hash.indexOf('?');
    const path = q < 0 ? hash : hash.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
    const parts = path.split('/').filter((p) => p !== '');
    return { parts, params };
  }

  async function route() {
    leave();
    if (!token()) return showLogin('');
    if (!me) {
      try {
        me = await api('GET', '/v1/whoami');
      } catch (e) {
        return logout(e.status === 401 ? 'That token was refused.' : 'Cannot reach the API: ' + e.message);
      }
    }
    showNav();
    const { parts, params } = parseHash();
    const id = parts.length > 1 ? decodeURIComponent(parts[1]) : '';
    try {
      if (parts[0] === 'workflow' && id) return await showWorkflow(id);
      if (parts[0] === 'history' && id) return await showHistory(id);
      if (parts[0] === 'stats') return await showStats(params);
      if (parts[0] === 'tenants') return await showTenants();
      return await showList(params);
    } catch (e) {
      clear(main, el('div', { class: 'card error-box', id: 'page-error' }, 'Error: ' + e.message));
    }
  }

  function showNav() {
    document.getElementById('nav').hidden = false;
    document.getElementById('nav-stats').hidden = !can.stats();
    document.getElementById('nav-tenants').hidden = !can.tenants();
    document.getElementById('whoami').textContent = me.actor;
  }

  function logout(message) {
    leave();
    sessionStorage.removeItem(TOKEN_KEY);
    me = null;
    document.getElementById('nav').hidden = true;
    showLogin(message || '');
  }

  // ---- login -------------------------------------------------------------------------------

  function showLogin(message) {
    document.title = 'Slipway console: sign in';
    const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', placeholder: 'API token' });
    const note = el('p', { id: 'login-message', class: 'muted' }, message);
    const form = el('form', { class: 'login card', id: 'login-form' },
      el('h1', null, 'Sign in'),
      el('p', null, 'Paste an API token. It is kept for this tab only (sessionStorage) and sent as a bearer token.'),
      el('label', null, 'Token', input),
      el('p', null, el('button', { type: 'submit', class: 'primary', id: 'login-submit' }, 'Sign in')),
      note);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      me = null;
      if (location.hash === '' || location.hash === '#/login') location.hash = '#/workflows';
      else route();
    });
    clear(main, form);
    input.focus();
  }

  // ---- workflows list ----------------------------------------------------------------------

  // The list polls every 2 s while "Live" is on: a list changes in ways no single workflow's
  // long poll or stream reports (new workflows, any row's status), and one small GET per 2 s per
  // open tab is cheap. Filters (status, type, tenant, creation window) live in the URL hash.
  const LIST_FILTERS = [['status', 'filter-status'], ['type', 'filter-type'], ['tenant', 'filter-tenant'],
    ['created_after', 'filter-from'], ['created_before', 'filter-to']];

  async function showList(params) {
    document.title = 'Slipway console: workflows';
    const status = params.get('status') || '';
    const type = params.get('type') || '';
    const select = (id, label, options, current) => el('label', null, label,
      el('select', { id }, el('option', { value: '' }, 'any'),
        options.map((o) => el('option', { value: o, selected: o === current }, o))));
    const tenantInput = el('input', { id: 'filter-tenant', value: params.get('tenant') || '', placeholder: 'any', size: 16 });
    const timeInput = (id, key) => el('input', {
      id, value: params.get(key) || '', placeholder: 'YYYY-MM-DDTHH:MM:SSZ', size: 22, spellcheck: 'false',
    });
    const live = el('input', { type: 'checkbox', id: 'live', checked: params.get('live') !== '0' });
    const form = el('form', { class: 'filters', id: 'filters' },
      select('filter-status', 'Status', STATUSES, status),
      select('filter-type', 'Type', TYPES, type),
      el('label', null, 'Tenant', tenantInput),
      el('label', { title: 'RFC 3339 UTC; inclusive' }, 'Created from (UTC)', timeInput('filter-from', 'created_after')),
      el('label', { title: 'RFC 3339 UTC; exclusive' }, 'Created before (UTC)', timeInput('filter-to', 'created_before')),
      el('button', { type: 'submit' }, 'Filter'),
      el('label', { class: 'inline' }, live, 'Live'),
      el('span', { id: 'list-updated', class: 'muted live' }));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const [key, id] of LIST_FILTERS) {
        const v = document.getElementById(id).value.trim();
        if (v) q.set(key, v);
      }
      if (!live.checked) q.set('live', '0');
      location.hash = '#/workflows' + (q.toString() ? '?' + q.toString() : '');
    });
    const body = el('tbody', { id: 'workflow-rows' });
    const more = el('p', { id: 'list-more', class: 'muted' });
    const headings = ['Id', 'Type', 'Tenant', 'Status', 'Step', 'Waiting behind', 'Created', 'Updated'];
    clear(main, el('h1', null, 'Workflows'), form,
      el('table', { id: 'workflows' },
        el('thead', null, el('tr', null, headings.map((h) => el('th', null, h)))),
        body),
      more);

    // The server validates every filter (a bad time is a 400 naming the field, shown below).
    const q = new URLSearchParams({ limit: '100' });
    for (const [key] of LIST_FILTERS) {
      const v = (params.get(key) || '').trim();
      if (v) q.set(key, v);
    }
    const wfLink = (id) => routeLink('/workflow/' + encodeURIComponent(id), id);
    let lastText = '';
    let timer = null;
    let stopped = false;
    const controller = new AbortController();
    leaving.push(() => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    });
    async function refresh() {
      try {
        const r = await request('GET', '/v1/workflows?' + q.toString(), undefined, controller.signal);
        if (stopped) return;
        if (r.text !== lastText) {
          lastText = r.text;
          const rows = r.json.workflows.map((w) => el('tr', { 'data-id': w.id },
            el('td', { class: 'mono' }, wfLink(w.id)),
            el('td', null, w.type), el('td', null, w.tenant), el('td', null, badge(w.status)),
            el('td', null, w.current_step || '—'),
            el('td', { class: 'mono behind' }, typeof w.queued_behind === 'string' && w.queued_behind !== ''
              ? wfLink(w.queued_behind) : '—'),
            el('td', { class: 'mono' }, when(w.created_at)), el('td', { class: 'mono' }, when(w.updated_at))));
          clear(body, rows.length ? rows : el('tr', null, el('td', { colspan: headings.length, class: 'muted' }, 'No workflows.')));
          more.textContent = r.json.next_cursor ? 'Showing the newest 100; narrow the filters to see others.' : '';
          more.className = 'muted';
        }
        document.getElementById('list-updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      } catch (e) {
        if (stopped) return;
        lastText = '';
        more.className = 'error-box card';
        more.textContent = 'Error: ' + e.message;
        // A filter the server refuses will not get better by asking again.
        if (e.status === 400) return;
      }
      if (!stopped && live.checked) timer = setTimeout(refresh, 2000);
    }
    live.addEventListener('change', () => {
      clearTimeout(timer);
      if (live.checked) refresh();
    });
    await refresh();
  }

  // ---- one workflow ------------------------------------------------------------------------

  // Reads the history, all of it (pages of 1000), as parsed JSON and as lossless events.
  async function readHistory(id, after, signal) {
    const plain = [];
    const lossless = [];
    let next = after || 0;
    for (let page = 0; page < 100; page++) {
      const r = await request('GET', wfPath(id) + '/history?limit=1000&after=' + next, undefined, signal);
      const parsed = window.SlipwayChain.parseLossless(r.text);
      const events = window.SlipwayChain.member(parsed, 'events');
      plain.push(...r.json.events);
      if (events && events.t === 'a') lossless.push(...events.items);
      if (r.json.next_after === null || r.json.next_after === undefined) break;
      next = r.json.next_after;
    }
    return { plain, lossless };
  }

  // Reads GET .../stream (Server-Sent Events) with fetch, which can send the token (an
  // EventSource cannot). Calls onEvent(event) per event; resolves when the stream ends.
  async function readStream(id, after, signal, onEvent) {
    const resp = await fetch(wfPath(id) + '/stream?after=' + after, {
      headers: { Authorization: 'Bearer ' + token(), Accept: 'text/event-stream' },
      signal,
      cache: 'no-store',
    });
    if (!resp.ok) throw new ApiError(resp.status, null);
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
        if (data.length === 0) continue; // a keep-alive comment
        try {
          onEvent(JSON.parse(data.join('\n')));
        } catch (e) {
          /* a malformed event is skipped; the next refresh shows the workflow as stored */
        }
      }
    }
  }

  // The parsed build errors of a workflow: a failed build's details.errors, wherever the
  // error that carries it sits (the workflow's error, its cause, or a step's error).
  function buildErrorsOf(wf) {
    const found = [];
    const seen = new Set();
    const visit = (err, depth) => {
      if (!err || typeof err !== 'object' || depth > 5 || seen.has(err)) return;
      seen.add(err);
      const d = err.details;
      if (d && Array.isArray(d.errors) && found.length === 0) found.push(d);
      visit(err.cause, depth + 1);
    };
    visit(wf.error, 0);
    for (const s of wf.steps || []) visit(s.error, 0);
    return found[0] || null;
  }

  function stepItem(s) {
    const facts = [];
    facts.push('attempts: ' + (s.attempts || 0));
    if (s.started_at) facts.push('started ' + s.started_at);
    if (s.ended_at) facts.push('ended ' + s.ended_at);
    const li = el('li', { class: 'step-' + String(s.status).replace(/[^a-z_]/g, ''), 'data-step': s.name },
      el('span', { class: 'step-name' }, s.name), badge(s.status), ' ',
      el('span', { class: 'muted' }, facts.join(' · ')));
    if (s.next_attempt_at) li.append(el('div', { class: 'next-attempt' }, 'next attempt at ' + s.next_attempt_at));
    if (s.next_look_at) li.append(el('div', { class: 'muted' }, 'looks again at ' + s.next_look_at + ' (look ' + (s.looks || 0) + ')'));
    if (s.progress) li.append(el('div', { class: 'mono muted' }, JSON.stringify(s.progress)));
    if (s.error) li.append(el('div', { class: 'step-error' }, (s.error.code || 'error') + ': ' + (s.error.message || '')));
    return li;
  }

  // One row per finished attempt, from history: step_failed / step_succeeded events.
  function attemptRows(events) {
    const rows = [];
    for (const e of events) {
      if (e.type !== 'step_failed' && e.type !== 'step_succeeded') continue;
      const d = e.data || {};
      // A failure the workflow's table routes (a failed build goes to autofix) is recorded as
      // step_succeeded with the error in output.step_error (engine/activity.h).
      const routed = e.type === 'step_succeeded' && d.output && typeof d.output === 'object' ? d.output.step_error : null;
      const err = d.error || routed || null;
      const outcome = routed ? 'failed (handled by the workflow)' : e.type === 'step_succeeded' ? 'succeeded'
        : d.retry ? 'failed, will retry' : 'failed';
      rows.push(el('tr', { 'data-seq': e.seq },
        el('td', null, e.step || ''), el('td', null, String(e.attempt)), el('td', { class: 'mono' }, e.at),
        el('td', null, outcome),
        el('td', { class: 'attempt-error' }, err ? (err.code || 'error') + ': ' + (err.message || '') : ''),
        el('td', { class: 'mono' }, d.next_attempt_at || '')));
    }
    return rows;
  }

  // The tenant's repository as the save step recorded it ("owner/name"), or "".
  function repoOf(events) {
    for (const e of events) {
      const out = e.type === 'step_succeeded' && e.step === 'save' && e.data && e.data.output;
      const name = out && out.repo_full_name;
      if (typeof name === 'string' && /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(name)) return name;
    }
    return '';
  }

  // A build error's place as a link to that line of the tenant's repository at the built commit
  // (GitHub's blob URL), or as text when either is unknown or odd.
  function errorLocation(e, repo, sha) {
    const label = String(e.file || '?') + ':' + String(e.line || 0) + (e.column ? ':' + e.column : '');
    const file = String(e.file || '');
    if (!repo || !/^[0-9a-f]{7,64}$/.test(String(sha || '')) || !file || file.startsWith('/') ||
        file.split('/').some((p) => p === '..' || p === '')) {
      return label;
    }
    const path = file.split('/').map(encodeURIComponent).join('/');
    const line = Number.isInteger(e.line) && e.line > 0 ? '#L' + e.line : '';
    return el('a', { href: 'https://github.com/' + repo + '/blob/' + sha + '/' + path + line,
      rel: 'noopener noreferrer', target: '_blank' }, label);
  }

  // Auto-fix rounds, from history (each autofix step's output): the edits applied and refused
  // with the reasons, the files not sent, the errors left to a human, the model's usage.
  function autofixSection(events) {
    const rounds = [];
    for (const e of events) {
      if (e.type !== 'step_succeeded' || e.step !== 'autofix') continue;
      const out = (e.data && e.data.output) || {};
      const a = out.autofix || {};
      const llm = a.llm || {};
      const editRow = (kind, edit, reason) => el('tr', { class: 'edit-' + kind },
        el('td', null, kind), el('td', { class: 'mono' }, String((edit && edit.file) || '')),
        el('td', null, String((edit && edit.reason) || '')), el('td', null, String(reason || '')));
      rounds.push(el('div', { class: 'card autofix-round', 'data-round': String(out.round || rounds.length + 1) },
        el('strong', null, 'Round ' + String(out.round || rounds.length + 1) + ': '),
        el('span', null, out.committed ? 'committed ' + String(out.commit_sha || '') : 'nothing committed'),
        out.reason ? el('div', { class: 'muted autofix-reason' }, String(out.reason)) : null,
        el('div', { class: 'muted' }, 'model ' + String(llm.model || '—') + ' · ' + String(llm.input_tokens || 0) +
          ' in / ' + String(llm.output_tokens || 0) + ' out tokens · $' + Number(llm.cost_usd || 0).toFixed(4)),
        el('table', null,
          el('thead', null, el('tr', null, ['Edit', 'File', 'Model\'s reason', 'Why refused'].map((h) => el('th', null, h)))),
          el('tbody', null,
            (a.accepted || []).map((ed) => editRow('applied', ed, '')),
            (a.rejected || []).map((r) => editRow('refused', r.edit, r.reason)),
            (a.files_skipped || []).map((f) => editRow('not sent', { file: f.file }, f.reason)),
            (a.errors_for_human || []).map((b) => editRow('left to a human', { file: b.file + ':' + b.line }, b.message))))));
    }
    return rounds.length ? [el('h2', null, 'Auto-fix'), el('div', { id: 'autofix' }, rounds)] : null;
  }

  // What the release cost and how it was checked (deployment results): LLM usage in total and
  // the Lighthouse scores verify measured.
  function releaseFacts(wf) {
    const r = wf.result || {};
    const facts = [];
    if (r.llm) {
      facts.push(['LLM', String(r.llm.input_tokens || 0) + ' in / ' + String(r.llm.output_tokens || 0) +
        ' out tokens · $' + Number(r.llm.cost_usd || 0).toFixed(4)]);
    }
    if (r.fixes_applied !== undefined) facts.push(['Fixes applied', String(r.fixes_applied)]);
    const lh = r.verify && r.verify.lighthouse;
    if (lh && lh.scores && typeof lh.scores === 'object') {
      facts.push(['Lighthouse', Object.entries(lh.scores).map(([k, v]) => k + ' ' + String(v)).join(' · ')]);
    } else if (lh && lh.skipped) {
      facts.push(['Lighthouse', 'skipped: ' + String(lh.skipped)]);
    }
    if (!facts.length) return null;
    return el('div', { class: 'card', id: 'release-facts' }, el('dl', { class: 'facts' },
      facts.map(([k, v]) => [el('dt', null, k), el('dd', null, v)])));
  }

  async function showWorkflow(id) {
    document.title = 'Slipway console: ' + id;
    const controller = new AbortController();
    let stopped = false;
    let timer = null;
    leaving.push(() => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    });
    let wf = await api('GET', wfPath(id), undefined, controller.signal);
    const history = await readHistory(id, 0, controller.signal);
    const events = history.plain;

    const summary = el('div', { id: 'summary' });
    const actions = el('div', { id: 'actions', class: 'card' });
    const errorBox = el('div', { id: 'error' });
    const buildErrors = el('div', { id: 'build-errors' });
    const resultBox = el('div', { id: 'result' });
    const autofixBox = el('div', { id: 'autofix-box' });
    const steps = el('ol', { id: 'steps', class: 'timeline' });
    const attempts = el('tbody', { id: 'attempt-rows' });
    const liveNote = el('span', { id: 'live-state', class: 'live muted' }, 'connecting…');
    clear(main,
      el('h1', null, el('span', { id: 'wf-id' }, id), ' ', el('span', { id: 'wf-status' })),
      el('p', null, routeLink('/workflows', '← workflows'), ' · ',
        routeLink('/history/' + encodeURIComponent(id), 'history and chain verification', { id: 'history-link' }),
        ' · ', liveNote),
      summary, actions, errorBox, buildErrors, autofixBox, resultBox,
      el('h2', null, 'Steps'), steps,
      el('h2', null, 'Attempts'),
      el('table', { id: 'attempts' },
        el('thead', null, el('tr', null, ['Step', 'Attempt', 'At', 'Outcome', 'Error', 'Next attempt'].map((h) => el('th', null, h)))),
        attempts));

    function render() {
      clear(document.getElementById('wf-status'), badge(wf.status));
      const facts = [['Type', wf.type], ['Tenant', wf.tenant], ['Status', wf.status], ['Current step', wf.current_step || '—'],
        ['Created', wf.created_at], ['Updated', wf.updated_at], ['Version', wf.version]];
      if (wf.queued_behind) facts.push(['Queued behind', wf.queued_behind]);
      const siteData = wf.input && wf.input.website_data;
      if (siteData && siteData.siteName !== undefined) facts.push(['Site name', siteData.siteName]);
      const url = wf.result && wf.result.deployment && wf.result.deployment.url;
      clear(summary, el('div', { class: 'card' }, el('dl', { class: 'facts' },
        facts.map(([k, v]) => [el('dt', null, k), el('dd', null, v === undefined || v === null ? '—' : String(v))]),
        url ? [el('dt', null, 'Deployment URL'), el('dd', { id: 'deployment-url' }, externalLink(url))] : null)));
      clear(errorBox, wf.error ? el('div', { class: 'card error-box' },
        el('strong', null, 'Error '), el('span', { id: 'error-code', class: 'mono' }, wf.error.code || ''), ': ',
        el('span', { id: 'error-message' }, wf.error.message || ''),
        wf.error.state ? el('div', { class: 'muted' }, 'state: ' + wf.error.state) : null,
        wf.error.cause ? el('div', { class: 'muted' }, 'cause: ' + (wf.error.cause.code || '') + ': ' + (wf.error.cause.message || '')) : null)
        : null);
      const be = buildErrorsOf(wf);
      clear(buildErrors, be ? [
        el('h2', null, 'Build errors (' + be.errors.length + ')'),
        el('table', { id: 'build-error-table' },
          el('thead', null, el('tr', null, ['Location', 'Tool', 'Code', 'Message'].map((h) => el('th', null, h)))),
          el('tbody', null, be.errors.map((e) => el('tr', null,
            el('td', { class: 'mono location' }, errorLocation(e, repoOf(events), be.sha)),
            el('td', null, e.tool || ''), el('td', { class: 'mono' }, e.code || ''),
            el('td', { class: 'build-message' }, e.message || ''))))),
        be.output_tail ? [el('h2', null, 'Build output (tail)'), el('pre', { id: 'output-tail' }, be.output_tail)] : null,
      ] : null);
      clear(autofixBox, autofixSection(events));
      clear(resultBox, releaseFacts(wf), wf.result ? [el('h2', null, 'Result'), json(wf.result)] : null,
        el('details', null, el('summary', null, 'Input'), json(wf.input)));
      clear(steps, (wf.steps || []).map(stepItem));
      clear(attempts, attemptRows(events));
      renderActions();
    }

    // ---- actions by role: absent when the role may not use them ----
    let pending = null; // the action being confirmed
    let outcome = null; // {ok, text} of the last one
    function renderActions() {
      const list = [];
      const final = FINAL.has(wf.status);
      const awaitingApproval = wf.status === 'waiting' && wf.current_step === 'approval';
      if (can.cancel() && !final && wf.status !== 'cancelling') list.push({ verb: 'cancel', label: 'Cancel', danger: true });
      if (can.resume() && wf.status === 'failed') list.push({ verb: 'resume', label: 'Resume', needsReason: true });
      if (can.decide() && awaitingApproval) {
        list.push({ verb: 'approve', label: 'Approve', signal: true });
        list.push({ verb: 'reject', label: 'Reject', signal: true, danger: true });
      }
      const children = [el('strong', null, 'Actions ')];
      if (list.length === 0) children.push(el('span', { class: 'muted' }, 'none for your role in this state'));
      children.push(el('div', { class: 'actions' }, list.map((a) => el('button', {
        type: 'button', id: 'action-' + a.verb, class: a.danger ? 'danger' : '',
        onclick: () => { pending = a; outcome = null; renderActions(); },
      }, a.label))));
      if (pending && list.some((a) => a.verb === pending.verb)) {
        const reason = el('input', { id: 'action-reason', size: 40, placeholder: pending.needsReason ? 'reason (required)' : 'reason (optional)' });
        const confirm = el('button', { type: 'button', id: 'action-confirm', class: pending.danger ? 'danger' : 'primary' },
          'Confirm ' + pending.label.toLowerCase());
        const a = pending;
        confirm.addEventListener('click', async () => {
          const why = reason.value.trim();
          if (a.needsReason && !why) {
            outcome = { ok: false, text: 'A reason is required.' };
            return renderActions();
          }
          confirm.disabled = true;
          const path = a.signal ? wfPath(id) + '/signals/' + a.verb : wfPath(id) + '/' + a.verb;
          try {
            const r = await request('POST', path, why ? { reason: why } : {});
            outcome = { ok: true, text: a.label + ': done (HTTP ' + r.status + ')' + (r.json && r.json.status ? ', workflow ' + r.json.status : '') };
            if (r.json && r.json.id) wf = r.json;
          } catch (e) {
            outcome = { ok: false, text: a.label + ' failed: ' + e.message + (e.status ? ' (HTTP ' + e.status + ')' : '') };
          }
          pending = null;
          render();
          scheduleRefresh(0);
        });
        children.push(el('div', { class: 'confirm', id: 'action-confirmation' },
          a.label + ' ' + id + '? ', reason, ' ', confirm, ' ',
          el('button', { type: 'button', id: 'action-back', onclick: () => { pending = null; renderActions(); } }, 'Back')));
      }
      if (outcome) children.push(el('div', { id: 'action-result', class: 'card ' + (outcome.ok ? 'ok-box' : 'error-box') }, outcome.text));
      clear(actions, children);
    }

    async function refresh() {
      try {
        wf = await api('GET', wfPath(id), undefined, controller.signal);
        if (!stopped) render();
      } catch (e) {
        if (!stopped) liveNote.textContent = 'refresh failed: ' + e.message;
      }
    }
    function scheduleRefresh(ms) {
      clearTimeout(timer);
      timer = setTimeout(refresh, ms);
    }

    render();
    // Live: every new event from the stream; a refresh of the workflow after each burst.
    (async () => {
      let after = events.length ? events[events.length - 1].seq : 0;
      while (!stopped) {
        try {
          liveNote.textContent = 'live';
          liveNote.className = 'live live-on';
          await readStream(id, after, controller.signal, (e) => {
            if (e.seq <= after) return;
            after = e.seq;
            events.push(e);
            scheduleRefresh(150);
          });
        } catch (e) {
          if (stopped) return;
          liveNote.textContent = 'stream interrupted (' + e.message + '); reconnecting';
        }
        if (stopped) return;
        await refresh();
        if (FINAL.has(wf.status)) {
          liveNote.textContent = 'finished: ' + wf.status;
          liveNote.className = 'live muted';
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
  }

  // ---- history and chain verification --------------------------------------------------------

  async function showHistory(id) {
    document.title = 'Slipway console: history of ' + id;
    const controller = new AbortController();
    leaving.push(() => controller.abort());
    const wf = await api('GET', wfPath(id), undefined, controller.signal);
    const history = await readHistory(id, 0, controller.signal);
    const verdict = el('div', { id: 'chain-verdict', class: 'card' }, 'Verifying the hash chain…');
    const rows = el('tbody', { id: 'event-rows' });
    const exportLink = el('a', { id: 'export', class: 'button' }, 'Export (JSON)');
    const exportText = '{"workflow_id":' + JSON.stringify(wf.id) + ',"recorded_head":' + JSON.stringify(wf.history) +
      ',"events":[' + history.lossless.map((e) => e.raw).join(',') + ']}\n';
    const blobUrl = URL.createObjectURL(new Blob([exportText], { type: 'application/json' }));
    leaving.push(() => URL.revokeObjectURL(blobUrl));
    exportLink.href = blobUrl;
    exportLink.download = String(wf.id).replace(/[^A-Za-z0-9._-]/g, '_') + '.history.json';
    clear(main,
      el('h1', null, 'History of ', el('span', { class: 'mono' }, id)),
      el('p', null, routeLink('/workflow/' + encodeURIComponent(id), '← workflow'), ' · ', exportLink, ' · ',
        el('span', { class: 'muted' }, 'recorded head ' + wf.history.last_seq + ':' + wf.history.last_hash)),
      verdict,
      el('table', { id: 'events' },
        el('thead', null, el('tr', null, ['', 'Seq', 'At', 'Type', 'Step', 'Attempt', 'Actor', 'Data', 'Hash'].map((h) => el('th', null, h)))),
        rows));
    const rowBySeq = new Map();
    clear(rows, history.plain.map((e) => {
      const tr = el('tr', { 'data-seq': e.seq },
        el('td', { class: 'check' }, ''), el('td', null, String(e.seq)), el('td', { class: 'mono at' }, e.at),
        el('td', null, e.type), el('td', null, e.step || ''), el('td', null, String(e.attempt)), el('td', null, e.actor),
        el('td', { class: 'data' }, el('pre', null, JSON.stringify(e.data, null, 1))),
        el('td', { class: 'mono', title: e.hash }, String(e.hash).slice(0, 12) + '…'));
      rowBySeq.set(e.seq, tr);
      return tr;
    }));
    let result;
    try {
      result = await window.SlipwayChain.verifyChain(wf.id, history.lossless, wf.history);
    } catch (e) {
      verdict.className = 'card error-box';
      verdict.textContent = 'Cannot verify: ' + e.message;
      verdict.dataset.result = 'error';
      return;
    }
    for (const r of result.results) {
      const tr = rowBySeq.get(r.seq);
      if (!tr) continue;
      tr.classList.add(r.ok ? 'verified' : 'broken');
      tr.querySelector('td.check').textContent = r.ok ? '✓' : '✗ ' + r.reason;
    }
    if (result.ok) {
      verdict.className = 'card ok-box';
      verdict.dataset.result = 'verified';
      verdict.textContent = 'Chain verified: ' + result.verified + ' events, from the genesis to ' + result.head +
        '; it matches the head the workflow records (' + wf.history.last_seq + ').';
    } else {
      verdict.className = 'card error-box';
      verdict.dataset.result = 'broken';
      verdict.textContent = 'Chain BROKEN at seq ' + result.broken_at + ': ' + result.reason;
    }
  }

  // ---- stats -------------------------------------------------------------------------------

  const WINDOWS = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

  function flatten(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj || {})) {
      const key = prefix ? prefix + '.' + k : k;
      if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
      else out.push([key, v]);
    }
    return out;
  }

  async function showStats(params) {
    document.title = 'Slipway console: stats';
    const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const custom = params.get('window') === 'custom';
    const chosen = custom ? 'custom' : WINDOWS[params.get('window')] ? params.get('window') : '24h';
    let to = new Date();
    let from = new Date(to.getTime() - (WINDOWS[chosen] || WINDOWS['24h']));
    if (custom) {
      const f = new Date(params.get('from') || '');
      const t = new Date(params.get('to') || '');
      if (!Number.isNaN(f.getTime())) from = f;
      if (!Number.isNaN(t.getTime())) to = t;
    }
    const picker = el('select', { id: 'stats-window' },
      Object.keys(WINDOWS).map((w) => el('option', { value: w, selected: w === chosen }, 'last ' + w)),
      el('option', { value: 'custom', selected: custom }, 'from … to …'));
    const fromInput = el('input', { id: 'stats-from', value: iso(from), size: 22 });
    const toInput = el('input', { id: 'stats-to', value: iso(to), size: 22 });
    const apply = () => {
      if (picker.value !== 'custom') {
        location.hash = '#/stats?window=' + picker.value;
        return;
      }
      const q = new URLSearchParams({ window: 'custom', from: fromInput.value.trim(), to: toInput.value.trim() });
      location.hash = '#/stats?' + q.toString();
    };
    picker.addEventListener('change', () => { if (picker.value !== 'custom') apply(); });
    const out = el('div', { id: 'stats' }, 'Loading…');
    clear(main, el('h1', null, 'Stats'),
      el('div', { class: 'toolbar' }, el('label', null, 'Window', picker),
        el('label', null, 'From (UTC)', fromInput), el('label', null, 'To (UTC)', toInput),
        el('button', { type: 'button', id: 'stats-apply', onclick: apply }, 'Show'),
        el('button', { type: 'button', id: 'stats-refresh', onclick: () => route() }, 'Refresh')),
      out);
    let stats;
    try {
      stats = await api('GET', '/v1/stats?from=' + encodeURIComponent(iso(from)) + '&to=' + encodeURIComponent(iso(to)));
    } catch (e) {
      clear(out, el('div', { class: 'card error-box', id: 'stats-error' }, 'Error: ' + e.message));
      return;
    }
    const sections = [];
    const top = [];
    for (const [k, v] of Object.entries(stats)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) sections.push([k, v]);
      else top.push([k, v]);
    }
    const table = (pairs) => el('table', null, el('tbody', null, pairs.map(([k, v]) =>
      el('tr', null, el('th', null, k), el('td', { class: 'mono' }, v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v))))));
    clear(out, el('div', { class: 'card' }, table(top)),
      sections.map(([name, v]) => [el('h2', null, name), table(flatten(v, '', []))]));
  }

  // ---- tenants -----------------------------------------------------------------------------

  // Every tenant (GET /v1/tenants): repository, production branch, projects, domains, what
  // serves production, and the last deployments, each linking to its workflow.
  async function showTenants() {
    document.title = 'Slipway console: tenants';
    const out = el('div', { id: 'tenants' }, 'Loading…');
    clear(main, el('h1', null, 'Tenants'), out);
    let body;
    try {
      body = await api('GET', '/v1/tenants');
    } catch (e) {
      clear(out, el('div', { class: 'card error-box', id: 'tenants-error' }, 'Error: ' + e.message));
      return;
    }
    const rows = (body.tenants || []).map((t) => el('tr', { 'data-tenant': t.tenant },
      el('td', { class: 'mono' }, String(t.tenant)),
      el('td', { class: 'mono' }, String(t.repo_full_name || t.repo || '')),
      el('td', { class: 'mono' }, String(t.branch || t.default_branch || '')),
      el('td', null, (t.domains || []).map((d) => el('div', { class: 'mono' }, String(d)))),
      el('td', { class: 'mono' }, String(t.production_deployment || '—')),
      el('td', { class: 'mono' }, 'dev ' + String(t.dev_project_id || '—') + ' · prod ' + String(t.prod_project_id || '—')),
      el('td', null, t.require_approval ? 'approval required' : '—'),
      el('td', null, (t.last_deployments || []).map((d) =>
        el('div', null, routeLink('/workflow/' + encodeURIComponent(d.id), String(d.id)), ' ', badge(d.status))))));
    clear(out, el('table', { class: 'card' },
      el('thead', null, el('tr', null, ['Tenant', 'Repository', 'Production branch', 'Domains',
        'Serving production', 'Vercel projects', 'Approval', 'Last deployments'].map((h) => el('th', null, h)))),
      el('tbody', { id: 'tenant-rows' }, rows)),
      body.truncated ? el('p', null, 'Only the first 1,000 tenants are shown.') : null);
  }

  // ---- start -------------------------------------------------------------------------------

  document.getElementById('logout').addEventListener('click', () => logout('Signed out.'));
  window.addEventListener('hashchange', route);
  route();
})();
