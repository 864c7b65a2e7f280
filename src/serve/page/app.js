// The scannergrouper page: reads the JSON API of the same server and builds the view with DOM calls.
// Every value from the database is written with textContent or as an attribute value, never as markup:
// strings from captures (user agents, DNS names, URIs) are whatever scanners sent.
'use strict';

const FIELDS = ['ja3', 'ja4', 'ua', 'qname', 'hassh', 'sni'];
// The search a fingerprint kind of the evidence pivots to.
const PIVOT = { ja3: 'ja3', ja4: 'ja4', user_agents: 'ua', qnames: 'qname', hassh: 'hassh', sni: 'sni' };
const KIND_LABEL = {
  ports: 'Ports', user_agents: 'User agents', uris: 'URIs', ja3: 'JA3', ja4: 'JA4', sni: 'SNI', qnames: 'DNS names',
  ssh_banners: 'SSH banners', hassh: 'HASSH', rdp_cookies: 'RDP cookies', syn_signatures: 'SYN signatures',
  payloads: 'Payloads',
};

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function queryLink(q, text) {
  const a = el('a', { href: '/?q=' + encodeURIComponent(q) }, text === undefined ? q : text);
  a.addEventListener('click', (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.preventDefault();
    go(q);
  });
  return a;
}

function orgLink(org) {
  if (org === null || org === undefined) return el('span', { class: 'muted' }, 'none yet');
  if (org === 'unknown') return el('span', { class: 'muted' }, 'unknown');
  return queryLink(org);
}

const day = (ts) => (ts ? String(ts).slice(0, 10) : '');
const when = (ts) => (ts ? String(ts).replace('T', ' ').slice(0, 19) : '');
const pct = (x) => (x === null || x === undefined ? '' : (100 * x).toFixed(0) + '%');

// A table whose rows can be sorted (click a header) and filtered (the box above it).
// columns: [{label, value: row => sortable value, cell: row => Node|string, num}]
function table(id, columns, rows, opts) {
  opts = opts || {};
  const box = el('div', { class: 'tablebox', id: id });
  const filter = el('input', { class: 'filter', type: 'search', placeholder: 'filter', 'aria-label': 'filter' });
  const tbody = el('tbody');
  const headRow = el('tr');
  let sortCol = -1, sortDir = 1;
  const ths = columns.map((c, i) => {
    const th = el('th', { class: c.num ? 'num' : null, scope: 'col', tabindex: 0, title: 'sort' }, c.label);
    th.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); th.click(); }
    });
    th.addEventListener('click', () => {
      sortDir = sortCol === i ? -sortDir : 1;
      sortCol = i;
      ths.forEach((h) => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      draw();
    });
    headRow.appendChild(th);
    return th;
  });
  const items = rows.map((r) => {
    const tr = el('tr');
    for (const c of columns) {
      const v = c.cell ? c.cell(r) : c.value(r);
      tr.appendChild(el('td', { class: c.num ? 'num' : c.nowrap ? 'nowrap' : null }, v === undefined ? '' : v));
    }
    return { row: r, tr: tr, text: tr.textContent.toLowerCase() };
  });
  function draw() {
    const f = filter.value.trim().toLowerCase();
    let shown = items.filter((it) => !f || it.text.includes(f));
    if (sortCol >= 0) {
      const c = columns[sortCol];
      shown = shown.slice().sort((a, b) => {
        const x = c.value(a.row), y = c.value(b.row);
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * sortDir;
      });
    }
    tbody.replaceChildren(...shown.map((it) => it.tr));
  }
  filter.addEventListener('input', draw);
  draw();
  if (rows.length > 5) box.appendChild(filter);
  box.appendChild(el('table', null, el('thead', null, headRow), tbody));
  if (!rows.length) box.appendChild(el('p', { class: 'muted' }, opts.empty || 'none'));
  return box;
}

function facts(id, pairs) {
  const dl = el('dl', { class: 'facts', id: id });
  for (const [k, v, key] of pairs) {
    dl.appendChild(el('dt', null, k));
    dl.appendChild(el('dd', { 'data-key': key }, v === undefined || v === null ? '' : v));
  }
  return dl;
}

function card(label, n) {
  return el('div', { class: 'card' }, el('div', { class: 'n' }, String(n)), el('div', { class: 'muted' }, label));
}

