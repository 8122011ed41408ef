// Request and response shapes of the public API, declared once: the routes validate with them and GET /openapi.json shows them.
import { memberSchema, poolSchema } from '@ticketbooth/tickets';
import { z } from 'zod';

export const matchSchema = z
  .object({
    id: z.string(),
    pool: poolSchema,
    teams: z.array(z.array(memberSchema)),
    token: z.string().describe('A `match` token (PASETO v4.public) signed by this matchmaker; verify with GET /v1/keys.'),
  })
  // Named: a component of the OpenAPI document, which every answer with a match refers to.
  .meta({ id: 'Match' });

/** The pool a search is in: a mode with a latency rule is one pool, without a region (its matches each get one). */
export const servedPoolSchema = z
  .object({ mode: z.string(), region: z.string().optional().describe('Absent for a mode with a latency rule: its regions are one pool.') })
  .meta({ id: 'ServedPool' });

export const searchingSchema = z.object({
  status: z.literal('searching'),
  pool: servedPoolSchema,
  queuedForMs: z.number().int().min(0).describe('Since the signed queuedAt of the ticket.'),
  playersInPool: z.number().int().min(0),
  estimatedWaitMs: z.number().int().min(0).nullable().describe("The pool's median time-to-match over the last five minutes (from queuedAt to the match); null before any match there lately."),
  resubmitAfterMs: z.number().int().positive(),
});

export const explanationSchema = z
  .object({
    pool: servedPoolSchema,
    queuedForMs: z.number().int().min(0),
    group: z.object({ players: z.number().int().min(1), rating: z.number().describe("The group's mean rating (a solo player's own): what formation compares.") }),
    ratingWindow: z
      .object({ halfWidth: z.number(), low: z.number(), high: z.number(), max: z.number(), widenPerSecond: z.number(), widestInMs: z.number().int().min(0).describe('Until the window stops widening.') })
      .describe("Opponents' mean ratings must sit within low..high, and this player within theirs."),
    size: z
      .object({
        teams: z.number().int(),
        teamSize: z.number().int(),
        minTeamSize: z.number().int(),
        smallerTeamsInMs: z.number().int().min(0).nullable().describe('Until this player\'s wait allows teams smaller than teamSize (down to minTeamSize); null: the size is fixed.'),
        playersNeeded: z.number().int(),
      })
      .describe('Teams and players per team a match needs.'),
    latency: z
      .object({
        boundMs: z.number().describe('Highest latency to the match region this player accepts now.'),
        widenToMs: z.number(),
        widestInMs: z.number().int().min(0),
        regions: z.array(z.object({ region: z.string(), latencyMs: z.number(), eligibleInMs: z.number().int().min(0).nullable().describe('0: may play there now; null: never (beyond widenToMs).') })),
      })
      .nullable()
      .describe("The mode's latency rule as it applies to this player; null when the mode has none."),
    compatibleNow: z.object({ groups: z.number().int().min(0), players: z.number().int().min(0) }).describe('Others queued here now, each inside the other one window, sharing a region and the attributes the mode compares.'),
    attributeMismatches: z.number().int().min(0).describe('Others whose attributes (build, crossplay set) rule out a match with this player whatever the wait.'),
    nearestIncompatible: z
      .object({
        ratingGap: z.number(),
        blockedBy: z.enum(['rating', 'latency']).describe('What keeps this player and them apart now.'),
        reachableInMs: z.number().int().min(0).nullable().describe('When widening brings both windows (and latency bounds) to it; null: never.'),
      })
      .nullable(),
    scanned: z.number().int().min(0).describe('Entries looked at (at most 100,000).'),
    estimatedWaitMs: z.number().int().min(0).nullable(),
  })
  .describe('Why this search has no match yet.');

