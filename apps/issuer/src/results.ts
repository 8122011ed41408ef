// Game results: who may report them (game servers, by a credential of their own), what a
// report says, and the skills it moves.
import { createHash, randomBytes } from 'node:crypto';
import type { ResultRequest } from './schemas.ts';
import { DEFAULT_SKILL_SCALE, skillsAfter, type Skill, type SkillScale } from './skill.ts';

/**
 * A game server's credential: 32 random bytes, shown once at registration and stored only as
 * its SHA-256. A bearer secret rather than a key pair the server signs reports with: the
 * report already names a match token the matchmaker signed, TLS carries it, and a secret is
 * what an operator can hand to a fleet and revoke in one step. Looked up by digest, so the
 * lookup's timing tells nothing about the secret itself.
 */
export function newGameServerSecret(): string {
  return `tbgs_${randomBytes(32).toString('base64url')}`;
}

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}


/** The outcome as stored and compared: ranks, and scores in `sub` order; its digest tells a replay from a conflict. */
export function outcomeOf(request: ResultRequest): { readonly outcome: string; readonly digest: string } {
  const scores = request.scores === undefined ? undefined : Object.fromEntries(Object.entries(request.scores).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const outcome = JSON.stringify({ ranks: request.ranks, ...(scores === undefined ? {} : { scores }) });
  return { outcome, digest: createHash('sha256').update(outcome).digest('hex') };
}

/** The scale of a mode: OpenSkill's, scaled, around the mode's default rating. */
export function scaleFor(defaultRating: number): SkillScale {
  return { ...DEFAULT_SKILL_SCALE, mu: defaultRating };
}

/**
 * The skill update for a match's members, flattened in team order as the store reads them:
 * each team's members' skills move by the team's rank.
 */
export function teamUpdate(teamSizes: readonly number[], ranks: readonly number[], scale: SkillScale): (skills: readonly Skill[]) => Skill[] {
  return (skills) => {
    const teams: Skill[][] = [];
    let at = 0;
    for (const size of teamSizes) {
      teams.push(skills.slice(at, at + size));
      at += size;
    }
    return skillsAfter(teams, ranks, scale).flat();
  };
}
