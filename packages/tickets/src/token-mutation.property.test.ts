// Properties over mutated valid tokens: any change that is not the original token is refused, cached or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EPOCH, MINUTE, claimsFor, ringWith, seededKey, ticketClaims } from '../test/fixtures.ts';
import { outcomeOf, refusalCode, settledOutcomeOf } from '../test/outcomes.ts';
import { applyMutations, mutations, setTrailingBits } from '../test/token-mutations.ts';
import { createVerificationKey } from './key-ring.ts';
import { V4_PUBLIC_HEADER, signV4Public } from './paseto.ts';
import { implicitBytes, signToken } from './token.ts';
import { createVerifier, verifyRaw } from './verifier.ts';

const RUNS = 1_000;
const key = seededKey(1);
const publicKey = createVerificationKey({ publicKey: key.publicPaserk }).publicKey;

interface Original {
  readonly token: string;
  readonly implicit: Buffer;
  /** Whether the ticket verifier accepts the unchanged token (it needs a footer naming the key). */
  readonly isTicket: boolean;
}

// Three payload lengths, so the body's base64url length takes every remainder mod 4 it can (0, 2, 3).
const tickets: Original[] = ['a', 'ab', 'abc'].map((jti) => ({
  token: signToken(key, 'ticket', ticketClaims({ jti })),
  implicit: implicitBytes('ticket'),
  isTicket: true,
}));
const originals: Original[] = [
  ...tickets,
  {
    token: signV4Public(Buffer.from(JSON.stringify(ticketClaims())), key.privateKey, undefined, implicitBytes('ticket')),
    implicit: implicitBytes('ticket'),
    isTicket: false,
  },
  { token: signToken(key, 'session', claimsFor('session')), implicit: implicitBytes('session'), isTicket: false },
];
/** Valid tokens whose parts get transplanted: other purposes, another key, no footer. */
const donors = [...originals.map((o) => o.token), signToken(seededKey(2), 'ticket', ticketClaims())];
/**
 * Every token our key signed in this file. A mutation can land on one of them
 * (the body of one ticket with the footer they all share is that ticket): such
 * a token must verify, anything else must not.
 */
const signedByKey = new Map(originals.map((o) => [o.token, o]));

function ticketVerifier(cacheSize: number) {
  return createVerifier({
    keys: ringWith(key),
    purpose: 'ticket',
    issuer: 'issuer',
    audience: 'matchmaker',
    maxLifetimeMs: 10 * MINUTE,
    cacheSize,
    now: () => EPOCH + MINUTE,
  });
}

const mutated = fc
  .tuple(fc.constantFrom(...originals), mutations(key.kid))
  .map(([original, list]) => ({ original, list, token: applyMutations(original.token, list, donors) }));

describe('mutated tokens', () => {
  it('never verify unless they are exactly a token the key signed, and fail only with TicketError', () => {
    const verifier = ticketVerifier(0);
    fc.assert(
      fc.property(mutated, ({ original, token }) => {
        const genuine = signedByKey.get(token);
        const raw = outcomeOf(() => verifyRaw(token, publicKey, original.implicit));
        const ticket = outcomeOf(() => verifier.verify(token));
        if (genuine?.implicit.equals(original.implicit)) expect(raw.ok).toBe(true);
        else refusalCode(raw, ['malformed', 'too_large', 'bad_signature']);
        if (genuine?.isTicket) expect(ticket.ok).toBe(true);
        else refusalCode(ticket);
      }),
      { numRuns: RUNS },
    );
  });

  it('are refused by verifyOffThread with the same code as verify', async () => {
    const verifier = ticketVerifier(0);
    await fc.assert(
      fc.asyncProperty(mutated, async ({ token }) => {
        fc.pre(!signedByKey.has(token));
        const sync = refusalCode(outcomeOf(() => verifier.verify(token)));
        expect(refusalCode(await settledOutcomeOf(() => verifier.verifyOffThread(token)))).toBe(sync);
      }),
      { numRuns: 400 },
    );
  });

  it('are refused as malformed when re-encoded with non-zero trailing bits, though a lenient decoder reads the same bytes', () => {
    const verifier = ticketVerifier(0);
    const respellings = originals.flatMap((original) => {
      const [body, footer] = original.token.slice(V4_PUBLIC_HEADER.length).split('.') as [string, string | undefined];
      const ofBody = { original, part: body, respell: (text: string) => original.token.replace(body, text) };
      if (footer === undefined) return [ofBody];
      return [ofBody, { original, part: footer, respell: (text: string) => original.token.replace(`.${footer}`, `.${text}`) }];
    });
    const withUnusedBits = respellings.filter(({ part }) => part.length % 4 !== 0);
    expect(new Set(withUnusedBits.map(({ part }) => part.length % 4))).toEqual(new Set([2, 3]));
    fc.assert(
      fc.property(fc.constantFrom(...withUnusedBits), fc.integer({ min: 1, max: 15 }), ({ original, part, respell }, bits) => {
        const text = setTrailingBits(part, bits);
        fc.pre(text !== part);
        expect(Buffer.from(text, 'base64url')).toEqual(Buffer.from(part, 'base64url'));
        const token = respell(text);
        expect(refusalCode(outcomeOf(() => verifyRaw(token, publicKey, original.implicit)))).toBe('malformed');
        expect(refusalCode(outcomeOf(() => verifier.verify(token)))).toBe('malformed');
      }),
      { numRuns: 100 },
    );
  });
});

describe('the verification cache', () => {
  it('serves only the exact token it verified: mutations of a cached token still fail, and are not hits', async () => {
    const verifier = ticketVerifier(1_000);
    const ofTickets = fc
      .tuple(fc.constantFrom(...tickets), mutations(key.kid))
      .map(([original, list]) => ({ original, token: applyMutations(original.token, list, donors) }));
    await fc.assert(
      fc.asyncProperty(ofTickets, async ({ original, token }) => {
        const first = verifier.verify(original.token);
        fc.pre(!signedByKey.has(token));
        const { hits } = verifier.stats();
        refusalCode(outcomeOf(() => verifier.verify(token)));
        refusalCode(await settledOutcomeOf(() => verifier.verifyOffThread(token)));
        expect(verifier.stats().hits).toBe(hits);
        expect(verifier.verify(original.token)).toBe(first);
      }),
      { numRuns: 400 },
    );
  });
});
