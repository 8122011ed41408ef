import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { Problem } from '@ticketbooth/http';
import { ticketClaims } from '@ticketbooth/tickets';
import { describe, expect, it } from 'vitest';
import { buildTicketClaims, checkPool, chooseQueuedAt, soloGroup } from './tickets.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const config = parseSharedConfig(DEMO_CONFIG);
const pool = { mode: 'duel', region: 'eu' };

function problemCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof Problem ? `${error.status} ${error.code}` : String(error);
  }
  return undefined;
}

describe('chooseQueuedAt', () => {
  it('starts now without a previous ticket', () => {
    expect(chooseQueuedAt(config, 'u1', soloGroup('u1'), pool, T0, undefined)).toBe(T0);
  });

  it('carries the wait over from the same player and pool', () => {
    expect(chooseQueuedAt(config, 'u1', soloGroup('u1'), pool, T0, { sub: 'u1', pool, queuedAt: T0 - 90_000 })).toBe(T0 - 90_000);
  });

  it('starts again when the pool changed', () => {
    expect(chooseQueuedAt(config, 'u1', soloGroup('u1'), pool, T0, { sub: 'u1', pool: { mode: 'duel', region: 'na' }, queuedAt: T0 - 1 })).toBe(T0);
  });

  it('refuses another player’s ticket', () => {
    expect(problemCode(() => chooseQueuedAt(config, 'u1', soloGroup('u1'), pool, T0, { sub: 'u2', pool, queuedAt: T0 - 1 }))).toBe('403 ticket-not-yours');
  });

  it('never queues a player in the future', () => {
    expect(chooseQueuedAt(config, 'u1', soloGroup('u1'), pool, T0, { sub: 'u1', pool, queuedAt: T0 + 5_000 })).toBe(T0);
  });

  it('carries a party’s wait only to the very same party, whichever member asks', () => {
    const party = { leader: 'lead', members: ['m1', 'm2'] };
    const previous = { sub: 'lead', pool, queuedAt: T0 - 60_000, party: ['m2', 'm1'] };
    for (const caller of ['lead', 'm1', 'm2']) expect(chooseQueuedAt(config, caller, party, pool, T0, previous)).toBe(T0 - 60_000);
    // Someone joined, someone left, or the leader queued alone before: a new search.
    expect(chooseQueuedAt(config, 'm1', { leader: 'lead', members: ['m1', 'm2', 'm3'] }, pool, T0, previous)).toBe(T0);
    expect(chooseQueuedAt(config, 'm1', { leader: 'lead', members: ['m1'] }, pool, T0, previous)).toBe(T0);
    expect(chooseQueuedAt(config, 'm1', party, pool, T0, { sub: 'lead', pool, queuedAt: T0 - 1 })).toBe(T0);
    expect(chooseQueuedAt(config, 'm1', party, pool, T0, { ...previous, pool: { mode: 'duel', region: 'na' } })).toBe(T0);
  });

  it('takes a ticket that names the caller but starts again when the group changed; refuses anyone else’s', () => {
    const previous = { sub: 'lead', pool, queuedAt: T0 - 60_000, party: ['m1'] };
    expect(chooseQueuedAt(config, 'm1', soloGroup('m1'), pool, T0, previous)).toBe(T0);
    expect(chooseQueuedAt(config, 'lead', soloGroup('lead'), pool, T0, previous)).toBe(T0);
    expect(chooseQueuedAt(config, 'm1', { leader: 'other', members: ['m1'] }, pool, T0, previous)).toBe(T0);
    expect(problemCode(() => chooseQueuedAt(config, 'm3', { leader: 'm4', members: ['m3'] }, pool, T0, previous))).toBe('403 ticket-not-yours');
    expect(problemCode(() => chooseQueuedAt(config, 'm3', soloGroup('m3'), pool, T0, previous))).toBe('403 ticket-not-yours');
  });
});

