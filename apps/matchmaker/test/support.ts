// Test harness: a matchmaker app on a frozen clock, with tickets signed by a real issuer key.
import { DEMO_CONFIG, parseSharedConfig, type SharedConfig } from '@ticketbooth/config';
import {
  KeyRing,
  createSigningKey,
  createVerificationKey,
  generateSeed,
  implicitAssertion,
  signToken,
  signV4Public,
  toPasetoDate,
  type Member,
  type SigningKey,
  type TicketClaims,
  type TicketErrorCode,
} from '@ticketbooth/tickets';
import { createLogger } from '@ticketbooth/http';
import { createApp, type AppDeps } from '../src/app.ts';
import type { MatchmakerDeps, MatchmakerSettings } from '../src/matchmaker.ts';

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const ISSUER = 'ticketbooth-issuer';

export interface TicketOptions {
  readonly mode?: string;
  readonly region?: string;
  readonly rating?: number;
  readonly queuedAt?: number;
  readonly issuedAt?: number;
  readonly lifetimeMs?: number;
  readonly party?: Member[];
  readonly key?: SigningKey;
  readonly claims?: Partial<TicketClaims>;
}

/** The harness's shared config with a longest wait for `squad`: see the timeout tests. */
export function sharedWithMaxWait(maxWaitMs: number): SharedConfig {
  return parseSharedConfig({
    ...DEMO_CONFIG,
    resubmitIntervalMs: 1_000,
    ticketTtlMs: 60_000,
    modes: { ...DEMO_CONFIG.modes, squad: { ...DEMO_CONFIG.modes.squad, maxWaitMs } },
  });
}

/** The harness's shared config with an accept step in both modes. */
export function sharedWithAccept(timeoutMs: number): SharedConfig {
  return parseSharedConfig({
    ...DEMO_CONFIG,
    resubmitIntervalMs: 1_000,
    ticketTtlMs: 60_000,
    modes: { duel: { ...DEMO_CONFIG.modes.duel, accept: { timeoutMs } }, squad: { ...DEMO_CONFIG.modes.squad, accept: { timeoutMs } } },
  });
}

export function createHarness(
  overrides: Partial<MatchmakerSettings> = {},
  shared?: SharedConfig,
  extra: Pick<MatchmakerDeps, 'revocationFeed' | 'allocate'> & Pick<AppDeps, 'logger'> & {
    /** Another harness's keys and clock: this one is that matchmaker restarted (memory gone, key file kept). */
    readonly restartOf?: { readonly issuerKey: SigningKey; readonly matchKeys: KeyRing; now(): number };
  } = {},
) {
  const { restartOf, ...deps } = extra;
  let clock = restartOf?.now() ?? T0;
  let ids = 0;
  let jtis = 0;
  const issuerKey = restartOf?.issuerKey ?? createSigningKey(generateSeed());
  const ticketRing = new KeyRing({ signing: issuerKey });
  const matchKeys = restartOf?.matchKeys ?? new KeyRing({ signing: createSigningKey(generateSeed()) });
  const settings: MatchmakerSettings = {
    shared: shared ?? parseSharedConfig({ ...DEMO_CONFIG, resubmitIntervalMs: 1_000, ticketTtlMs: 60_000 }),
    pools: ['duel/eu', 'squad/eu'],
    warmupMs: 2_000,
    staleAfterMs: 3_000,
    resultTtlMs: 30_000,
    matchTokenTtlMs: 600_000,
    maxPlayers: 1_000,
    verifierCacheSize: 1_000,
    matchIssuer: 'ticketbooth-matchmaker',
    ...overrides,
  };
  let keysLoaded = true;
  const { app, matchmaker, lane } = createApp({
    settings,
    ticketKeys: { ring: ticketRing, hasKeys: () => keysLoaded, refetchForUnknownKid: async () => false },
    matchKeys,
    now: () => clock,
    // A restarted process names its matches anew: ids must not collide with the first one's.
    newId: () => `match-${restartOf ? 'r' : ''}${++ids}`,
    // Some tests make answers fail on purpose: their errors are asserted, not printed.
    logger: createLogger('ticketbooth-matchmaker', { level: 'silent' }),
    // Every answer a test gets must be in GET /openapi.json: the route tests check the document too.
    onUndocumented: (finding) => {
      throw new Error(`not in the OpenAPI document: ${JSON.stringify(finding)}`);
    },
    ...deps,
  });

  function ticket(sub: string, options: TicketOptions = {}): string {
    const issuedAt = options.issuedAt ?? clock;
    return signToken(options.key ?? issuerKey, 'ticket', {
      iss: ISSUER,
      sub,
      aud: settings.shared.audiences.ticket,
      iat: toPasetoDate(issuedAt),
      exp: toPasetoDate(issuedAt + (options.lifetimeMs ?? 30_000)),
      jti: `jti-${restartOf ? 'r' : ''}${++jtis}`,
      pool: { mode: options.mode ?? 'duel', region: options.region ?? 'eu' },
      rating: options.rating ?? 1500,
      queuedAt: toPasetoDate(options.queuedAt ?? issuedAt),
      ...(options.party ? { party: options.party } : {}),
      ...options.claims,
    });
  }

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    app,
    matchmaker,
    lane,
    settings,
    issuerKey,
    ticketRing,
    matchKeys,
    ticket,
    auth,
    submit: (token: string) => app.request('/v1/queue', { method: 'POST', headers: auth(token) }),
    reannounce: (token: string, match: string, holding: { accepted?: boolean; assignment?: string } = {}) =>
      app.request('/v1/matches/current', { method: 'POST', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify({ match, ...holding }) }),
    respond: (token: string, match: string, answer: 'accept' | 'decline') =>
      app.request(`/v1/matches/${answer}`, { method: 'POST', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify({ match }) }),
    leave: (token: string) => app.request('/v1/queue', { method: 'DELETE', headers: auth(token) }),
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    setKeysLoaded: (loaded: boolean) => (keysLoaded = loaded),
  };
}

