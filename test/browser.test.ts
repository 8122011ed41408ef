// In a real browser (headless Chromium): the matchmaker's live dashboard, the built SDK bundle
// queueing two players from a page of another origin, and the interactive API reference.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createClient } from '@ticketbooth/client';
import { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, loopbackOnly } from './support/browser.ts';
import { createPlayers, startCluster, type Cluster } from './support/cluster.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, 'artifacts');
// The README's picture: written only when asked, so a test run leaves the tree as it was.
const README_SCREENSHOT = join(here, '..', 'docs', 'images', 'dashboard.png');
const RESUBMIT_MS = 8_000;

describe.runIf(browserAvailable())('in a browser', () => {
  let cluster: Cluster;
  let browser: Browser;
  beforeAll(async () => {
    // A long resubmit interval: a match that reaches a player within it came over the push (SSE).
    [cluster, browser] = await Promise.all([startCluster({ resubmitMs: RESUBMIT_MS, warmupMs: 300 }), launchChromium()]);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('the dashboard shows the pools and follows players queueing and being matched', async () => {
    const { context, outside } = await loopbackOnly(browser);
    const page = await context.newPage();
    await page.goto(`${cluster.matchmaker.url}/dashboard`);
    // ADMIN_TOKEN is set: the page asks for it before it shows anything.
    await page.locator('#token').fill(cluster.adminToken);
    await page.locator('#login button').click();
    const players = page.locator('[data-key="players"] .value');
    await expect.poll(() => players.textContent(), { timeout: 10_000 }).toBe('0');
    const poolRows = page.locator('#tables tbody tr');
    await expect.poll(() => poolRows.count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#tables').textContent()).toContain('duel/eu');

    // Three far apart (no match yet), then partners for two of them: the page follows both steps.
    const crowd = await createPlayers(cluster, 5, 'duel', (i) => [1000, 1500, 2000, 1000, 1500][i]!);
    const stop = new AbortController();
    const queue = (i: number) =>
      createClient({ issuerUrl: cluster.issuer.url, fetch: crowd[i]!.fetch })
        .queue(crowd[i]!.session, { mode: 'duel', region: 'eu' }, { signal: stop.signal })
        .catch(() => undefined);
    const queued = [0, 1, 2].map(queue);
    await expect.poll(() => players.textContent(), { timeout: 15_000 }).toBe('3');
    const matched = [3, 4].map(queue);
    await Promise.all([queued[0], queued[1], ...matched]);
    await expect.poll(() => players.textContent(), { timeout: 15_000 }).toBe('1');
    await expect.poll(async () => Number(await page.locator('[data-key="matches"] .value').textContent()), { timeout: 10_000 }).toBe(2);
    // Time-to-match is in the pool's row once matches formed there.
    const duelRow = page.locator('#tables tbody tr', { hasText: 'duel/eu' });
    await expect.poll(async () => (await duelRow.locator('td').nth(4).textContent())?.trim(), { timeout: 10_000 }).not.toBe('–');
    expect(await page.locator('.histogram').count()).toBeGreaterThan(0);

    const shot = await page.screenshot({ fullPage: true });
    writeFileSync(join(ARTIFACTS, 'dashboard.png'), shot);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(dirname(README_SCREENSHOT), { recursive: true });
      writeFileSync(README_SCREENSHOT, shot);
    }

    // A crash: the page reconnects to the restarted process and follows the rebuild against the
    // count it saw before (the process itself remembers nothing).
    await cluster.matchmaker.kill();
    await cluster.startMatchmaker();
    await expect.poll(() => page.locator('#rebuild-progress').textContent(), { timeout: 30_000 }).toMatch(/^1 of 1 players back \(100 %\)/);
    await expect.poll(() => players.textContent()).toBe('1');
    stop.abort();
    await Promise.all(queued);
    expect(outside).toEqual([]);
    await context.close();
  });

  it('a page loading the built SDK bundle queues two players, and both get the same match over SSE', async () => {
    const site = await serveSdkPage();
    try {
      const { context, outside } = await loopbackOnly(browser);
      const page = await context.newPage();
      const streams: string[] = [];
      page.on('response', (response) => {
        if (response.url().endsWith('/v1/queue/events') && response.status() === 200) streams.push(response.headers()['content-type'] ?? '');
      });
      await page.goto(site.url);
      await page.waitForFunction(() => 'play' in globalThis);
      const startedAt = Date.now();
      const results = (await page.evaluate(
        async (issuerUrl) => {
          const play = (globalThis as unknown as { play: (url: string, name: string) => Promise<unknown> }).play;
          const run = Math.random().toString(36).slice(2, 8);
          return Promise.all([play(issuerUrl, `web-${run}-a`), play(issuerUrl, `web-${run}-b`)]);
        },
        cluster.issuer.url,
      )) as { id: string; players: string[]; statuses: string[] }[];
      const tookMs = Date.now() - startedAt;
      expect(results).toHaveLength(2);
      expect(results[0]!.id).toBe(results[1]!.id);
      expect(results[0]!.players).toHaveLength(2);
      // Each player listened on the push stream, and the match came before any resubmission
      // could have brought it (the first is at least 0.8 x the interval after queueing).
      expect(streams.length).toBeGreaterThanOrEqual(2);
      expect(streams.every((type) => type.startsWith('text/event-stream'))).toBe(true);
      expect(tookMs).toBeLessThan(RESUBMIT_MS * 0.8);
      expect(results.every((r) => r.statuses[0] === 'searching')).toBe(true);
      expect(outside).toEqual([]);
      await context.close();
    } finally {
      site.server.close();
    }
  });

  it('/docs renders the interactive reference of both services, from the services alone', async () => {
    const { context, outside } = await loopbackOnly(browser);
    const page = await context.newPage();
    for (const [service, title, operation] of [
      [cluster.matchmaker, 'Ticketbooth matchmaker', '/v1/queue'],
      [cluster.issuer, 'Ticketbooth issuer', '/v1/accounts'],
    ] as const) {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${service.url}/docs`);
      await page.getByText(title).first().waitFor({ timeout: 20_000 });
      await page.getByText(operation).first().waitFor({ timeout: 20_000 });
      expect(errors).toEqual([]);
      writeFileSync(join(ARTIFACTS, `docs-${title.split(' ')[1]}.png`), await page.screenshot());
    }
    expect(outside).toEqual([]);
    await context.close();
  });
});

/** A page of its own origin that loads the SDK's browser bundle, as a game's web client would. */
async function serveSdkPage(): Promise<{ url: string; server: ServerType }> {
  const require = createRequire(import.meta.url);
  // The bundle `pnpm build` writes (packages/client/dist/browser), as the package exports it.
  const bundle = readFileSync(require.resolve('@ticketbooth/client/browser'), 'utf8');
  const page = `<!doctype html><meta charset="utf-8"><title>SDK in a browser</title>
<script type="module">
import { createClient } from '/ticketbooth-client.js';
window.play = async (issuerUrl, username) => {
  const client = createClient({ issuerUrl });
  await client.register(username, 'a-long-enough-password');
  const session = await client.login(username, 'a-long-enough-password');
  const statuses = [];
  const match = await client.queue(session, { mode: 'duel', region: 'eu' }, { onStatus: (s) => statuses.push(s.status) });
  client.settle(match.id);
  return { id: match.id, players: match.teams.flat().map((p) => p.sub), statuses };
};
</script>`;
  const app = new Hono()
    .get('/', (c) => c.html(page))
    .get('/ticketbooth-client.js', (c) => c.body(bundle, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}
