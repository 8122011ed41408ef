// Response shapes of the public API, declared once: the OpenAPI document is built from them.
import { memberSchema, poolSchema } from '@ticketbooth/tickets';
import { z } from 'zod';

export const matchSchema = z.object({
  id: z.string(),
  pool: poolSchema,
  teams: z.array(z.array(memberSchema)),
  token: z.string().describe('A `match` token (PASETO v4.public) signed by this matchmaker; verify with GET /v1/keys.'),
});

export const searchingSchema = z.object({
  status: z.literal('searching'),
  pool: poolSchema,
  queuedForMs: z.number().int().min(0).describe('Since the signed queuedAt of the ticket.'),
  playersInPool: z.number().int().min(0),
  resubmitAfterMs: z.number().int().positive(),
});

export const readySchema = z.object({ status: z.literal('ready'), match: matchSchema });

export const timedOutSchema = z
  .object({
    status: z.literal('timed_out'),
    pool: poolSchema,
    queuedForMs: z.number().int().min(0).describe('Since the signed queuedAt of the ticket.'),
  })
  .describe("The search reached its mode's maxWaitMs and is over; a new search needs a new ticket (without previousTicket).");

export const reannouncedSchema = readySchema.extend({
  delivered: z.boolean().describe('Every member has been answered with this match: presenting it again is no longer needed.'),
});

export const reannouncementSchema = z.strictObject({
  match: z.string().min(1).max(8192).describe('The `match` token this player was answered with.'),
});

export const submissionSchema = z.discriminatedUnion('status', [searchingSchema, readySchema, timedOutSchema]);

export const poolsSchema = z.object({
  warmingUp: z.boolean(),
  pools: z.array(
    z.object({
      pool: z.string(),
      mode: z.string(),
      region: z.string(),
      players: z.number().int(),
      oldestWaitMs: z.number().int().nullable(),
      matchesFormed: z.number().int(),
    }),
  ),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
});