// One table of an object {kind: [{value, count}]}: the fingerprints of an ip or an organisation.
function fingerprintTable(id, fps) {
  const rows = [];
  for (const [kind, list] of Object.entries(fps || {}))
    for (const v of list || []) rows.push({ kind: kind, value: v.value, count: v.count });
  return table(id, [
    { label: 'Kind', value: (r) => KIND_LABEL[r.kind] || r.kind },
    { label: 'Value', value: (r) => r.value,
      cell: (r) => (PIVOT[r.kind] ? queryLink(PIVOT[r.kind] + '=' + r.value, r.value) : el('span', null, r.value)) },
    { label: 'Count', value: (r) => r.count, num: true },
  ], rows, { empty: 'no fingerprints' });
}

// A bar chart of per-week counts, drawn as SVG elements.
function weeklyChart(weekly, key) {
  const NS = 'http://www.w3.org/2000/svg';
  const H = 180, pad = 28;
  const bw = Math.max(4, Math.min(60, 664 / Math.max(1, weekly.length) - 4));
  const W = Math.max(720, 2 * pad + weekly.length * (bw + 4));
  // Years of weeks: a date under every few bars only, counts on top only while they fit.
  const every = Math.max(1, Math.ceil(40 / (bw + 4)));
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('id', 'weekly-chart');
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'ips per week');
  const max = Math.max(1, ...weekly.map((w) => w[key]));
  weekly.forEach((w, i) => {
    const h = ((H - 2 * pad) * w[key]) / max;
    const x = pad + i * (bw + 4);
    const r = document.createElementNS(NS, 'rect');
    r.setAttribute('x', x);
    r.setAttribute('y', H - pad - h);
    r.setAttribute('width', bw);
    r.setAttribute('height', Math.max(1, h));
    const t = document.createElementNS(NS, 'title');
    t.textContent = day(w.window_start) + ': ' + w[key] + ' ips, ' + w.probes + ' probes';
    r.appendChild(t);
    svg.appendChild(r);
    if (i % every === 0) {
      const label = document.createElementNS(NS, 'text');
      label.setAttribute('x', x);
      label.setAttribute('y', H - pad + 12);
      label.textContent = day(w.window_start).slice(every > 1 ? 2 : 5);
      svg.appendChild(label);
    }
    if (bw >= 16) {
      const n = document.createElementNS(NS, 'text');
      n.setAttribute('x', x);
      n.setAttribute('y', H - pad - h - 3);
      n.textContent = String(w[key]);
      svg.appendChild(n);
    }
  });
  return svg;
}

async function api(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const msg = body && body.error ? body.error.message : 'HTTP ' + res.status;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return body;
}

// "More" under a paged list: fetches the next page and appends its rows to a new table.
function pager(container, data, fetchPage, render) {
  if (data.next_offset === null || data.next_offset === undefined) return;
  const btn = el('button', { class: 'secondary', type: 'button' }, 'More (' + (data.total - data.next_offset) + ' left)');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const next = await fetchPage(data.next_offset);
      btn.remove();
      render(next);
    } catch (e) { btn.replaceWith(el('p', { class: 'error' }, e.message)); }
  });
  container.appendChild(btn);
}

function summaryTable(id, items) {
  return table(id, [
    { label: 'IP', value: (r) => r.ip, cell: (r) => queryLink(r.ip) },
    { label: 'Organisation', value: (r) => r.org, cell: (r) => orgLink(r.org) },
    { label: 'Confidence', value: (r) => r.confidence, cell: (r) => pct(r.confidence), num: true },
    { label: 'Evidence', value: (r) => r.evidence_kind || '' },
    { label: 'Weeks', value: (r) => r.weeks, num: true },
    { label: 'Probes', value: (r) => r.probes, num: true },
    { label: 'First seen', value: (r) => r.first_seen, cell: (r) => when(r.first_seen), nowrap: true },
    { label: 'Last seen', value: (r) => r.last_seen, cell: (r) => when(r.last_seen), nowrap: true },
  ], items, { empty: 'no ips' });
}

