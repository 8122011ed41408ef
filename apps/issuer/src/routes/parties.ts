// Parties: create, look, invite, join, leave or remove, disband. Every route needs a session;
// the rules are in ../parties.ts, the invite tokens in ../invites.ts.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { BODY_REFUSALS, json, jsonBody, openApiApp, problems, requireJson, type Refusals, mergeRefusals } from '@ticketbooth/http';
import type { IssuerContext, IssuerEnv } from '../context.ts';
import { invalidInvite, readInvite, signInvite } from '../invites.ts';
import { BODY_LIMIT, PARAMS_REFUSALS, SESSION, SESSION_REFUSALS } from '../openapi.ts';
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
import { createdPartyResponse, inviteResponse, joinPartyRequest, partyAnswer, partyMemberParams, partyParams, partyRequest } from '../schemas.ts';
import { requireSession } from '../session-auth.ts';
import { AlreadyInPartyError, type Party } from '../store/party-store.ts';

/** The party with its members' usernames, as answers show it. */
async function viewOf(ctx: IssuerContext, party: Party): Promise<PartyView> {
  const users = await Promise.all(party.members.map((m) => ctx.store.findUserById(m.userId)));
  const usernames = new Map(users.flatMap((user) => (user === undefined ? [] : [[user.id, user.username] as const])));
  return partyView(party, maxPartySize(ctx.shared, party.mode), usernames);
}

const NOT_FOUND: Refusals = { 404: { 'party-not-found': 'No such party, or the caller is not in it (the same answer: party ids tell outsiders nothing).' } };
const LEADER_ONLY: Refusals = { 403: { 'not-party-leader': 'Only the party leader may do this.' } };
const ALREADY_IN_PARTY = { 'already-in-party': 'The caller is in a party already: leave it first.' };
/** Refusals of every party route that names one: the session, its path and the party. */
const NAMED_PARTY = mergeRefusals(SESSION_REFUSALS, BODY_LIMIT, PARAMS_REFUSALS, NOT_FOUND);

export function partyRoutes(ctx: IssuerContext): OpenAPIHono<IssuerEnv> {
  const app = openApiApp<IssuerEnv>();
  const session = requireSession(ctx);
  // Party answers carry invites and who plays with whom: never cached.
  const noStore = { 'cache-control': 'no-store' };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/parties',
      tags: ['Parties'],
      summary: 'Create a party led by the caller',
      security: SESSION,
      request: { body: jsonBody(partyRequest) },
      middleware: [session, requireJson] as const,
      responses: {
        201: json(createdPartyResponse, 'The party and an invite into it'),
        ...problems(
          mergeRefusals(SESSION_REFUSALS, BODY_REFUSALS, {
            409: ALREADY_IN_PARTY,
            422: { 'unknown-mode': 'No such mode here (see GET /v1/modes).', 'parties-not-allowed': 'The mode is played without parties.' },
          }),
        ),
      },
    }),
    async (c) => {
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
    },
  );

  // Before /v1/parties/{id}, which would otherwise take "current" for a party id.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/parties/current',
      tags: ['Parties'],
      summary: 'The caller’s party',
      security: SESSION,
      middleware: [session] as const,
      responses: {
        200: json(partyAnswer, 'The party'),
        ...problems(SESSION_REFUSALS, BODY_LIMIT, { 404: { 'not-in-party': 'The caller is in no party.' } }),
      },
    }),
    async (c) => {
      const party = await ctx.store.partyOf(c.get('session').user.id);
      if (party === undefined) throw notInParty();
      return c.json({ party: await viewOf(ctx, party) }, 200, noStore);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/parties/{id}',
      tags: ['Parties'],
      summary: 'A party, to its members',
      security: SESSION,
      request: { params: partyParams },
      middleware: [session] as const,
      responses: { 200: json(partyAnswer, 'The party'), ...problems(NAMED_PARTY) },
    }),
    async (c) => {
      const party = requireMember(await ctx.store.getParty(c.req.valid('param').id), c.get('session').user.id);
      return c.json({ party: await viewOf(ctx, party) }, 200, noStore);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/parties/{id}/invites',
      tags: ['Parties'],
      summary: 'A fresh invite into the party (leader only); it lives 10 minutes',
      security: SESSION,
      request: { params: partyParams },
      middleware: [session] as const,
      responses: { 200: json(inviteResponse, 'An invite'), ...problems(NAMED_PARTY, LEADER_ONLY) },
    }),
    async (c) => {
      const { user } = c.get('session');
      const party = requireMember(await ctx.store.getParty(c.req.valid('param').id), user.id);
      requireLeader(party, user.id);
      return c.json(signInvite(ctx, party), 200, noStore);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/parties/{id}/members',
      tags: ['Parties'],
      summary: 'Join a party with an invite; joining again answers as the first join did',
      security: SESSION,
      request: { params: partyParams, body: jsonBody(joinPartyRequest) },
      middleware: [session, requireJson] as const,
      responses: {
        200: json(partyAnswer, 'The party joined'),
        ...problems(
          mergeRefusals(NAMED_PARTY, BODY_REFUSALS, {
            400: { 'invalid-invite': 'Not an invite into this party (`detail` says why).', 'invite-expired': 'The invite expired: ask the leader for a new one.' },
            404: { 'party-not-found': 'No such party (any more).' },
            409: { 'party-full': 'The party has as many players as its mode allows.', ...ALREADY_IN_PARTY },
          }),
        ),
      },
    }),
    async (c) => {
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
    },
  );

  // Yourself (your id, or `me` as in /v1/accounts/me): leave, and the leader leaving disbands.
  // Someone else: only the leader may remove them.
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/parties/{id}/members/{userId}',
      tags: ['Parties'],
      summary: 'Leave (your own id, or me; the leader leaving disbands), or remove a member (leader only)',
      security: SESSION,
      request: { params: partyMemberParams },
      middleware: [session] as const,
      responses: {
        204: { description: 'Left or removed' },
        ...problems(NAMED_PARTY, LEADER_ONLY, { 404: { 'not-a-member': 'The user named is not in the party.' } }),
      },
    }),
    async (c) => {
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
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/parties/{id}',
      tags: ['Parties'],
      summary: 'Disband the party (leader only)',
      security: SESSION,
      request: { params: partyParams },
      middleware: [session] as const,
      responses: { 204: { description: 'Disbanded' }, ...problems(NAMED_PARTY, LEADER_ONLY) },
    }),
    async (c) => {
      const { user } = c.get('session');
      const party = requireMember(await ctx.store.getParty(c.req.valid('param').id), user.id);
      requireLeader(party, user.id);
      if (!(await ctx.store.disbandParty(party.id))) throw partyNotFound();
      return c.body(null, 204);
    },
  );

  return app;
}
