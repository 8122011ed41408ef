// The matchmaker's whole tick on one pool of N queued players: expiry, formMatches, and
// settling every match (results, events, metrics). Match tokens are signed after the tick,
// a few milliseconds per event-loop turn (MatchSigner), so their signing is timed apart:
// from the tick's end until the signing queue is empty, with the event loop free between
// slices.
import { randomUUID } from 'node:crypto';
import { KeyRing, createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { createMatchmaker } from '../src/matchmaker.ts';
import { Queue } from '../src/pool.ts';
import { benchSettings } from './bench-support.ts';
import { benchPool } from './form-matches.ts';

export interface FullTickFigure {
  readonly players: number;
  readonly pool: string;
  readonly tickMs: number;
  readonly matches: number;
  /** From the tick's end until every match token is signed, in slices between loop turns. */
  readonly signAllMs: number;
}

export async function timeFullTick(players: number, pool: string, rounds = 3): Promise<FullTickFigure> {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const waiting = benchPool(players, now);
  const samples: { tickMs: number; matches: number; signAllMs: number }[] = [];
  // One warm-up round for the JIT, then `rounds` measured ones, each on a fresh matchmaker.
  for (let r = 0; r <= rounds; r++) {
    // Filled directly: signing a ticket per player would time the signer, not the tick.
    const queue = new Queue({ staleAfterMs: 60_000, maxWaitMs: () => undefined });
    const mm = createMatchmaker({
      queue,
      settings: { ...benchSettings(), pools: [pool], warmupMs: 0 },
      ticketKeys: { ring: new KeyRing(), hasKeys: () => true, refetchForUnknownKid: async () => false },
      matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
      now: () => now,
      newId: randomUUID,
    });
    waiting.forEach((w, i) =>
      queue.upsert(
        { sub: w.sub, pool, rating: w.rating, queuedAt: w.queuedAt, party: undefined, issuedAt: now - 1_000, expiresAt: now + 300_000, ticketId: `t${i}`, kid: 'k' },
        now,
      ),
    );
    const started = performance.now();
    const matches = mm.tick();
    const tickMs = performance.now() - started;
    const signStarted = performance.now();
    await mm.signing.idle();
    samples.push({ tickMs, matches, signAllMs: performance.now() - signStarted });
  }
  samples.shift();
  samples.sort((a, b) => a.tickMs - b.tickMs);
  const median = samples[Math.floor(samples.length / 2)]!;
  return { players, pool, ...median };
}