async function showStats(main) {
  const s = await api('/v1/stats');
  main.appendChild(el('h2', null, 'Scanner database'));
  main.appendChild(el('div', { class: 'cards', id: 'stats' },
    card('probes', s.probes), card('source ips', s.source_ips), card('attributed ips', s.scanner_ips),
    card('weeks', s.weeks.length), card('captures', s.captures)));
  main.appendChild(el('p', { class: 'muted' },
    'Probes from ' + when(s.first_probe) + ' to ' + when(s.last_probe) +
    (s.latest_week ? '; latest week ' + day(s.latest_week) : '') + '.'));
  main.appendChild(el('h3', null, 'Organisations'));
  main.appendChild(table('orgs', [
    { label: 'Organisation', value: (r) => r.org, cell: (r) => orgLink(r.org) },
    { label: 'IPs, latest week', value: (r) => r.ips_latest_week, num: true },
    { label: 'IPs, all weeks', value: (r) => r.ips, num: true },
    { label: 'Rows', value: (r) => r.rows, num: true },
  ], s.orgs, { empty: 'no attribution yet (identify some weeks)' }));
}

async function showIp(main, ip) {
  const d = await api('/v1/ip/' + encodeURIComponent(ip));
  const a = d.attribution;
  main.appendChild(el('h2', { id: 'ip-title' }, d.ip));
  main.appendChild(facts('ip-facts', [
    ['Organisation', orgLink(d.org), 'org'],
    ['Confidence', a ? pct(a.confidence) : '', 'confidence'],
    ['Evidence kind', a ? el('span', { class: 'kind' }, a.evidence_kind) : '', 'evidence_kind'],
    ['Why', a ? a.reason : '', 'reason'],
    ['Latest week', a ? day(a.window_start) : '', 'week'],
    ['First seen', when(d.first_seen), 'first_seen'],
    ['Last seen', when(d.last_seen), 'last_seen'],
    ['Weeks', d.weeks, 'weeks'],
    ['Services', (d.services || []).join(', '), 'services'],
    ['Probes', d.probes, 'probes'],
  ]));
  main.appendChild(el('h3', null, 'Label lists'));
  main.appendChild(table('labels', [
    { label: 'Organisation', value: (r) => r.org, cell: (r) => orgLink(r.org) },
    { label: 'Probes', value: (r) => r.probes, num: true },
    { label: 'Lists', value: (r) => r.sources.join(', ') },
  ], d.labels, { empty: 'no label list names it' }));
  main.appendChild(el('h3', null, 'Evidence ', el('span', { class: 'muted' }, '(' + d.fingerprints_from + ')')));
  main.appendChild(fingerprintTable('evidence', d.fingerprints));
  main.appendChild(el('h3', null, 'History'));
  main.appendChild(table('history', [
    { label: 'Week', value: (r) => r.window_start, cell: (r) => day(r.window_start), nowrap: true },
    { label: 'Organisation', value: (r) => r.org, cell: (r) => orgLink(r.org) },
    { label: 'Confidence', value: (r) => r.confidence, cell: (r) => pct(r.confidence), num: true },
    { label: 'Evidence', value: (r) => r.evidence_kind, nowrap: true },
    { label: 'Probes', value: (r) => r.probes, num: true },
    { label: 'Services', value: (r) => r.services.join(', ') },
    { label: 'Why', value: (r) => r.reason },
  ], d.history, { empty: 'no week attributed yet' }));
}

async function showOrg(main, org) {
  const base = '/v1/org/' + encodeURIComponent(org);
  const d = await api(base + '?limit=200');
  main.appendChild(el('h2', { id: 'org-title' }, d.org));
  main.appendChild(el('div', { class: 'cards' }, card('ips', d.total), card('weeks', d.weekly.length)));
  main.appendChild(el('h3', null, 'IPs per week'));
  main.appendChild(el('div', { class: 'chartbox' }, weeklyChart(d.weekly, 'ips')));
  main.appendChild(el('h3', null, 'Fingerprints ', el('span', { class: 'muted' }, '(' + d.fingerprints_from + ')')));
  main.appendChild(fingerprintTable('org-fingerprints', d.fingerprints));
  main.appendChild(el('h3', null, 'IPs'));
  const list = el('div', { id: 'org-ips' });
  main.appendChild(list);
  const render = (page) => {
    list.appendChild(table('org-ips-' + page.offset, [
      { label: 'IP', value: (r) => r.ip, cell: (r) => queryLink(r.ip) },
      { label: 'Weeks', value: (r) => r.weeks, num: true },
      { label: 'Confidence', value: (r) => r.confidence, cell: (r) => pct(r.confidence), num: true },
      { label: 'Evidence', value: (r) => r.evidence_kind, nowrap: true },
      { label: 'Probes', value: (r) => r.probes, num: true },
      { label: 'First seen', value: (r) => r.first_seen, cell: (r) => when(r.first_seen), nowrap: true },
      { label: 'Last seen', value: (r) => r.last_seen, cell: (r) => when(r.last_seen), nowrap: true },
    ], page.ips));
    pager(list, page, (off) => api(base + '?limit=200&offset=' + off), render);
  };
  render(d);
}

