// The ticket policy: which claims a player's ticket carries. Pure; the route gathers the inputs.
import { Problem } from '@ticketbooth/http';
import { toPasetoDate, type Attributes, type Member, type Pool, type TicketClaims } from '@ticketbooth/tickets';
import { poolKeyOf, type SharedConfig } from '@ticketbooth/config';

export interface PreviousTicket {
  readonly sub: string;
  readonly pool: Pool;
  /** Milliseconds since the epoch. */
  readonly queuedAt: number;
  /** The other members' ids, when it was a party ticket. */
  readonly party?: readonly string[];
}

/** The players a ticket speaks for: `leader` is its `sub`, `members` the others (none for a solo ticket). */
export interface TicketGroup {
  readonly leader: string;
  readonly members: readonly string[];
}

export const soloGroup = (userId: string): TicketGroup => ({ leader: userId, members: [] });

/**
 * When the group started waiting: carried over from its previous ticket for
 * the same pool when that ticket was for the very same group (same leader,
 * same members), so refreshes do not reset the wait; otherwise `issuedAt`.
 * The previous ticket must be one the caller holds by right (it names them,
 * as holder or member, or it is their party leader's): wait time is not
 * transferable, so another player's ticket is refused.
 */
export function chooseQueuedAt(
  config: Pick<SharedConfig, 'modes'>,
  callerId: string,
  group: TicketGroup,
  pool: Pool,
  issuedAt: number,
  previous: PreviousTicket | undefined,
): number {
  if (previous === undefined) return issuedAt;
  const isCallers = previous.sub === callerId || previous.sub === group.leader || (previous.party ?? []).includes(callerId);
  if (!isCallers) throw new Problem(403, 'ticket-not-yours', 'Previous ticket belongs to another player');
  // Under a latency rule the region is not a pool: a new home region keeps the wait.
  if (poolKeyOf(config, previous.pool) !== poolKeyOf(config, pool)) return issuedAt;
  if (!isSameGroup(previous, group)) return issuedAt;
  return Math.min(previous.queuedAt, issuedAt);
}

function isSameGroup(previous: PreviousTicket, group: TicketGroup): boolean {
  const members = previous.party ?? [];
  return previous.sub === group.leader && members.length === group.members.length && group.members.every((m) => members.includes(m));
}

export interface TicketInput {
  readonly userId: string;
  readonly pool: Pool;
  readonly rating: number;
  /** How unsure the rating is (sigma), when known: a new player's, or one results moved. */
  readonly uncertainty?: number;
  readonly queuedAt: number;
  readonly issuedAt: number;
  readonly jti: string;
  /** The other members of the leader `userId`'s party, in joining order. */
  readonly party?: readonly Member[];
  readonly latencies?: Readonly<Record<string, number>>;
  readonly attributes?: Attributes;
}

/**
 * Checks a ticket request against config: 422 for a mode or region this deployment does not
 * offer, missing latencies under a latency rule, or an attribute the issuer does not vouch for
 * (an undeclared name, a value outside its allow-list, one value for a set or a set for one).
 */
export function checkPool(
  config: SharedConfig,
  pool: Pool,
  latencies?: Readonly<Record<string, number>>,
  attributes?: Attributes,
): void {
  if (!Object.hasOwn(config.modes, pool.mode)) throw unknownMode(config, pool.mode);
  const unknown = [pool.region, ...Object.keys(latencies ?? {})].find((r) => !config.regions.includes(r));
  if (unknown !== undefined) {
    throw new Problem(422, 'unknown-region', 'Unknown region', `${echo(unknown)}; regions offered: ${config.regions.join(', ')}`);
  }
  if (config.modes[pool.mode]!.latency !== undefined && Object.keys(latencies ?? {}).length === 0) {
    throw new Problem(422, 'latencies-required', 'Latencies required', `${pool.mode} matches by latency: send latencies, measured ms per region (${config.regions.join(', ')})`);
  }
  for (const [name, value] of Object.entries(attributes ?? {})) {
    const declared = Object.hasOwn(config.attributes, name) ? config.attributes[name] : undefined;
    if (declared === undefined) {
      const offered = Object.keys(config.attributes).join(', ') || 'none';
      throw new Problem(422, 'unknown-attribute', 'Unknown attribute', `${echo(name)}; attributes vouched for: ${offered}`);
    }
    const values = typeof value === 'string' ? [value] : value;
    const outside = values.find((v) => !declared.values.includes(v));
    if (declared.set !== (typeof value !== 'string') || outside !== undefined) {
      throw new Problem(
        422,
        'attribute-not-allowed',
        'Attribute value not allowed',
        `${name}: ${outside === undefined ? (declared.set ? 'expected a list of values' : 'expected one value') : `${echo(outside)} is not allowed`}; allowed: ${declared.values.join(', ')}`,
      );
    }
  }
}

/** The 422 for a mode this deployment does not offer, naming the one asked for. */
export function unknownMode(config: SharedConfig, mode: string): Problem {
  return new Problem(422, 'unknown-mode', 'Unknown mode', `${echo(mode)}; modes offered: ${Object.keys(config.modes).join(', ')}`);
}

/** A value the client sent, as an error detail shows it: quoted, and cut short so a hostile one stays small. */
function echo(value: string, maxChars = 64): string {
  return value.length > maxChars ? `${JSON.stringify(value.slice(0, maxChars))}…` : JSON.stringify(value);
}

/** The claims of a ticket: everything the matchmaker needs, nothing it must look up. */
export function buildTicketClaims(config: SharedConfig, input: TicketInput): TicketClaims {
  return {
    iss: config.issuer,
    sub: input.userId,
    aud: config.audiences.ticket,
    iat: toPasetoDate(input.issuedAt),
    exp: toPasetoDate(input.issuedAt + config.ticketTtlMs),
    jti: input.jti,
    pool: { mode: input.pool.mode, region: input.pool.region },
    rating: input.rating,
    ...(input.uncertainty === undefined ? {} : { uncertainty: Math.round(input.uncertainty) }),
    queuedAt: toPasetoDate(input.queuedAt),
    ...(input.party === undefined ? {} : { party: input.party.map((m) => ({ sub: m.sub, rating: m.rating })) }),
    ...(input.latencies === undefined ? {} : { latencies: sortedRecord(input.latencies) }),
    ...(input.attributes === undefined || Object.keys(input.attributes).length === 0 ? {} : { attributes: canonicalAttributes(input.attributes) }),
  };
}

/** Names in order, set values sorted and once each: equal requests sign equal bytes. */
export function canonicalAttributes(attributes: Attributes): Attributes {
  return sortedRecord(Object.fromEntries(Object.entries(attributes).map(([name, v]) => [name, typeof v === 'string' ? v : [...new Set(v)].sort()])));
}

/** Same content, keys in one order: equal requests must serialize to equal bytes. */
export function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
