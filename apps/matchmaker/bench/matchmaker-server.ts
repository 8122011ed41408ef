// The matchmaker app as main.ts serves it (fast lane included unless BENCH_FAST_LANE=off), trusting the issuer key the bench passes in.
import { randomUUID } from 'node:crypto';
import { startServer } from '@ticketbooth/http';
import { KeyRing, createSigningKey, createVerificationKey, generateSeed } from '@ticketbooth/tickets';
import { createApp } from '../src/app.ts';
import { DEFAULT_REFUSALS } from '../src/refusal-budget.ts';
import { benchSettings } from './bench-support.ts';

const issuerPublic = process.env.BENCH_ISSUER_PUBLIC;
if (!issuerPublic) throw new TypeError('BENCH_ISSUER_PUBLIC is required');
const ring = new KeyRing({ verification: [createVerificationKey({ publicKey: issuerPublic })] });
// BENCH_REFUSALS=off: no refusal budget, to show what a flood costs without it; no-close, no-hold: without one of its parts.
const unlimited = { burst: 1e9, perSecond: 1e9, perConnection: 1e9 };
const { app, lane } = createApp({
  settings: {
    ...benchSettings(),
    ...(process.env.BENCH_REFUSALS === 'off' ? { refusals: unlimited } : {}),
    ...(process.env.BENCH_REFUSALS === 'no-close' ? { refusals: { ...DEFAULT_REFUSALS, perConnection: 1e9 } } : {}),
    ...(process.env.BENCH_REFUSALS === 'no-hold' ? { refusals: { ...DEFAULT_REFUSALS, holdMs: 0 } } : {}),
  },
  ticketKeys: { ring, hasKeys: () => true, refetchForUnknownKid: async () => false },
  matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
  now: Date.now,
  newId: randomUUID,
});
const server = await startServer({ fetch: app.fetch, port: 0, ...(process.env.BENCH_FAST_LANE === 'off' ? {} : { lane }) });
console.log(`listening ${server.port}`);
process.once('SIGTERM', () => process.exit(0));
