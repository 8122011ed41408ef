// The match-quality baseline: first come, first matched, on the simulator's crowd and clock.
// Players queue at their arrival, a tick every `tickMs` (none before `warmupMs`) takes each
// pool's waiting players in arrival order, a full lobby at a time, and a player learns of the
// match at that tick (the SDK's push stream). Teams are filled in arrival order: no balancing.
import { teamSizeOf, type ModeRules } from '@ticketbooth/config';

export interface Arrival {
  readonly rating: number;
  readonly mode: string;
  readonly region: string;
  readonly arrivesAtMs: number;
}

export interface FifoClock {
  readonly tickMs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface FifoOutcome {
  /** Highest minus lowest rating in each match. */
  readonly spreads: number[];
  /** Per matched player: from arrival until the tick that formed the match. */
  readonly timesToMatch: number[];
  readonly unmatched: number;
}

export function matchFifo(crowd: readonly Arrival[], modes: Readonly<Record<string, ModeRules>>, clock: FifoClock): FifoOutcome {
  const waiting = new Map<string, Arrival[]>();
  for (const player of [...crowd].sort((a, b) => a.arrivesAtMs - b.arrivesAtMs)) {
    const key = `${player.mode}/${player.region}`;
    waiting.set(key, [...(waiting.get(key) ?? []), player]);
  }
  const spreads: number[] = [];
  const timesToMatch: number[] = [];
  for (let at = clock.tickMs; at <= clock.durationMs; at += clock.tickMs) {
    if (at < clock.warmupMs) continue;
    for (const [key, queue] of waiting) {
      const rules = modes[key.split('/')[0]!];
      if (rules === undefined) throw new TypeError(`unknown mode in ${key}`);
      const lobby = rules.teams * teamSizeOf(rules).max;
      const arrived = queue.filter((p) => p.arrivesAtMs <= at);
      const matched = Math.floor(arrived.length / lobby) * lobby;
      for (let from = 0; from < matched; from += lobby) {
        const players = arrived.slice(from, from + lobby);
        const ratings = players.map((p) => p.rating);
        spreads.push(Math.max(...ratings) - Math.min(...ratings));
        for (const p of players) timesToMatch.push(at - p.arrivesAtMs);
      }
      waiting.set(key, queue.filter((p) => !arrived.slice(0, matched).includes(p)));
    }
  }
  const unmatched = [...waiting.values()].reduce((sum, q) => sum + q.length, 0);
  return { spreads, timesToMatch, unmatched };
}
