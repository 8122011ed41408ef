// What else a simulated player brings to a ticket request: latencies from its home region, a
// platform with a crossplay choice, a game build. Seeded apart from the crowd (population.ts),
// so the crowd of a seed stays the one other tools rebuild. A party's members share their
// leader's profile: the issuer derives a party ticket from the request, so every member sends
// the same body.
import { latencyMap } from './latency-map.ts';
import { seededRandom, type SimPlayer } from './population.ts';

/** The platform mix of the crowd. */
export const PLATFORMS: ReadonlyArray<readonly [string, number]> = [
  ['pc', 0.5],
  ['playstation', 0.3],
  ['xbox', 0.2],
];

/** The crossplay value a player sends to say "any platform" (an opted-out player leaves it out). */
export const ANY_PLATFORM = 'any';

export interface PlayerProfile {
  /** Measured round trip (ms) to every region; the home region is the player's `region`. */
  readonly latencies: Readonly<Record<string, number>>;
  readonly platform: string;
  /** Plays only with its own platform. */
  readonly crossplayOptOut: boolean;
  /** On the older of the allowed builds. */
  readonly oldBuild: boolean;
}

export interface ProfileOptions {
  readonly regions: readonly string[];
  /** Share of players who opt out of crossplay, 0..1. */
  readonly crossplayOptOut: number;
  /** Share of players on the older build, 0..1. */
  readonly oldBuildShare: number;
}

function pick(random: () => number, weighted: ReadonlyArray<readonly [string, number]>): string {
  let r = random() * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of weighted) if ((r -= weight) < 0) return value;
  return weighted[weighted.length - 1]![0];
}

/** One profile per player (by index); party members get their leader's. */
export function buildProfiles(players: readonly SimPlayer[], options: ProfileOptions, seed: number): PlayerProfile[] {
  const random = seededRandom(seed ^ 0x2545f491);
  const own = players.map((player) => ({
    latencies: latencyMap(player.region, options.regions, random),
    platform: pick(random, PLATFORMS),
    crossplayOptOut: random() < options.crossplayOptOut,
    oldBuild: random() < options.oldBuildShare,
  }));
  const leaders = new Map<number, number>();
  for (const p of players) if (p.party?.leader) leaders.set(p.party.id, p.index);
  return players.map((p) => own[(p.party && leaders.get(p.party.id)) ?? p.index]!);
}

/** An attribute as GET /v1/modes lists it: its allow-list, and whether it is a set. */
export interface DeclaredAttribute {
  readonly values: readonly string[];
  readonly set?: boolean;
}

export interface RequestExtras {
  readonly latencies: Readonly<Record<string, number>>;
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * What a profile adds to a ticket request: latencies always (a latency mode needs them, the
 * others ignore them), and only the attributes the config declares: `build` (its allow-list's
 * last value is the current build, the one before it the older), and `crossplay` as
 * `[platform]` (opted out) or `[platform, 'any']`, when the platform and `any` are allowed.
 */
export function requestExtras(profile: PlayerProfile, declared: Readonly<Record<string, DeclaredAttribute>>): RequestExtras {
  const attributes: Record<string, string | readonly string[]> = {};
  const build = Object.hasOwn(declared, 'build') ? declared.build : undefined;
  if (build !== undefined && build.set !== true && build.values.length > 0) {
    const current = build.values.length - 1;
    attributes.build = build.values[profile.oldBuild && current > 0 ? current - 1 : current]!;
  }
  const crossplay = Object.hasOwn(declared, 'crossplay') ? declared.crossplay : undefined;
  if (crossplay?.set === true && crossplay.values.includes(profile.platform) && crossplay.values.includes(ANY_PLATFORM)) {
    attributes.crossplay = profile.crossplayOptOut ? [profile.platform] : [profile.platform, ANY_PLATFORM];
  }
  return { latencies: profile.latencies, ...(Object.keys(attributes).length === 0 ? {} : { attributes }) };
}
