// The bench's baseline: a bare Hono route on @hono/node-server that parses a small JSON body and
// answers one PASETO-signed ticket, with the repo's own signToken. Nothing else: no session, no
// store, no validation, no logging. Prints "listening on <url>" like the issuer.
import { serve } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { createSigningKey, generateSeed, signToken, toPasetoDate } from '@ticketbooth/tickets';

const key = createSigningKey(generateSeed());
const TTL_MS = 300_000;
const app = new Hono();

app.post('/v1/tickets', async (c) => {
  const body = (await c.req.json()) as { mode: string; region: string; latencies?: Record<string, number> };
  const now = Date.now();
  // The claims an issuer ticket carries for the same request (sub a user id, jti a UUID).
  const ticket = signToken(key, 'ticket', {
    iss: 'ticketbooth-issuer',
    sub: '00000000-0000-4000-8000-000000000001',
    aud: 'ticketbooth-matchmaker',
    iat: toPasetoDate(now),
    exp: toPasetoDate(now + TTL_MS),
    jti: randomUUID(),
    pool: { mode: body.mode, region: body.region },
    rating: 1500,
    queuedAt: toPasetoDate(now),
    ...(body.latencies === undefined ? {} : { latencies: body.latencies }),
  });
  return c.json({ ticket, expiresAt: toPasetoDate(now + TTL_MS) });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  console.log(`bare listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
