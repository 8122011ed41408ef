// Per mode: what the mode rules did to the matches the players settled in (worst-member latency
// in the region each match was placed in, team sizes, regions), checked against the rules from
// what the simulator knows of its own players, beside the first-come-first-matched baseline.
import type { Match } from '@ticketbooth/client';
import type { LatencyRule, ModeInfo } from './catalog.ts';
import { percentiles, ratingSpread, type Percentiles, type PlayerOutcome } from './summary.ts';

/** What the simulator gave a player (party members: their leader's), by the player's `sub`. */
export interface PlayerFacts {
  readonly mode: string;
  readonly latencies?: Readonly<Record<string, number>>;
  readonly platform?: string;
  readonly crossplayOptOut?: boolean;
  /** The attributes it sent in its ticket requests. */
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  /** When its client called queue() (ms since the epoch). */
  readonly queuedAt?: number;
  /**
   * The earliest its signed queuedAt can be: `queuedAt` for a solo player; for a party, when its
   * last member began joining (the issuer starts a party's wait at its last membership change).
   */
  readonly waitFrom?: number;
  /** The simulated party it queued with. */
  readonly party?: number;
}

/** Matches breaking a rule, as the simulator sees them: each must be 0. */
export interface RuleChecks {
  /** Players differ in an `equal` attribute they sent (the build). */
  readonly equalDiffers: number;
  /** Under a crossplay `intersect` rule: a player who opted out meets another platform. */
  readonly crossplayMixed: number;
  /** Worst-member latency above the rule's widenToMs. */
  readonly aboveWidenTo: number;
  /**
   * A member's latency above its own bound when the match formed, its wait counted from
   * `waitFrom` (never later than its signed queuedAt: the bound is never tighter than the
   * matchmaker's).
   */
  readonly aboveOwnBound: number;
  /** Teams below the largest size before the longest-waiting member waited shrinkAfterMs, from `waitFrom` (known from a config file). */
  readonly shrunkEarly: number;
  /**
   * Not a breach: matches within the latency or size rule only because a party's wait counts
   * from its last membership change; by the wait since its queue() call, the match is above a
   * member's bound or shrank early.
   */
  readonly partyHeadStart: number;
}

/** The checks a match must pass (all but partyHeadStart). */
const BREACHES = ['equalDiffers', 'crossplayMixed', 'aboveWidenTo', 'aboveOwnBound', 'shrunkEarly'] as const;

/** One match breaking a rule (or, for partyHeadStart, within it only by a party's head start), with what the simulator knew of its members. */
export interface Breach {
  readonly check: keyof RuleChecks;
  readonly match: string;
  readonly region: string;
  /** Ms after the longest-waiting member's `waitFrom`. */
  readonly formedAfterMs: number;
  readonly members: ReadonlyArray<{
    readonly sub: string;
    readonly party?: number;
    readonly latencyMs?: number;
    /** Since its queue() call, and since `waitFrom` (the longest its signed wait can be). */
    readonly waitedMs?: number;
    readonly signedWaitAtMostMs?: number;
    /** The latency bound after `signedWaitAtMostMs`. */
    readonly boundMs?: number;
    readonly platform?: string;
    readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  }>;
}

/** At most this many breaches per check and mode are listed (all are counted). */
export const BREACHES_LISTED = 5;

/** A lobby of the baseline (bench/src/fifo.ts). */
export interface BaselineLobby {
  readonly mode: string;
  readonly region: string;
  readonly spread: number;
  readonly worstLatencyMs?: number;
  readonly timesToMatch: readonly number[];
}

export interface BaselineFigures {
  readonly matches: number;
  readonly matched: number;
  readonly unmatched: number;
  readonly regions: Readonly<Record<string, number>>;
  readonly worstLatencyMs?: Percentiles;
  readonly ratingSpread: Percentiles;
  readonly timeToMatchMs: Percentiles;
}

export interface ModeFigures {
  readonly mode: string;
  /** Players who queued in this mode, and those settled in one of its matches. */
  readonly queued: number;
  readonly matched: number;
  readonly matches: number;
  /** Settled matches by team size, largest first: `{ '5v5': 3, '3v3': 1 }`. */
  readonly teamSizes: Readonly<Record<string, number>>;
  /** Settled matches by the region they were placed in. */
  readonly regions: Readonly<Record<string, number>>;
  readonly latencyRule: LatencyRule | null;
  /** Per match, the highest latency of a member to the match's region (absent when latencies are unknown). */
  readonly worstLatencyMs?: Percentiles;
  readonly ratingSpread: Percentiles;
  readonly timeToMatchMs: Percentiles;
  readonly checks: RuleChecks;
  /** The first breaches found (see BREACHES_LISTED). */
  readonly breaches: readonly Breach[];
  readonly fifo: BaselineFigures;
}

