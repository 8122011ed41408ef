// From login to match, as a game client does it: two players queue for a duel and are matched.
// Run against services that are up (pnpm start): node examples/login-to-match.mjs
// ISSUER_URL defaults to http://127.0.0.1:8700.
import { randomBytes } from 'node:crypto';
import { createClient } from '@ticketbooth/client';

const client = createClient({ issuerUrl: process.env.ISSUER_URL ?? 'http://127.0.0.1:8700' });

async function play(name) {
  const username = `${name}-${randomBytes(4).toString('hex')}`;
  await client.register(username, 'correct horse battery');
  const session = await client.login(username, 'correct horse battery');
  const match = await client.queue(session, { mode: 'duel', region: 'eu' }, {
    onStatus: (s) => s.status === 'searching' && console.log(`${username}: searching ${Math.round(s.queuedForMs / 1000)} s`),
  });
  console.log(`${username}: ready in match ${match.id}`); // hand match.token to the game server
  // ...once the game server has the player:
  client.settle(match.id);
  return match;
}

const [ada, bob] = await Promise.all([play('ada'), play('bob')]);
if (ada.id !== bob.id) throw new Error(`expected one match, got ${ada.id} and ${bob.id}`);
console.log(`matched: ${ada.teams.map((team) => team.map((p) => p.sub).join(' + ')).join(' vs ')}`);
