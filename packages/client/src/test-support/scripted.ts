// Test helpers: scripted services on real loopback ports, closed after each test.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** Closed after the running test, with the scripted ones. */
export function closeAfterTest(server: Server): void {
  servers.push(server);
}

/** A scripted service on a real loopback port: records calls, answers from the routes `build` adds. */
export async function scripted(build: (app: Hono, calls: string[]) => void) {
  const calls: string[] = [];
  const app = new Hono();
  app.use(async (c, next) => {
    calls.push(`${c.req.method} ${c.req.path}`);
    await next();
  });
  build(app, calls);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  servers.push(server);
  await new Promise((done) => server.once('listening', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

export const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: `/problems/${code}`, title: code, status, code }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

export function grant(matchmakerUrl: string, ticket: string, lifeMs = 60_000) {
  return { ticket, matchmakerUrl, resubmitAfterMs: 10, expiresAt: new Date(Date.now() + lifeMs).toISOString() };
}

/** Polls `what` every 5 ms for up to 2 s. */
export async function until(what: () => boolean): Promise<void> {
  for (let waited = 0; !what() && waited < 2_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
}

export const pauseMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
