// The dashboard page: reads /dashboard/events (SSE over fetch, so the admin token goes in a
// header, not the URL) and draws each snapshot. No framework: the DOM is built with
// textContent only, so nothing a snapshot carries is ever parsed as HTML.
/* global document, fetch, location, Node, sessionStorage, setTimeout, TextDecoderStream -- a browser page */
const $ = (id) => document.getElementById(id);
const needsToken = document.body.dataset.auth === 'token';
const SVG = 'http://www.w3.org/2000/svg';
const TREND_MS = 5 * 60_000;

let token = sessionStorage.getItem('ticketbooth-admin-token') ?? '';
const MEMORY = `ticketbooth-dashboard:${location.pathname}`;
let previous; // { startedAt, players } of the last snapshot seen
let restart; // { at, before }: players this page saw just before the process restarted
const trend = []; // [at, players]

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const number = new Intl.NumberFormat('en');
function show(value) {
  if (value === null || value === undefined) return '–';
  return typeof value === 'number' ? number.format(Math.round(value * 10) / 10) : value;
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function setStatus(text, state) {
  $('status').textContent = text;
  $('status').className = `status ${state ?? ''}`;
}

function drawCards(cards) {
  $('cards').replaceChildren(
    ...cards.map((card) =>
      el('div', { class: 'card', 'data-key': card.key }, el('div', { class: 'label' }, card.label), el('div', { class: `value ${card.state ?? ''}` }, show(card.value)), ...(card.hint ? [el('div', { class: 'hint' }, card.hint)] : [])),
    ),
  );
}

function drawTables(tables) {
  $('tables').replaceChildren(
    ...tables.map((table) =>
      el(
        'div',
        { class: 'panel' },
        el('h2', {}, table.title),
        el('table', {}, el('thead', {}, el('tr', {}, ...table.columns.map((c) => el('th', {}, c)))), el('tbody', {}, ...table.rows.map((row) => el('tr', {}, ...row.map((cell) => el('td', {}, show(cell))))))),
      ),
    ),
  );
}

function drawHistograms(histograms) {
  $('histograms').replaceChildren(
    ...histograms.flatMap((h) =>
      h.series.map((series) => {
        const max = Math.max(1, ...series.counts);
        const width = 300;
        const slot = width / series.counts.length;
        const bars = series.counts.map((count, i) => {
          const height = (count / max) * 62;
          return el('svg:g', {}, el('svg:rect', { class: 'bar', x: i * slot + 2, y: 80 - height, width: slot - 4, height, rx: 2 }, el('svg:title', {}, `${h.labels[i]}: ${count}`)), el('svg:text', { x: i * slot + slot / 2, y: 94, 'text-anchor': 'middle' }, h.labels[i]), el('svg:text', { x: i * slot + slot / 2, y: 76 - height, 'text-anchor': 'middle' }, count > 0 ? show(count) : ''));
        });
        return el('div', { class: 'panel histogram', 'data-series': series.name }, el('h2', {}, `${h.title}: ${series.name}`), el('svg:svg', { viewBox: `0 0 ${width} 100`, role: 'img', 'aria-label': `${h.title} ${series.name}` }, ...bars));
      }),
    ),
  );
}

function drawTrend() {
  const svg = $('sparkline');
  $('trend').hidden = trend.length < 2;
  if (trend.length < 2) return svg.replaceChildren();
  const [t0] = trend[0];
  const t1 = trend[trend.length - 1][0];
  const max = Math.max(1, ...trend.map(([, p]) => p));
  const d = trend.map(([t, p], i) => `${i ? 'L' : 'M'}${(((t - t0) / Math.max(1, t1 - t0)) * 600).toFixed(1)},${(78 - (p / max) * 74).toFixed(1)}`).join('');
  svg.replaceChildren(el('svg:path', { d }));
  const spanS = Math.round((t1 - t0) / 1000);
  const span = spanS < 90 ? `${spanS} s` : `${Math.round(spanS / 60)} min`;
  $('trend-title').textContent = `Players searching, last ${span} (now ${show(trend[trend.length - 1][1])}, highest ${show(max)})`;
}

/** A progress bar's fill: its width set through the CSSOM (the page's policy refuses style attributes). */
function bar(share) {
  const fill = el('div');
  fill.style.width = `${(share * 100).toFixed(1)}%`;
  return fill;
}

function drawRebuild(view, players) {
  const panel = $('rebuild');
  const warmup = view.warmup;
  if (!restart && !(warmup && warmup.warmingUp)) return (panel.hidden = true);
  panel.hidden = false;
  const parts = [el('h2', {}, 'Rebuild after restart')];
  if (restart && restart.before > 0) {
    const share = Math.min(1, players / restart.before);
    parts.push(
      el('div', { id: 'rebuild-progress' }, `${show(players)} of ${show(restart.before)} players back (${Math.round(share * 100)} %), counting as this page saw them before the restart at ${new Date(restart.at).toLocaleTimeString()}`),
      el('div', { class: 'progress' }, bar(share)),
    );
  }
  if (warmup) {
    parts.push(
      el(
        'div',
        { id: 'warmup', class: warmup.warmingUp ? 'warn' : 'ok' },
        warmup.warmingUp
          ? `Warming up for ${seconds(warmup.elapsedMs)} (at least ${seconds(warmup.minMs)}, at most ${seconds(warmup.maxMs)}): ${show(warmup.back)} returning players so far, ${show(warmup.lastInterval)} in the last interval; matching starts when an interval brings ${show(warmup.endsBelow)} or fewer`
          : 'Warm-up over: matching',
      ),
    );
  }
  panel.replaceChildren(...parts);
}

/** What this tab saw before a reload: the last process and its count, and a rebuild it was following. */
function remembered() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(MEMORY) ?? 'null');
    if (saved?.restart) restart = saved.restart;
    return saved ?? undefined;
  } catch {
    return undefined;
  }
}