async function showCidr(main, cidr) {
  const base = '/v1/ip?cidr=' + encodeURIComponent(cidr);
  const d = await api(base + '&limit=500');
  main.appendChild(el('h2', { id: 'cidr-title' }, d.cidr));
  main.appendChild(el('p', { class: 'muted' }, d.total + ' ips in the database'));
  const list = el('div', { id: 'cidr-ips' });
  main.appendChild(list);
  const render = (page) => {
    list.appendChild(summaryTable('cidr-' + page.offset, page.items));
    pager(list, page, (off) => api(base + '&limit=500&offset=' + off), render);
  };
  render(d);
}

async function showSearch(main, field, value) {
  const base = '/v1/search?' + field + '=' + encodeURIComponent(value);
  const d = await api(base + '&limit=500');
  main.appendChild(el('h2', { id: 'search-title' }, field + ' = ' + value));
  main.appendChild(el('p', { class: 'muted' }, d.total + ' ips sent it'));
  const list = el('div', { id: 'search-ips' });
  main.appendChild(list);
  const render = (page) => {
    list.appendChild(table('search-' + page.offset, [
      { label: 'IP', value: (r) => r.ip, cell: (r) => queryLink(r.ip) },
      { label: 'Organisation', value: (r) => r.org, cell: (r) => orgLink(r.org) },
      { label: 'Confidence', value: (r) => r.confidence, cell: (r) => pct(r.confidence), num: true },
      { label: 'Probes', value: (r) => r.probes, num: true },
      { label: 'First seen', value: (r) => r.first_seen, cell: (r) => when(r.first_seen), nowrap: true },
      { label: 'Last seen', value: (r) => r.last_seen, cell: (r) => when(r.last_seen), nowrap: true },
    ], page.items, { empty: 'no ip sent it' }));
    pager(list, page, (off) => api(base + '&limit=500&offset=' + off), render);
  };
  render(d);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/;

// What a search box text asks for.
function classify(q) {
  const eq = q.indexOf('=');
  if (eq > 0 && FIELDS.includes(q.slice(0, eq).toLowerCase())) return ['search', q.slice(0, eq).toLowerCase(), q.slice(eq + 1)];
  if (q.includes('/') && (IPV4.test(q.split('/')[0]) || IPV6.test(q.split('/')[0]))) return ['cidr', q];
  if (IPV4.test(q) || IPV6.test(q)) return ['ip', q];
  if (/^[tq]\d\d[di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/.test(q)) return ['search', 'ja4', q];
  if (/^[0-9a-f]{32}$/.test(q)) return ['search', 'ja3', q];
  return ['org', q];
}

async function render(q) {
  const main = document.getElementById('main');
  document.body.dataset.state = 'loading';
  main.replaceChildren();
  const box = document.getElementById('q');
  box.value = q;
  box.setAttribute('value', q);
  document.title = q ? q + ' · scannergrouper' : 'scannergrouper';
  try {
    if (!q) await showStats(main);
    else {
      const [kind, a, b] = classify(q);
      main.dataset.view = kind;
      if (kind === 'ip') await showIp(main, a);
      else if (kind === 'cidr') await showCidr(main, a);
      else if (kind === 'search') await showSearch(main, a, b);
      else await showOrg(main, a);
    }
    document.body.dataset.state = 'ready';
  } catch (e) {
    main.appendChild(el('p', { class: 'error', id: 'error' }, e.message));
    document.body.dataset.state = 'error';
  }
}

function go(q) {
  q = q.trim();
  history.pushState(null, '', q ? '/?q=' + encodeURIComponent(q) : '/');
  render(q);
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(document.getElementById('q').value);
  });
  window.addEventListener('popstate', () => render(new URLSearchParams(location.search).get('q') || ''));
  render((new URLSearchParams(location.search).get('q') || '').trim());
});
