// The baseline: the same POST /v1/queue, but the bearer is an opaque session id looked up in
// Redis on every request (GETEX refreshes its TTL in the same round trip), the design where
// the session store is on the request path. One connection, auto-pipelined, as it would be
// done in production; the in-memory upsert is as cheap as the matchmaker's.
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { startServer } from '@ticketbooth/http';
import { sessionKey, type RedisSession } from '../redis-sessions.ts';

const db = Number(process.env.BENCH_REDIS_DB ?? 7);
const ttlSeconds = Number(process.env.BENCH_SESSION_TTL_S ?? 300);
const resubmitAfterMs = 5_000;
const redis = new Redis({ host: '127.0.0.1', port: 6379, db, enableAutoPipelining: true, lazyConnect: true });
await redis.connect();

interface Entry {
  readonly pool: string;
  readonly rating: number;
  readonly queuedAt: number;
  lastSeen: number;
}
const entries = new Map<string, Entry>();
const playersIn = new Map<string, number>();
const poolJson = new Map<string, string>();

function upsert(session: RedisSession, at: number): Entry {
  const existing = entries.get(session.sub);
  if (existing !== undefined) {
    existing.lastSeen = at;
    return existing;
  }
  const pool = `${session.mode}/${session.region}`;
  const entry: Entry = { pool, rating: session.rating, queuedAt: session.queuedAt, lastSeen: at };
  entries.set(session.sub, entry);
  playersIn.set(pool, (playersIn.get(pool) ?? 0) + 1);
  if (!poolJson.has(pool)) poolJson.set(pool, JSON.stringify({ mode: session.mode, region: session.region }));
  return entry;
}

const app = new Hono();
app.post('/v1/queue', async (c) => {
  const header = c.req.header('authorization');
  const id = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  if (!id) return c.json({ type: '/problems/missing-ticket' }, 401);
  const stored = await redis.getex(sessionKey(id), 'EX', ttlSeconds);
  if (stored === null) return c.json({ type: '/problems/unknown-session' }, 401);
  const at = Date.now();
  const entry = upsert(JSON.parse(stored) as RedisSession, at);
  return new Response(
    `{"status":"searching","pool":${poolJson.get(entry.pool)},"queuedForMs":${Math.max(0, at - entry.queuedAt)},"playersInPool":${playersIn.get(entry.pool)},"resubmitAfterMs":${resubmitAfterMs}}`,
    { headers: { 'content-type': 'application/json' } },
  );
});
const server = await startServer({ fetch: app.fetch, port: 0 });
console.log(`listening ${server.port}`);
process.once('SIGTERM', () => process.exit(0));