export const assignmentSchema = z
  .object({
    token: z.string().describe('An `assignment` token signed by this matchmaker: the match is settled (every member accepted; the server allocated, if `connect`). Verify with GET /v1/keys.'),
    connect: z.string().optional().describe('host:port of the game server the allocator gave this match.'),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe("The allocator's extra connection details."),
  })
  .describe('Present it with the match (POST /v1/matches/current): a restarted matchmaker then knows the match is settled.')
  .meta({ id: 'Assignment' });

export const proposedSchema = z
  .object({
    status: z.literal('proposed'),
    match: matchSchema,
    acceptBy: z.string().describe('Every member accepts by then (signed in the match token as acceptBy), or the match is cancelled.'),
    accepted: z.boolean().describe('Whether this player has accepted.'),
  })
  .describe('The mode has an accept step: POST /v1/matches/accept or /decline with this ticket.')
  .meta({ id: 'Proposed' });

export const readySchema = z
  .object({
    status: z.literal('ready'),
    match: matchSchema,
    allocating: z.boolean().describe('True while a game server is being allocated: `assigned` follows (or `cancelled` if allocation fails). False: settled.'),
    assignment: assignmentSchema.optional().describe('Present when every member accepted an accept step: the signed proof.'),
  })
  .describe('Every member accepted (or the mode has no accept step).')
  .meta({ id: 'Ready' });

export const assignedSchema = z
  .object({ status: z.literal('assigned'), match: matchSchema, assignment: assignmentSchema.required({ connect: true }) })
  .describe('A game server was allocated: connect to `assignment.connect`.')
  .meta({ id: 'Assigned' });

export const cancelledSchema = z
  .object({
    status: z.literal('cancelled'),
    match: matchSchema,
    reason: z.enum(['declined', 'accept_timeout', 'allocation_failed']),
    requeued: z
      .boolean()
      .describe('True: this player did nothing wrong and is back in the pool with the wait kept; keep resubmitting the ticket. False: this search is over.'),
  })
  .describe('The match fell through.')
  .meta({ id: 'Cancelled' });

export const matchViewSchemas = [proposedSchema, readySchema, assignedSchema, cancelledSchema] as const;

export const timedOutSchema = z
  .object({
    status: z.literal('timed_out'),
    pool: servedPoolSchema,
    queuedForMs: z.number().int().min(0).describe('Since the signed queuedAt of the ticket.'),
  })
  .describe("The search reached its mode's maxWaitMs and is over; a new search needs a new ticket (without previousTicket).");

const delivered = {
  delivered: z.boolean().describe('Every member has been answered with this match settled: presenting it again is no longer needed.'),
};
export const reannouncedSchema = z.discriminatedUnion('status', [
  proposedSchema.extend(delivered),
  readySchema.extend(delivered),
  assignedSchema.extend(delivered),
  cancelledSchema.extend(delivered),
]);

export const matchAnswerSchema = z.strictObject({
  match: z.string().min(1).max(8192).describe('The `match` token this player was answered with.'),
});

export const reannouncementSchema = matchAnswerSchema.extend({
  accepted: z.boolean().optional().describe('This player accepted the match (re-sent so that a restarted matchmaker rebuilds the accept step).'),
  assignment: z.string().min(1).max(8192).optional().describe('The `assignment` token, once the match is settled.'),
});

export const matchViewSchema = z.discriminatedUnion('status', [...matchViewSchemas]);

export const submissionSchema = z.discriminatedUnion('status', [searchingSchema, ...matchViewSchemas, timedOutSchema]);

export const poolsSchema = z.object({
  warmingUp: z.boolean(),
  pools: z.array(
    z.object({
      pool: z.string(),
      mode: z.string(),
      region: z.string().optional(),
      players: z.number().int(),
      oldestWaitMs: z
        .number()
        .int()
        .nullable()
        .describe('How long the longest-searching player has searched (signed queuedAt), from a look at the pool at most a second old; null when the pool is empty.'),
      matchesFormed: z.number().int(),
    }),
  ),
});
