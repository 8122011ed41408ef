// The Redis baseline's sessions: written by the suite in its own database, read by the server.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisSession {
  readonly sub: string;
  readonly mode: string;
  readonly region: string;
  readonly rating: number;
  readonly queuedAt: number;
}

export const sessionKey = (id: string) => `tb-bench:session:${id}`;

/** Connects to the suite's own database index and empties it. */
export async function openBenchDb(db: number): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, db, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  return redis;
}

/** Stores `count` sessions with opaque 256-bit ids; resolves the ids. */
export async function seedSessions(redis: Redis, count: number, ttlSeconds: number, now: number): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < count; from += 5_000) {
    const batch = redis.pipeline();
    for (let i = from; i < Math.min(count, from + 5_000); i++) {
      const id = randomBytes(32).toString('base64url');
      const session: RedisSession = {
        sub: `player-${i.toString().padStart(7, '0')}`,
        mode: 'squad',
        region: i % 2 === 0 ? 'eu' : 'na',
        rating: 1000 + (i % 1000),
        queuedAt: now - (i % 60_000),
      };
      batch.set(sessionKey(id), JSON.stringify(session), 'EX', ttlSeconds);
      ids.push(id);
    }
    await batch.exec();
  }
  return ids;
}
