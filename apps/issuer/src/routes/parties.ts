// Parties: create, look, invite, join, leave or remove, disband. Every route needs a session;
// the rules are in ../parties.ts, the invite tokens in ../invites.ts.
import { Hono } from 'hono';
import { validate } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { invalidInvite, readInvite, signInvite } from '../invites.ts';
import {
  alreadyInParty,
  checkPartyMode,
  isMember,
  maxPartySize,
  notAMember,
  notInParty,
  partyFull,
  partyNotFound,
  partyView,
  requireLeader,
  requireMember,
  type PartyView,
} from '../parties.ts';
import { joinPartyRequest, partyMemberParams, partyParams, partyRequest } from '../schemas.ts';
import { requireSession } from '../session-auth.ts';
import { AlreadyInPartyError, type Party } from '../store/party-store.ts';

/** The party with its members' usernames, as answers show it. */
async function viewOf(ctx: IssuerContext, party: Party): Promise<PartyView> {
  const users = await Promise.all(party.members.map((m) => ctx.store.findUserById(m.userId)));
  const usernames = new Map(users.flatMap((user) => (user === undefined ? [] : [[user.id, user.username] as const])));
  return partyView(party, maxPartySize(ctx.shared, party.mode), usernames);
}

export function partyRoutes(ctx: IssuerContext): Hono<IssuerEnv> {
  const app = new Hono<IssuerEnv>();
  const session = requireSession(ctx);
  // Party answers carry invites and who plays with whom: never cached.
  const noStore = { 'cache-control': 'no-store' };

  app.post('/v1/parties', session, validate('json', partyRequest), async (c) => {
    const { user } = c.get('session');
    const { mode } = c.req.valid('json');
    checkPartyMode(ctx.shared, mode);
    try {
      const party = await ctx.store.createParty({ id: ctx.randomId(), mode, leaderId: user.id, at: ctx.now() });
      return c.json({ party: await viewOf(ctx, party), invite: signInvite(ctx, party) }, 201, noStore);
    } catch (error) {
      if (error instanceof AlreadyInPartyError) throw alreadyInParty();
      throw error;
    }
  });

  // Before /v1/parties/:id, which would otherwise take "current" for a party id.
  app.get('/v1/parties/current', session, async (c) => {
    const party = await ctx.store.partyOf(c.get('session').user.id);
    if (party === undefined) throw notInParty();
    return c.json({ party: await viewOf(ctx, party) }, 200, noStore);
  });

  app.get('/v1/parties/:id', session, validate('param', partyParams), async (c) => {
    const party = requireMember(await ctx.store.getParty(c.req.valid('param').id), c.get('session').user.id);
    return c.json({ party: await viewOf(ctx, party) }, 200, noStore);
  });

  app.post('/v1/parties/:id/invites', session, validate('param', partyParams), async (c) => {
    const { user } = c.get('session');
    const party = requireMember(await ctx.store.getParty(c.req.valid('param').id), user.id);
    requireLeader(party, user.id);
    return c.json(signInvite(ctx, party), 200, noStore);
  });

  app.post('/v1/parties/:id/members', session, validate('param', partyParams), validate('json', joinPartyRequest), async (c) => {
    const { user } = c.get('session');
    const { id } = c.req.valid('param');
    const invite = readInvite(ctx, c.req.valid('json').invite, id);
    const party = await ctx.store.getParty(id);
    if (party === undefined) throw partyNotFound();
    // The leader never changes (their leaving ends the party), so this only fails for an invite the issuer did not mean.
    if (invite.sub !== party.leaderId) throw invalidInvite('not signed for this party’s leader');
    // A retried join that already went through answers as the first one did.
    if (isMember(party, user.id)) return c.json({ party: await viewOf(ctx, party) }, 200, noStore);
    const maxSize = maxPartySize(ctx.shared, party.mode);
    const outcome = await ctx.store.joinParty(id, user.id, ctx.now(), maxSize);
    if (outcome === 'not-found') throw partyNotFound();
    if (outcome === 'full') throw partyFull(maxSize);
    if (outcome === 'already-in-party') throw alreadyInParty();
    const joined = await ctx.store.getParty(id);
    if (joined === undefined) throw partyNotFound();
    return c.json({ party: await viewOf(ctx, joined) }, 200, noStore);
  });

  // Yourself (your id, or `me` as in /v1/accounts/me): leave, and the leader leaving disbands.
  // Someone else: only the leader may remove them.
  app.delete('/v1/parties/:id/members/:userId', session, validate('param', partyMemberParams), async (c) => {
    const { user } = c.get('session');
    const { id, userId: named } = c.req.valid('param');
    const userId = named === 'me' ? user.id : named;
    const party = requireMember(await ctx.store.getParty(id), user.id);
    if (userId !== user.id) {
      requireLeader(party, user.id);
      if (!isMember(party, userId)) throw notAMember();
    }
    const outcome = await ctx.store.leaveParty(id, userId, ctx.now());
    if (outcome === 'not-found') throw partyNotFound();
    if (outcome === 'not-a-member') throw userId === user.id ? partyNotFound() : notAMember();
    return c.body(null, 204);
  });

  app.delete('/v1/parties/:id', session, validate('param', partyParams), async (c) => {
    const { user } = c.get('session');
    const party = requireMember(await ctx.store.getParty(c.req.valid('param').id), user.id);
    requireLeader(party, user.id);
    if (!(await ctx.store.disbandParty(party.id))) throw partyNotFound();
    return c.body(null, 204);
  });

  return app;
}