describe('checkPool', () => {
  it('accepts configured pools and names what is unknown', () => {
    expect(problemCode(() => checkPool(config, pool, { na: 80 }))).toBeUndefined();
    expect(problemCode(() => checkPool(config, { mode: 'chess', region: 'eu' }))).toBe('422 unknown-mode');
    expect(problemCode(() => checkPool(config, { mode: 'duel', region: 'mars' }))).toBe('422 unknown-region');
    expect(problemCode(() => checkPool(config, pool, { mars: 3 }))).toBe('422 unknown-region');
  });

  it('echoes the unknown mode or region, quoted, and cut short when long', () => {
    const detail = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof Problem ? error.detail : String(error);
      }
      return undefined;
    };
    expect(detail(() => checkPool(config, { mode: 'chess', region: 'eu' }))).toBe('"chess"; modes offered: duel, squad');
    expect(detail(() => checkPool(config, { mode: 'duel', region: 'mars' }))).toBe('"mars"; regions offered: eu, na');
    expect(detail(() => checkPool(config, { mode: 'a"b\nc', region: 'eu' }))).toBe('"a\\"b\\nc"; modes offered: duel, squad');
    const hostile = detail(() => checkPool(config, { mode: 'x'.repeat(100_000), region: 'eu' }));
    expect(hostile).toBe(`"${'x'.repeat(64)}"…; modes offered: duel, squad`);
  });
});

describe('buildTicketClaims', () => {
  it('builds valid ticket claims with a short expiry and sorted latencies', () => {
    const claims = buildTicketClaims(config, {
      userId: 'u1',
      pool,
      rating: 1520,
      queuedAt: T0 - 1_000,
      issuedAt: T0,
      jti: 'j1',
      latencies: { na: 90, eu: 20 },
    });
    expect(ticketClaims.parse(claims)).toEqual(claims);
    expect(claims).toMatchObject({
      iss: 'ticketbooth-issuer',
      aud: 'ticketbooth-matchmaker',
      sub: 'u1',
      iat: '2030-01-01T00:00:00.000Z',
      exp: '2030-01-01T00:05:00.000Z',
      queuedAt: '2029-12-31T23:59:59.000Z',
      rating: 1520,
    });
    expect(Object.keys(claims.latencies ?? {})).toEqual(['eu', 'na']);
  });
});

describe('ticket rules: latency modes and attributes', () => {
  const rules = parseSharedConfig({
    ...DEMO_CONFIG,
    attributes: { build: { values: ['1.4', '1.5'] }, crossplay: { values: ['pc', 'ps5', 'any'], set: true } },
    modes: { duel: { teams: 2, teamSize: 1 }, near: { teams: 2, teamSize: 2, latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 } } },
  });
  const near = { mode: 'near', region: 'eu' };

  it('requires latencies in a latency mode, and keeps the wait when only the home region changes', () => {
    expect(problemCode(() => checkPool(rules, near))).toBe('422 latencies-required');
    expect(problemCode(() => checkPool(rules, near, {}))).toBe('422 latencies-required');
    expect(problemCode(() => checkPool(rules, near, { eu: 30 }))).toBeUndefined();
    const previous = { sub: 'u1', pool: { mode: 'near', region: 'na' }, queuedAt: T0 - 40_000 };
    expect(chooseQueuedAt(rules, 'u1', soloGroup('u1'), near, T0, previous)).toBe(T0 - 40_000);
    expect(chooseQueuedAt(rules, 'u1', soloGroup('u1'), pool, T0, { ...previous, pool: { mode: 'duel', region: 'na' } })).toBe(T0);
  });

  it('vouches only for declared attributes with allowed values of the right shape', () => {
    expect(problemCode(() => checkPool(rules, pool, undefined, { build: '1.5', crossplay: ['pc', 'any'] }))).toBeUndefined();
    expect(problemCode(() => checkPool(rules, pool, undefined, { rank: 'gold' }))).toBe('422 unknown-attribute');
    expect(problemCode(() => checkPool(rules, pool, undefined, { build: '9.9' }))).toBe('422 attribute-not-allowed');
    expect(problemCode(() => checkPool(rules, pool, undefined, { build: ['1.5'] }))).toBe('422 attribute-not-allowed');
    expect(problemCode(() => checkPool(rules, pool, undefined, { crossplay: 'pc' }))).toBe('422 attribute-not-allowed');
    expect(problemCode(() => checkPool(rules, pool, undefined, { crossplay: ['pc', 'xbox'] }))).toBe('422 attribute-not-allowed');
  });

  it('signs attributes in one canonical form', () => {
    const claims = buildTicketClaims(rules, { userId: 'u1', pool, rating: 1500, queuedAt: T0, issuedAt: T0, jti: 'j', attributes: { crossplay: ['ps5', 'any', 'ps5'], build: '1.5' } });
    expect(JSON.stringify(claims.attributes)).toBe('{"build":"1.5","crossplay":["any","ps5"]}');
    expect(ticketClaims.parse(claims)).toEqual(claims);
  });
});
