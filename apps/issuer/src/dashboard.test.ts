import type { DashboardView } from '@ticketbooth/http';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, bearer, createTestIssuer, jsonRequest, signUp, type TestIssuer } from './testing.ts';

let issuer: TestIssuer;
afterEach(() => issuer?.close());

/** The first snapshot the dashboard's stream sends. */
async function firstSnapshot(response: Response): Promise<DashboardView> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended: ${text}`);
    text += value;
    const found = /event: snapshot\ndata: (.*)\n\n/.exec(text);
    if (found !== null) {
      await reader.cancel();
      return JSON.parse(found[1]!) as DashboardView;
    }
  }
}

describe('GET /dashboard on the issuer', () => {
  it('shows tickets signed per pool, logins by outcome and answers per route, behind the admin token', async () => {
    issuer = createTestIssuer({ settings: { adminToken: TEST_ADMIN_TOKEN } });
    const { token } = await signUp(issuer, 'alice');
    expect((await issuer.app.request('/v1/tickets', jsonRequest('POST', { mode: 'duel', region: 'eu' }, bearer(token)))).status).toBe(200);
    expect((await issuer.app.request('/v1/sessions', jsonRequest('POST', { username: 'alice', password: 'wrong password!' }))).status).toBe(401);

    expect((await issuer.app.request('/dashboard')).headers.get('content-type')).toContain('text/html');
    expect((await issuer.app.request('/dashboard/events')).status).toBe(401);
    const view = await firstSnapshot(await issuer.app.request('/dashboard/events', { headers: bearer(TEST_ADMIN_TOKEN) }));
    expect(view.service).toBe('issuer');
    expect(view.cards.find((c) => c.key === 'tickets')?.value).toBe(1);
    const [pools, routes] = view.tables;
    expect(pools!.rows).toEqual([['duel/eu', 1, 1]]);
    const ticketRoute = routes!.rows.find((row) => row[0] === 'POST /v1/tickets');
    expect(ticketRoute?.[1]).toBe(1);
    expect(view.histograms[0]!.series[0]!.counts).toEqual([1, 1, 0, 0]);
  });
});
