// Skill that learns from results: OpenSkill's Weng-Lin model (Plackett-Luce), in the rating
// points tickets carry. Pure: the store and the results route decide when to apply it.
import { predictWin, rate } from 'openskill';

/** A player's skill in one mode: `mu` the estimate, `sigma` how unsure it is. */
export interface Skill {
  readonly mu: number;
  readonly sigma: number;
}

/**
 * The model's constants in rating points. OpenSkill's defaults (mu 25, sigma 25/3, beta 25/6,
 * tau 25/300) describe a new player as 25 ± 8.3; scaled by 60 they fit ratings around 1500:
 * a new player is 1500 ± 500, and a 250-point gap (beta) is about a 76 % chance to win a duel.
 */
export interface SkillScale {
  /** A new player's mu: the mode's default rating. */
  readonly mu: number;
  /** A new player's sigma. */
  readonly sigma: number;
  /** Performance spread within one match: the gap at which the better player usually wins. */
  readonly beta: number;
  /** Added to sigma before each update, so ratings keep moving as players change. */
  readonly tau: number;
}

export const DEFAULT_SKILL_SCALE: SkillScale = { mu: 1500, sigma: 500, beta: 250, tau: 5 };

export function newPlayerSkill(scale: SkillScale = DEFAULT_SKILL_SCALE): Skill {
  return { mu: scale.mu, sigma: scale.sigma };
}

function options(scale: SkillScale) {
  // kappa floors sigma² (OpenSkill's is for its own scale): scaled by 60² like the rest.
  return { mu: scale.mu, sigma: scale.sigma, beta: scale.beta, tau: scale.tau, kappa: 0.0001 * (scale.sigma / (25 / 3)) ** 2 };
}

/**
 * Every member's skill after a match: `ranks` per team, 1 first, equal ranks a tie. Teams and
 * members keep their order. Throws on a rank list that does not match the teams.
 */
export function skillsAfter(teams: ReadonlyArray<ReadonlyArray<Skill>>, ranks: readonly number[], scale: SkillScale = DEFAULT_SKILL_SCALE): Skill[][] {
  if (ranks.length !== teams.length || teams.some((team) => team.length === 0)) throw new RangeError('one rank per team, every team with a member');
  if (!ranks.every((rank) => Number.isInteger(rank) && rank >= 1)) throw new RangeError('ranks are whole numbers from 1');
  const updated = rate(
    teams.map((team) => team.map(({ mu, sigma }) => ({ mu, sigma }))),
    { ...options(scale), rank: [...ranks] },
  );
  return updated.map((team) => team.map(({ mu, sigma }) => ({ mu, sigma })));
}

/** Each team's chance to win, from the members' skills; they sum to 1. */
export function winChances(teams: ReadonlyArray<ReadonlyArray<Skill>>, scale: SkillScale = DEFAULT_SKILL_SCALE): number[] {
  return predictWin(
    teams.map((team) => team.map(({ mu, sigma }) => ({ mu, sigma }))),
    options(scale),
  );
}