export async function problemOf(res: Response): Promise<Record<string, unknown>> {
  if (res.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(`expected problem+json, got ${res.status} ${res.headers.get('content-type')}: ${await res.text()}`);
  }
  return (await res.json()) as Record<string, unknown>;
}

type Harness = ReturnType<typeof createHarness>;

/** One ticket refused for each reason the verifier knows. */
export function badTickets(h: Harness): Record<TicketErrorCode, string> {
  const now = h.now();
  const stranger = createSigningKey(generateSeed());
  const retired = createSigningKey(generateSeed());
  h.ticketRing.add(createVerificationKey({ publicKey: retired.publicPaserk, notBefore: now - 120_000, notAfter: now - 60_000 }));
  const good = h.ticket('p');
  const [head, body, footer] = [good.split('.').slice(0, 2).join('.'), good.split('.')[2]!, good.split('.')[3]!];
  const tampered = `${head}.${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}.${footer}`;
  const claims = JSON.stringify({ iss: ISSUER, sub: 'p', aud: 'ticketbooth-matchmaker', iat: toPasetoDate(now), exp: toPasetoDate(now + 1000), jti: 'j' });
  const invalidClaims = signV4Public(
    Buffer.from(claims),
    h.issuerKey.privateKey,
    Buffer.from(JSON.stringify({ kid: h.issuerKey.kid, purpose: 'ticket' })),
    Buffer.from(implicitAssertion('ticket')),
  );
  return {
    malformed: 'v4.public.not-a-token',
    too_large: `v4.public.${'a'.repeat(9_000)}`,
    unknown_key: h.ticket('p', { key: stranger }),
    key_inactive: h.ticket('p', { key: retired }),
    bad_signature: tampered,
    wrong_purpose: signToken(h.issuerKey, 'session', {
      iss: ISSUER, sub: 'p', aud: 'ticketbooth-issuer', iat: toPasetoDate(now), exp: toPasetoDate(now + 1000), jti: 's', epoch: 0,
    }),
    expired: h.ticket('p', { issuedAt: now - 40_000, lifetimeMs: 30_000 }),
    not_yet_valid: h.ticket('p', { issuedAt: now + 60_000 }),
    lifetime_exceeded: h.ticket('p', { lifetimeMs: 120_000 }),
    wrong_audience: h.ticket('p', { claims: { aud: 'someone-else' } }),
    wrong_issuer: h.ticket('p', { claims: { iss: 'someone-else' } }),
    invalid_claims: invalidClaims,
  };
}