export interface ModeFiguresInput {
  readonly modes: readonly ModeInfo[];
  readonly outcomes: readonly PlayerOutcome[];
  readonly facts: ReadonlyMap<string, PlayerFacts>;
  /** A match's formation time (its token's `iat`, ms). */
  readonly formedAt: (match: Match) => number;
  readonly fifo: { readonly lobbies: readonly BaselineLobby[]; readonly unmatchedByMode: Readonly<Record<string, number>> };
}

export function modeFigures(input: ModeFiguresInput): ModeFigures[] {
  const matches = new Map<string, Match>();
  for (const o of input.outcomes) if (o.match) matches.set(o.match.id, o.match);
  return input.modes.map((mode) => {
    const own = [...matches.values()].filter((m) => m.pool.mode === mode.name);
    const settled = input.outcomes.filter((o) => o.match?.pool.mode === mode.name);
    const worst = own.map((m) => worstMemberLatency(m, input.facts));
    const known = worst.filter((ms): ms is number => ms !== undefined);
    const { checks, breaches } = checkRules(own, mode, input);
    return {
      mode: mode.name,
      queued: input.outcomes.filter((o) => input.facts.get(o.sub)?.mode === mode.name).length,
      matched: settled.length,
      matches: own.length,
      teamSizes: countBy(own.map(teamSizeLabel), (a, b) => Number(b.split('v')[0]) - Number(a.split('v')[0])),
      regions: countBy(own.map((m) => m.pool.region)),
      latencyRule: mode.latency,
      ...(known.length > 0 && known.length === worst.length ? { worstLatencyMs: percentiles(known) } : {}),
      ratingSpread: percentiles(own.map(ratingSpread)),
      timeToMatchMs: percentiles(settled.map((o) => o.timeToMatchMs ?? 0)),
      checks,
      breaches,
      fifo: baselineFigures(
        input.fifo.lobbies.filter((l) => l.mode === mode.name),
        input.fifo.unmatchedByMode[mode.name] ?? 0,
      ),
    };
  });
}

/** The highest latency a member measured to the match's region; undefined when a member's latencies are unknown. */
export function worstMemberLatency(match: Match, facts: ReadonlyMap<string, PlayerFacts>): number | undefined {
  let worst = 0;
  for (const player of match.teams.flat()) {
    const ms = facts.get(player.sub)?.latencies?.[match.pool.region];
    if (ms === undefined) return undefined;
    worst = Math.max(worst, ms);
  }
  return worst;
}

/** `4v4`, or `4v3` should teams ever differ. */
function teamSizeLabel(match: Match): string {
  return match.teams.map((t) => t.length).join('v');
}

function countBy(keys: readonly string[], order: (a: string, b: string) => number = (a, b) => a.localeCompare(b)): Record<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => order(a, b)));
}

/** The latency rule's bound after `waitedMs` (the matchmaker's latencyBound). */
export function boundAfter(rule: LatencyRule, waitedMs: number): number {
  const waited = Math.max(0, waitedMs);
  if (waited >= rule.widenAfterMs) return rule.widenToMs;
  return rule.maxMs + ((rule.widenToMs - rule.maxMs) * waited) / rule.widenAfterMs;
}

/** Matches breaking each rule (counts only). */
export function ruleChecks(matches: readonly Match[], mode: ModeInfo, input: Pick<ModeFiguresInput, 'facts' | 'formedAt'>): RuleChecks {
  return checkRules(matches, mode, input).checks;
}