function draw(view) {
  const playersCard = view.cards.find((c) => c.key === 'players');
  const players = playersCard?.value ?? 0;
  // The process remembers nothing across a crash; this tab does (a reload too): the count it saw last.
  const seen = previous ?? remembered();
  if (playersCard && seen && seen.startedAt !== view.startedAt) restart = { at: view.startedAt, before: seen.players };
  previous = { startedAt: view.startedAt, players };
  if (playersCard) sessionStorage.setItem(MEMORY, JSON.stringify({ ...previous, restart }));
  // Followed only where there is a count of players (the matchmaker's page).
  if (playersCard) trend.push([view.at, players]);
  while (trend.length > 2 && view.at - trend[0][0] > TREND_MS) trend.shift();
  drawCards(view.cards);
  drawTables(view.tables);
  drawHistograms(view.histograms);
  drawTrend();
  drawRebuild(view, players);
  document.body.dataset.updated = String(view.at);
  setStatus(`live · ${new Date(view.at).toLocaleTimeString()}`, 'live');
}

/** Events of a text/event-stream body: `event` and `data` fields, one event per blank line. */
async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const event = { event: 'message', data: [] };
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = text;
        else if (field === 'data') event.data.push(text);
      }
      yield { event: event.event, data: event.data.join('\n') };
    }
  }
}

async function connect() {
  let delayMs = 500;
  for (;;) {
    try {
      const response = await fetch('/dashboard/events', { headers: needsToken ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
      if (response.status === 401) return askToken('That token was refused');
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      $('login').hidden = true;
      $('main').hidden = false;
      delayMs = 500;
      for await (const { event, data } of events(response.body)) if (event === 'snapshot') draw(JSON.parse(data));
      throw new Error('stream ended');
    } catch (error) {
      setStatus(`disconnected (${error.message}); retrying`, 'down');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  }
}

function askToken(message) {
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
  setStatus('admin token needed');
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  token = $('token').value;
  sessionStorage.setItem('ticketbooth-admin-token', token);
  void connect();
});

if (needsToken && !token) askToken();
else void connect();
