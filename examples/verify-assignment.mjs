// A game server admitting a player who brings the match token and the assignment token, with
// nothing but the matchmaker's published keys (docs/game-servers.md, "Verifying an assignment
// token": the block from the import to the end of admitAssigned is the one printed there).
// Usage: node examples/verify-assignment.mjs <match token> <assignment token> <player id> <this server's host:port>
// MATCHMAKER_URL defaults to http://127.0.0.1:8701.
import { KeyRing, createVerifier, isTicketError } from '@ticketbooth/tickets';

// Kept fresh from GET /v1/keys as in (a): both tokens are signed with the matchmaker's keys.
const keys = new KeyRing();
const signedBy = { keys, issuer: 'ticketbooth-matchmaker', audience: 'ticketbooth-game-server', maxLifetimeMs: 10 * 60_000 };
const matchTokens = createVerifier({ ...signedBy, purpose: 'match' });
const assignmentTokens = createVerifier({ ...signedBy, purpose: 'assignment' });

/**
 * `{ match, assignment }` if both tokens hold, the assignment is this match's, the match was
 * sent to this server, and the (already authenticated) player is in it; else `{ refused }`.
 */
function admitAssigned(matchToken, assignmentToken, playerId, thisServer) {
  try {
    const match = matchTokens.verify(matchToken).claims;
    const assignment = assignmentTokens.verify(assignmentToken).claims;
    // Any settled match's assignment verifies: only its `match` ties it to this one.
    if (assignment.match !== match.jti) return { refused: 'the assignment is for another match' };
    if (assignment.connect !== thisServer) return { refused: `the match was sent to ${assignment.connect ?? 'no server'}` };
    if (!match.teams.flat().some((member) => member.sub === playerId)) return { refused: 'not a member of this match' };
    return { match, assignment };
  } catch (error) {
    if (isTicketError(error)) return { refused: error.code }; // expired, bad_signature, wrong_purpose, ...
    throw error;
  }
}

// The rest is this script's own: the keys fetched once, the tokens from the command line.
import { keyRingFromFile, publicKeySetSchema } from '@ticketbooth/tickets';

const [matchToken, assignmentToken, playerId, thisServer] = process.argv.slice(2);
if (!matchToken || !assignmentToken || !playerId || !thisServer) {
  throw new Error("usage: node examples/verify-assignment.mjs <match token> <assignment token> <player id> <this server's host:port>");
}
const matchmakerUrl = process.env.MATCHMAKER_URL ?? 'http://127.0.0.1:8701';
keys.replace(keyRingFromFile(publicKeySetSchema.parse(await (await fetch(`${matchmakerUrl}/v1/keys`)).json())).list());

const admitted = admitAssigned(matchToken, assignmentToken, playerId, thisServer);
if ('refused' in admitted) {
  console.error(`refused: ${admitted.refused}`);
  process.exitCode = 1;
} else {
  const { match, assignment } = admitted;
  console.log(`admitted ${playerId} to match ${match.jti} in ${match.pool.mode}/${match.pool.region} on ${assignment.connect} (${assignment.details?.server ?? 'no details'})`);
}
