// How a simulated player answers a proposed match: accepts with probability `acceptRate`, else
// declines half the time and ignores it (a no-show) the other half. Seeded per player and per
// proposal (the player's first, second, ... match), so a run with the same seed answers alike.
import type { Confirm } from '@ticketbooth/client';
import { seededRandom } from './population.ts';

export type Choice = 'accept' | 'decline' | 'ignore';

/** One 32-bit seed from the run's seed, the player and the proposal's number. */
function mix(seed: number, player: number, proposal: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ player ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ proposal ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The choice for a player's `proposal`-th proposed match (0-based). */
export function choiceFor(seed: number, player: number, proposal: number, acceptRate: number): Choice {
  const random = seededRandom(mix(seed, player, proposal));
  if (random() < acceptRate) return 'accept';
  return random() < 0.5 ? 'decline' : 'ignore';
}

/**
 * A `confirm` for one player, and what it chose per match id. An ignored proposal is a promise
 * that never settles: the client sends nothing and the match times out.
 */
export function playerChoices(seed: number, player: number, acceptRate: number) {
  const chosen = new Map<string, Choice>();
  const confirm: Confirm = (match) => {
    const choice = chosen.get(match.id) ?? choiceFor(seed, player, chosen.size, acceptRate);
    chosen.set(match.id, choice);
    return choice === 'ignore' ? new Promise<boolean>(() => {}) : choice === 'accept';
  };
  return { confirm, chosen: (matchId: string): Choice | undefined => chosen.get(matchId) };
}
