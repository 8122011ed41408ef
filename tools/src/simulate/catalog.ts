// What the issuer offers (GET /v1/modes), and which of it a run plays: modes, regions, shares.
import type { DeclaredAttribute } from './profiles.ts';

export interface LatencyRule {
  readonly maxMs: number;
  readonly widenToMs: number;
  readonly widenAfterMs: number;
}

/** A mode as GET /v1/modes lists it (teamSize is the largest), plus what only the config file tells. */
export interface ModeInfo {
  readonly name: string;
  readonly teams: number;
  readonly teamSize: number;
  readonly minTeamSize: number;
  readonly maxPartySize: number;
  readonly latency: LatencyRule | null;
  readonly attributes: { readonly equal: readonly string[]; readonly intersect: readonly string[] };
  /** From the config file when the simulator started the services with it: when teams may shrink. */
  readonly shrinkAfterMs?: number;
}

export interface Catalog {
  readonly modes: readonly ModeInfo[];
  readonly regions: readonly string[];
  readonly attributes: Readonly<Record<string, DeclaredAttribute>>;
}

export async function fetchCatalog(issuerUrl: string): Promise<Catalog> {
  const response = await fetch(`${issuerUrl}/v1/modes`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET /v1/modes answered ${response.status}`);
  const body = (await response.json()) as Catalog;
  return { modes: body.modes, regions: body.regions, attributes: body.attributes ?? {} };
}

/** A share for the low-population modes (those with a team size range) when none is asked for. */
export const LOW_POPULATION_SHARE = 0.05;

export interface PlaySelection {
  readonly modes: readonly string[];
  readonly regions: readonly string[];
  readonly modeShares: Readonly<Record<string, number>>;
}

/**
 * The modes and regions a run plays: those asked for (each must be offered), else every one
 * offered; and the share of each mode: those asked for, else `LOW_POPULATION_SHARE` for every
 * played mode whose teams may shrink (a range of team sizes is what a mode with few players
 * has), the rest split evenly.
 */
export function selectPlay(
  catalog: Catalog,
  asked: { readonly modes?: readonly string[] | undefined; readonly regions?: readonly string[] | undefined; readonly modeShares?: Readonly<Record<string, number>> | undefined },
): PlaySelection {
  const offered = catalog.modes.map((m) => m.name);
  const modes = asked.modes ?? offered;
  const regions = asked.regions ?? catalog.regions;
  const unknownMode = modes.find((m) => !offered.includes(m));
  if (unknownMode !== undefined) throw new Error(`--modes: ${unknownMode} is not offered (modes: ${offered.join(', ')})`);
  const unknownRegion = regions.find((r) => !catalog.regions.includes(r));
  if (unknownRegion !== undefined) throw new Error(`--regions: ${unknownRegion} is not offered (regions: ${catalog.regions.join(', ')})`);
  if (asked.modeShares !== undefined) return { modes, regions, modeShares: asked.modeShares };
  const small = catalog.modes.filter((m) => modes.includes(m.name) && m.minTeamSize < m.teamSize);
  // Only while other modes take the rest: a run of low-population modes alone shares evenly.
  if (small.length === modes.length) return { modes, regions, modeShares: {} };
  return { modes, regions, modeShares: Object.fromEntries(small.map((m) => [m.name, LOW_POPULATION_SHARE])) };
}

/** `siege=0.05,duel=0.3` as shares by mode. */
export function parseModeShares(text: string): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const part of text.split(',')) {
    const found = /^([a-z0-9][a-z0-9_-]*)=([0-9.]+)$/.exec(part.trim());
    const share = Number(found?.[2]);
    if (!found || !(share >= 0 && share <= 1)) throw new Error(`--mode-share: ${JSON.stringify(part)} is not mode=share with 0 <= share <= 1`);
    shares[found[1]!] = share;
  }
  return shares;
}
