// A game server checking a match token with nothing but the matchmaker's published keys
// (docs/game-servers.md). Usage: node examples/verify-match.mjs <match token>
// MATCHMAKER_URL defaults to http://127.0.0.1:8701.
import { createVerifier, keyRingFromFile, publicKeySetSchema } from '@ticketbooth/tickets';

const matchmakerUrl = process.env.MATCHMAKER_URL ?? 'http://127.0.0.1:8701';
const token = process.argv[2];
if (!token) throw new Error('usage: node examples/verify-match.mjs <match token>');

// Cache this and fetch again when a token names a key id the ring does not hold (a rotation).
const keys = keyRingFromFile(publicKeySetSchema.parse(await (await fetch(`${matchmakerUrl}/v1/keys`)).json()));
const verifier = createVerifier({
  keys,
  purpose: 'match',
  issuer: 'ticketbooth-matchmaker',
  audience: 'ticketbooth-game-server',
  maxLifetimeMs: 10 * 60_000,
});
const { claims } = verifier.verify(token); // throws TicketError (expired, bad_signature, ...) otherwise
console.log(`match ${claims.jti} in ${claims.pool.mode}/${claims.pool.region}: ${claims.teams.map((t) => t.map((m) => m.sub).join(' + ')).join(' vs ')}`);
