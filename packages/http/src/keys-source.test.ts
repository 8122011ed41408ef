import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { startServer, type ServerHandle } from '@ticketbooth/http';
import { KeyRing, createSigningKey, generateKeyFile, generateSeed, publicKeySet, writeKeyFile } from '@ticketbooth/tickets';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeys, publishedKeys, readPublicKeys } from './keys-source.ts';

const quiet = () => {};
let server: ServerHandle | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A real HTTP server publishing whatever key set `published` holds, counting requests. */
async function keyServer(published: { ring: KeyRing; up: boolean; requests: number }) {
  const app = new Hono();
  app.get('/v1/keys', (c) => {
    published.requests++;
    return published.up ? c.json(publicKeySet(published.ring)) : c.text('down', 503);
  });
  server = await startServer({ fetch: app.fetch, port: 0 });
  return server.url;
}

describe('publishedKeys', () => {
  it('loads the issuer keys, refetches on an unknown kid at most once per interval', async () => {
    const first = createSigningKey(generateSeed());
    const published = { ring: new KeyRing({ signing: first }), up: true, requests: 0 };
    let clock = 0;
    const source = publishedKeys(await keyServer(published), { refreshMs: 3_600_000, minRefetchMs: 10_000, now: () => clock, log: quiet });
    expect(source.hasKeys()).toBe(false);
    await source.start();
    source.stop();
    expect(source.hasKeys()).toBe(true);
    expect(source.ring.get(first.kid)).toBeDefined();

    const second = createSigningKey(generateSeed());
    published.ring.setSigningKey(second);
    const [a, b] = await Promise.all([source.refetchForUnknownKid(), source.refetchForUnknownKid()]);
    expect([a, b]).toEqual([true, true]);
    expect(published.requests).toBe(2);
    expect(source.ring.get(second.kid)).toBeDefined();

    clock += 5_000;
    expect(await source.refetchForUnknownKid()).toBe(false);
    expect(published.requests).toBe(2);
    clock += 5_000;
    expect(await source.refetchForUnknownKid()).toBe(false); // fetched, nothing new
    expect(published.requests).toBe(3);
  });

  it('keeps the keys it knows when the issuer goes away', async () => {
    const key = createSigningKey(generateSeed());
    const published = { ring: new KeyRing({ signing: key }), up: true, requests: 0 };
    let clock = 0;
    const source = publishedKeys(await keyServer(published), { refreshMs: 3_600_000, minRefetchMs: 1, now: () => clock, log: quiet });
    await source.start();
    source.stop();
    published.up = false;
    clock += 10;
    expect(await source.refetchForUnknownKid()).toBe(false);
    expect(source.ring.get(key.kid)).toBeDefined();
    expect(source.hasKeys()).toBe(true);
  });

  it('is not ready while the issuer was never reachable', async () => {
    const source = publishedKeys('http://127.0.0.1:1', { refreshMs: 3_600_000, log: quiet, timeoutMs: 500 });
    await source.start();
    source.stop();
    expect(source.hasKeys()).toBe(false);
  });
});

describe('fileKeys', () => {
  it('reads only the public halves of a key file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-keys-'));
    const path = join(dir, 'issuer-keys.json');
    const file = generateKeyFile(Date.parse('2030-01-01T00:00:00Z'));
    writeKeyFile(path, file);
    const set = readPublicKeys(path);
    expect(JSON.stringify(set)).not.toContain('k4.secret');
    expect(set.keys[0]!.kid).toBe(file.active);
  });

  it('loads a published key set file into the ring', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-keys-'));
    const path = join(dir, 'keys.json');
    const key = createSigningKey(generateSeed());
    writeFileSync(path, JSON.stringify(publicKeySet(new KeyRing({ signing: key }))));
    const source = fileKeys(path, { refreshMs: 3_600_000, log: quiet });
    await source.start();
    source.stop();
    expect(source.ring.get(key.kid)).toBeDefined();
    expect(source.ring.hasSigningKey()).toBe(false);
  });
});
