// What `pnpm simulate --games` reports, as pure functions: a hidden true skill per player, games
// drawn from it, and how well ratings rank players and balance matches.
import { normal } from './population.ts';

/** Performance spread of one game, in rating points (the issuer's OpenSkill beta): a 250-point edge wins about 3 in 4. */
export const PERFORMANCE_SD = 250;

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf; error below 1.5e-7). */
export function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The chance that team A beats team B when each member performs at true skill plus N(0, PERFORMANCE_SD). */
export function winChance(teamA: readonly number[], teamB: readonly number[]): number {
  const sum = (t: readonly number[]) => t.reduce((s, x) => s + x, 0);
  return phi((sum(teamA) - sum(teamB)) / (PERFORMANCE_SD * Math.sqrt(teamA.length + teamB.length)));
}

/** One game: each member's performance drawn around their true skill; the higher team total ranks first (1), the other 2. */
export function playGame(teamA: readonly number[], teamB: readonly number[], random: () => number): [number, number] {
  const perform = (t: readonly number[]) => t.reduce((s, x) => s + normal(random, x, PERFORMANCE_SD), 0);
  return perform(teamA) >= perform(teamB) ? [1, 2] : [2, 1];
}

/** Spearman's rank correlation of two equally long lists (average ranks for ties). */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2) return Number.NaN;
  const ranks = (v: readonly number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
      for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const [rx, ry] = [ranks(xs), ranks(ys)];
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [mx, my] = [mean(rx), mean(ry)];
  let [num, dx, dy] = [0, 0, 0];
  for (let i = 0; i < rx.length; i++) {
    num += (rx[i]! - mx) * (ry[i]! - my);
    dx += (rx[i]! - mx) ** 2;
    dy += (ry[i]! - my) ** 2;
  }
  return dx === 0 || dy === 0 ? 0 : num / Math.sqrt(dx * dy);
}

/** Mean |P(win) - 0.5| of duels between players paired at random: what matching in arrival order (FIFO) gives. */
export function randomPairsImbalance(truths: readonly number[], random: () => number, pairs = 100_000): number {
  let total = 0;
  for (let i = 0; i < pairs; i++) {
    const i = Math.floor(random() * truths.length);
    // Another player: the second index is drawn from the other n - 1.
    const j = (i + 1 + Math.floor(random() * (truths.length - 1))) % truths.length;
    const [a, b] = [truths[i]!, truths[j]!];
    total += Math.abs(winChance([a], [b]) - 0.5);
  }
  return total / pairs;
}
