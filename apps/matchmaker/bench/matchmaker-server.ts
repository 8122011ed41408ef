// The matchmaker app as main.ts serves it (fast lane included), trusting the issuer key the bench passes in.
import { randomUUID } from 'node:crypto';
import { startServer } from '@ticketbooth/http';
import { KeyRing, createSigningKey, createVerificationKey, generateSeed } from '@ticketbooth/tickets';
import { createApp } from '../src/app.ts';
import { benchSettings } from './bench-support.ts';

const issuerPublic = process.env.BENCH_ISSUER_PUBLIC;
if (!issuerPublic) throw new TypeError('BENCH_ISSUER_PUBLIC is required');
const ring = new KeyRing({ verification: [createVerificationKey({ publicKey: issuerPublic })] });
const { app, lane } = createApp({
  settings: benchSettings(),
  ticketKeys: { ring, hasKeys: () => true, refetchForUnknownKid: async () => false },
  matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
  now: Date.now,
  newId: randomUUID,
});
const server = await startServer({ fetch: app.fetch, port: 0, lane });
console.log(`listening ${server.port}`);
process.once('SIGTERM', () => process.exit(0));
