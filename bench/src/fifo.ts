// The match-quality baseline: first come, first matched, on the simulator's crowd and clock.
// Players queue at their arrival, a tick every `tickMs` (none before `warmupMs`) takes each
// pool's waiting players in arrival order, a full lobby at a time, and a player learns of the
// match at that tick (the SDK's push stream). Teams are filled in arrival order: no balancing.
// It knows no latency bound, attributes, parties or team size ranges: a mode with a latency
// rule is one pool (as in the services), and each of its lobbies is placed in the region with
// the lowest worst-member latency, to show what the bound itself buys.
import { teamSizeOf, type ModeRules } from '@ticketbooth/config';

export interface Arrival {
  readonly rating: number;
  readonly mode: string;
  /** The pool's region (the home region under a latency rule). */
  readonly region: string;
  readonly arrivesAtMs: number;
  /** Round trip (ms) per region: where a lobby is placed, and its worst-member latency. */
  readonly latencies?: Readonly<Record<string, number>>;
}

/** What the baseline reads of a mode. */
export type FifoRules = Pick<ModeRules, 'teams' | 'teamSize'> & { readonly latency?: unknown };

export interface FifoClock {
  readonly tickMs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface FifoLobby {
  readonly mode: string;
  /** The pool's region, or under a latency rule the one with the lowest worst-member latency. */
  readonly region: string;
  /** Highest minus lowest rating. */
  readonly spread: number;
  /** The highest member latency to `region`, when every member has latencies. */
  readonly worstLatencyMs?: number;
  /** Per member: from arrival until the tick that formed it. */
  readonly timesToMatch: readonly number[];
}

export interface FifoOutcome {
  /** Highest minus lowest rating in each match. */
  readonly spreads: number[];
  /** Per matched player: from arrival until the tick that formed the match. */
  readonly timesToMatch: number[];
  readonly unmatched: number;
  readonly lobbies: FifoLobby[];
  readonly unmatchedByMode: Record<string, number>;
}

export function matchFifo(crowd: readonly Arrival[], modes: Readonly<Record<string, FifoRules>>, clock: FifoClock): FifoOutcome {
  const waiting = new Map<string, Arrival[]>();
  for (const player of [...crowd].sort((a, b) => a.arrivesAtMs - b.arrivesAtMs)) {
    const rules = Object.hasOwn(modes, player.mode) ? modes[player.mode] : undefined;
    if (rules === undefined) throw new TypeError(`unknown mode ${player.mode}`);
    const key = rules.latency === undefined ? `${player.mode}/${player.region}` : player.mode;
    waiting.set(key, [...(waiting.get(key) ?? []), player]);
  }
  const lobbies: FifoLobby[] = [];
  for (let at = clock.tickMs; at <= clock.durationMs; at += clock.tickMs) {
    if (at < clock.warmupMs) continue;
    for (const [key, queue] of waiting) {
      const mode = key.split('/')[0]!;
      const rules = modes[mode]!;
      const lobby = rules.teams * teamSizeOf(rules).max;
      const arrived = queue.filter((p) => p.arrivesAtMs <= at);
      const matched = Math.floor(arrived.length / lobby) * lobby;
      for (let from = 0; from < matched; from += lobby) {
        const players = arrived.slice(from, from + lobby);
        const ratings = players.map((p) => p.rating);
        const placed = rules.latency === undefined ? atRegion(players, players[0]!.region) : bestRegion(players);
        lobbies.push({ mode, ...placed, spread: Math.max(...ratings) - Math.min(...ratings), timesToMatch: players.map((p) => at - p.arrivesAtMs) });
      }
      if (matched > 0) waiting.set(key, queue.slice(matched));
    }
  }
  const unmatchedByMode: Record<string, number> = {};
  for (const [key, queue] of waiting) if (queue.length > 0) unmatchedByMode[key.split('/')[0]!] = (unmatchedByMode[key.split('/')[0]!] ?? 0) + queue.length;
  return {
    spreads: lobbies.map((l) => l.spread),
    timesToMatch: lobbies.flatMap((l) => l.timesToMatch),
    unmatched: Object.values(unmatchedByMode).reduce((sum, n) => sum + n, 0),
    lobbies,
    unmatchedByMode,
  };
}

function atRegion(players: readonly Arrival[], region: string): { region: string; worstLatencyMs?: number } {
  let worst = 0;
  for (const p of players) {
    const ms = p.latencies?.[region];
    if (ms === undefined) return { region };
    worst = Math.max(worst, ms);
  }
  return { region, worstLatencyMs: worst };
}

/** The region every member measured with the lowest worst latency (ties: the first by name); the first member's home without latencies. */
function bestRegion(players: readonly Arrival[]): { region: string; worstLatencyMs?: number } {
  let best: { region: string; worstLatencyMs: number } | undefined;
  for (const region of Object.keys(players[0]!.latencies ?? {}).sort()) {
    const placed = atRegion(players, region);
    if (placed.worstLatencyMs !== undefined && (best === undefined || placed.worstLatencyMs < best.worstLatencyMs)) best = { region, worstLatencyMs: placed.worstLatencyMs };
  }
  return best ?? { region: players[0]!.region };
}