function checkRules(matches: readonly Match[], mode: ModeInfo, input: Pick<ModeFiguresInput, 'facts' | 'formedAt'>): { checks: RuleChecks; breaches: Breach[] } {
  const checks = { equalDiffers: 0, crossplayMixed: 0, aboveWidenTo: 0, aboveOwnBound: 0, shrunkEarly: 0, partyHeadStart: 0 };
  const breaches: Breach[] = [];
  for (const match of matches) {
    const before = { ...checks };
    const members = match.teams.flat().map((p) => input.facts.get(p.sub));
    const sent = (name: string) => members.map((f) => JSON.stringify(f?.attributes?.[name] ?? null));
    if (mode.attributes.equal.some((name) => new Set(sent(name)).size > 1)) checks.equalDiffers++;
    if (mode.attributes.intersect.includes('crossplay') && crossplayMixed(members)) checks.crossplayMixed++;
    const formed = input.formedAt(match);
    // Each of the wait-based rules, by the longest the signed wait can be, and by the wait since queue().
    const breaks = (from: (f: PlayerFacts) => number | undefined) => {
      const waited = (f: PlayerFacts | undefined) => (f === undefined || from(f) === undefined ? undefined : formed - from(f)!);
      const rule = mode.latency;
      const above =
        rule !== null &&
        members.some((f) => {
          const ms = f?.latencies?.[match.pool.region];
          const w = waited(f);
          return ms !== undefined && w !== undefined && ms > boundAfter(rule, w);
        });
      const longest = Math.max(...members.map((f) => waited(f) ?? Infinity));
      const smallest = Math.min(...match.teams.map((t) => t.length));
      const shrunk = mode.shrinkAfterMs !== undefined && smallest < mode.teamSize && longest < mode.shrinkAfterMs;
      return { above, shrunk, longest };
    };
    const signed = breaks((f) => f.waitFrom ?? f.queuedAt);
    const byQueue = breaks((f) => f.queuedAt);
    if (signed.above) checks.aboveOwnBound++;
    if (signed.shrunk) checks.shrunkEarly++;
    if (!signed.above && !signed.shrunk && (byQueue.above || byQueue.shrunk)) checks.partyHeadStart++;
    const worst = worstMemberLatency(match, input.facts);
    if (mode.latency !== null && worst !== undefined && worst > mode.latency.widenToMs) checks.aboveWidenTo++;
    const longest = signed.longest;
    for (const check of Object.keys(checks) as Array<keyof RuleChecks>) {
      if (checks[check] > before[check] && breaches.filter((b) => b.check === check).length < BREACHES_LISTED) breaches.push(describeBreach(check, match, mode, input.facts, formed, longest));
    }
  }
  return { checks, breaches };
}

function describeBreach(check: keyof RuleChecks, match: Match, mode: ModeInfo, facts: ReadonlyMap<string, PlayerFacts>, formed: number, longest: number): Breach {
  const members = match.teams.flat().map(({ sub }) => {
    const f = facts.get(sub);
    const latencyMs = f?.latencies?.[match.pool.region];
    const waitedMs = f?.queuedAt === undefined ? undefined : formed - f.queuedAt;
    const from = f?.waitFrom ?? f?.queuedAt;
    const signedWaitAtMostMs = from === undefined ? undefined : formed - from;
    const boundMs = mode.latency === null || signedWaitAtMostMs === undefined ? undefined : Math.round(boundAfter(mode.latency, signedWaitAtMostMs));
    return {
      sub,
      ...(f?.party === undefined ? {} : { party: f.party }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(waitedMs === undefined ? {} : { waitedMs }),
      ...(signedWaitAtMostMs === undefined ? {} : { signedWaitAtMostMs }),
      ...(boundMs === undefined ? {} : { boundMs }),
      ...(f?.platform === undefined ? {} : { platform: f.platform }),
      ...(f?.attributes === undefined ? {} : { attributes: f.attributes }),
    };
  });
  return { check, match: match.id, region: match.pool.region, formedAfterMs: longest, members };
}

/** A player who sent a crossplay set and opted out, in a match with a player of another platform. */
function crossplayMixed(members: ReadonlyArray<PlayerFacts | undefined>): boolean {
  const sentCrossplay = (f: PlayerFacts | undefined) => f?.attributes?.crossplay !== undefined;
  const platforms = new Set(members.filter(sentCrossplay).map((f) => f!.platform));
  return platforms.size > 1 && members.some((f) => sentCrossplay(f) && f!.crossplayOptOut === true);
}

function baselineFigures(lobbies: readonly BaselineLobby[], unmatched: number): BaselineFigures {
  const latencies = lobbies.map((l) => l.worstLatencyMs);
  const known = latencies.filter((ms): ms is number => ms !== undefined);
  return {
    matches: lobbies.length,
    matched: lobbies.reduce((sum, l) => sum + l.timesToMatch.length, 0),
    unmatched,
    regions: countBy(lobbies.map((l) => l.region)),
    ...(known.length > 0 && known.length === latencies.length ? { worstLatencyMs: percentiles(known) } : {}),
    ratingSpread: percentiles(lobbies.map((l) => l.spread)),
    timeToMatchMs: percentiles(lobbies.flatMap((l) => l.timesToMatch)),
  };
}

/** Match-checks broken, every check and mode together (partyHeadStart is not a breach). */
export function violations(figures: readonly ModeFigures[]): number {
  return figures.reduce((sum, f) => sum + BREACHES.reduce((n, check) => n + f.checks[check], 0), 0);
}
