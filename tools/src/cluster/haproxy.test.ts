import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { describe, expect, it } from 'vitest';
import { checkHaproxyConfig, haproxyConfig, haproxyVersion } from './haproxy.ts';
import { clusterLayoutSchema, shardMap } from './layout.ts';

const layout = clusterLayoutSchema.parse({
  listen: '127.0.0.1:8080',
  issuers: ['127.0.0.1:8700', '127.0.0.1:8702'],
  shards: {
    a: { pools: ['duel/eu', 'squad/eu'], primary: '127.0.0.1:8711', backup: '127.0.0.1:8712' },
    b: { pools: ['duel/na', 'squad/na'], primary: '127.0.0.1:8721' },
  },
});

describe('haproxyConfig', () => {
  it('routes each shard prefix to its primary, its backup only while the primary is down, the rest to the issuers', () => {
    const text = haproxyConfig(layout, '/tmp/x.sock');
    expect(text).toContain('use_backend shard_a if { path_beg /shards/a/ }');
    expect(text).toContain('http-request replace-path ^/shards/a(/.*)$ \\1');
    expect(text).toMatch(/server primary 127\.0\.0\.1:8711 check inter 1000ms fall 2 rise 2 .*on-marked-up shutdown-backup-sessions/);
    expect(text).toMatch(/server backup 127\.0\.0\.1:8712 .* backup$/m);
    expect(text).toMatch(/^backend shard_b\n(?:.*\n)*? {2}server primary 127\.0\.0\.1:8721 /m);
    expect(text).toContain('server issuer2 127.0.0.1:8702');
    // A retry must not go to the backup while the primary is up: both would then serve the shard.
    expect(text).not.toContain('redispatch');
  });

  it.skipIf(haproxyVersion() === undefined && !process.env.CI)('writes a config haproxy -c accepts, and haproxy -c refuses a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haproxy-cfg-'));
    try {
      writeFileSync(join(dir, 'ok.cfg'), haproxyConfig(layout, join(dir, 'sock')));
      expect(checkHaproxyConfig(join(dir, 'ok.cfg'))).toBeUndefined();
      writeFileSync(join(dir, 'bad.cfg'), haproxyConfig(layout).replace('mode http', 'mode htttp'));
      expect(checkHaproxyConfig(join(dir, 'bad.cfg'))).toMatch(/htttp/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('shardMap', () => {
  const shared = parseSharedConfig(DEMO_CONFIG);

  it('maps every pool to its shard at the proxy', () => {
    expect(shardMap(layout, shared)).toEqual({
      default: 'http://127.0.0.1:8080/shards/a',
      pools: {
        'duel/eu': 'http://127.0.0.1:8080/shards/a',
        'squad/eu': 'http://127.0.0.1:8080/shards/a',
        'duel/na': 'http://127.0.0.1:8080/shards/b',
        'squad/na': 'http://127.0.0.1:8080/shards/b',
      },
    });
  });

  it('refuses a layout that leaves a pool unserved, serves one twice, or names one the config lacks', () => {
    const only = (shards: Record<string, string[]>) =>
      clusterLayoutSchema.parse({ ...layout, shards: Object.fromEntries(Object.entries(shards).map(([k, pools]) => [k, { pools, primary: '127.0.0.1:1' }])) });
    expect(() => shardMap(only({ a: ['duel/eu', 'squad/eu', 'duel/na'] }), shared)).toThrow(/no shard serves squad\/na/);
    expect(() => shardMap(only({ a: ['duel/eu', 'squad/eu', 'duel/na', 'squad/na'], b: ['duel/eu'] }), shared)).toThrow(/duel\/eu is already served/);
    expect(() => shardMap(only({ a: ['duel/eu', 'squad/eu', 'duel/na', 'squad/na', 'duel/mars'] }), shared)).toThrow(/duel\/mars is not a pool/);
  });
});
