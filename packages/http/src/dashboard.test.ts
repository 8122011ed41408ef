import { describe, expect, it } from 'vitest';
import { RateWindow, dashboardRoutes, type DashboardView } from './dashboard.ts';
import { createErrorHandler } from './errors.ts';

function view(players: number): DashboardView {
  return { service: 'test', startedAt: 1, at: Date.now(), cards: [{ key: 'players', label: 'Players', value: players }], tables: [], histograms: [] };
}

/** The first `count` snapshot events of a stream, then the stream cancelled. */
async function snapshots(response: Response, count: number): Promise<DashboardView[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const found: DashboardView[] = [];
  let buffer = '';
  while (found.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (const match of buffer.matchAll(/event: snapshot\ndata: (.*)\n\n/g)) found.push(JSON.parse(match[1]!) as DashboardView);
    buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
  }
  await reader.cancel();
  return found.slice(0, count);
}

function app(options: { adminToken?: string; maxViewers?: number } = {}) {
  let players = 0;
  const routes = dashboardRoutes({ title: 'Test <svc>', view: () => view(++players), intervalMs: 20, ...options });
  routes.onError(createErrorHandler({ log: () => {} }));
  return routes;
}

describe('dashboardRoutes', () => {
  it('serves the page, its script and style, with the title escaped and no outside address', async () => {
    const routes = app();
    const page = await (await routes.request('/dashboard')).text();
    expect(page).toContain('Test &#60;svc&#62;');
    expect(page).toContain('data-auth="open"');
    expect(page).not.toMatch(/https?:\/\//);
    const script = await routes.request('/dashboard/page.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect((await routes.request('/dashboard/page.css')).status).toBe(200);
  });

  it('streams a snapshot at once and then one per interval', async () => {
    const response = await app().request('/dashboard/events');
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const seen = await snapshots(response, 3);
    expect(seen.map((s) => s.cards[0]!.value)).toEqual([1, 2, 3]);
  });

  it('needs the admin token when one is set, and the page asks for it', async () => {
    const routes = app({ adminToken: 'a-long-admin-token-1234' });
    expect(await (await routes.request('/dashboard')).text()).toContain('data-auth="token"');
    const refused = await routes.request('/dashboard/events');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'admin-token-required' });
    expect((await routes.request('/dashboard/events', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await routes.request('/dashboard/events', { headers: { authorization: 'Bearer a-long-admin-token-1234' } });
    expect(ok.status).toBe(200);
    await ok.body!.cancel();
  });

  it('refuses viewers past the limit', async () => {
    const routes = app({ maxViewers: 1 });
    const first = await routes.request('/dashboard/events');
    await snapshots(first.clone(), 1);
    const second = await routes.request('/dashboard/events');
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ code: 'too-many-viewers' });
    await first.body!.cancel();
  });

  it('answers HEAD without holding a place, and ends every stream once the process is draining', async () => {
    let draining = false;
    const routes = dashboardRoutes({ title: 'x', intervalMs: 20, maxViewers: 1, view: () => view(1), draining: () => draining });
    routes.onError(createErrorHandler({ log: () => {} }));
    for (let i = 0; i < 3; i++) expect((await routes.request('/dashboard/events', { method: 'HEAD' })).status).toBe(200);
    const open = await routes.request('/dashboard/events');
    expect(open.status).toBe(200);
    draining = true;
    // The stream ends by itself (the server's close can finish), after what it had to send.
    const text = await open.text();
    expect(text).toContain('event: snapshot');
    expect((await routes.request('/dashboard/events')).status).toBe(503);
  });

  it('sends the page with a policy that allows only its own files', async () => {
    const res = await app().request('/dashboard');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 500 when the view fails, and recovers when it works again', async () => {
    let fail = true;
    const routes = dashboardRoutes({
      title: 'x',
      intervalMs: 20,
      view: async () => {
        if (fail) throw new Error('store down');
        return view(7);
      },
    });
    routes.onError(createErrorHandler({ log: () => {} }));
    expect((await routes.request('/dashboard/events')).status).toBe(500);
    fail = false;
    const [first] = await snapshots(await routes.request('/dashboard/events'), 1);
    expect(first!.cards[0]!.value).toBe(7);
  });
});

describe('RateWindow', () => {
  it('counts what the counter grew by in the last minute, not extrapolating a short history', () => {
    const rate = new RateWindow();
    expect(rate.lastMinute(0, 5)).toBe(0);
    expect(rate.lastMinute(2_000, 7)).toBe(2);
    expect(rate.lastMinute(60_000, 30)).toBe(25);
    // The samples at 0 and 2 s fall out of the window.
    expect(rate.lastMinute(90_000, 31)).toBe(1);
  });

  it('counts from the counter\'s zero when told when that was', () => {
    const young = new RateWindow(0);
    expect(young.lastMinute(1_000, 3)).toBe(3);
    expect(young.shortWindowHint(1_000)).toBe('since this process started, 1 s ago');
    // Watched only after a minute: what came before that minute is not in it, and the hint says so.
    const late = new RateWindow(0);
    expect(late.lastMinute(61_000, 3)).toBe(0);
    expect(late.shortWindowHint(61_000)).toBe('over the last 0 s: counted since the dashboard was opened');
    expect(late.lastMinute(91_000, 5)).toBe(2);
    expect(late.shortWindowHint(91_000)).toBe('over the last 30 s: counted since the dashboard was opened');
    expect(late.lastMinute(121_000, 6)).toBe(3);
    expect(late.shortWindowHint(121_000)).toBeUndefined();
  });
});
