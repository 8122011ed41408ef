// Splitting the players of one match into teams of equal size and close total rating.
import type { Member } from '@ticketbooth/tickets';

/** What balancing reads of a player. */
export interface Rated {
  readonly rating: number;
}

/** Players who must share a team: one solo player or a whole party. */
export type Group<M extends Rated = Member> = readonly M[];

const MAX_SWAP_ROUNDS = 64;
const MAX_PACKING_STEPS = 20_000;

/**
 * Assigns every group whole to one of `teams` teams of exactly `teamSize`
 * players, balancing total rating. Solo players go by snake draft, which keeps
 * any two teams' totals within the rating spread of the match; parties go
 * largest first to the lightest team with room. Pairwise swaps between the
 * heaviest and lightest team then narrow the gap further. Returns undefined
 * when the groups cannot be packed. Deterministic: ties keep input order.
 *
 * @example
 * balanceTeams([[a], [b], [c], [d]], 2, 2) // [[a, d], [b, c]] when a ≥ b ≥ c ≥ d
 */
export function balanceTeams<M extends Rated>(groups: readonly Group<M>[], teams: number, teamSize: number): M[][] | undefined {
  const n = groups.length;
  let players = 0;
  for (let i = 0; i < n; i++) players += groups[i]!.length;
  if (players === n) return n === teams * teamSize ? balanceSolo(groups.map((g) => g[0]!), teams, teamSize) : undefined;
  if (players !== teams * teamSize) return undefined;
  const sizes = new Array<number>(n);
  const totals = new Array<number>(n);
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    sizes[i] = groups[i]!.length;
    totals[i] = totalRating(groups[i]!);
    order[i] = i;
  }
  // Largest first, then heaviest, then input order: an insertion sort, as a match has few groups.
  for (let p = 1; p < n; p++) {
    const current = order[p]!;
    let q = p;
    while (q > 0 && comesAfter(order[q - 1]!, current, sizes, totals)) {
      order[q] = order[q - 1]!;
      q--;
    }
    order[q] = current;
  }
  const assignment = lightestWithRoom(order, sizes, totals, teams, teamSize) ?? pack(order, sizes, teams, teamSize);
  if (assignment === undefined) return undefined;
  improveBySwaps(assignment, sizes, totals, teams);
  const result: M[][] = [];
  for (let t = 0; t < teams; t++) result.push([]);
  for (const i of order) {
    const team = result[assignment[i]!]!;
    for (const member of groups[i]!) team.push(member);
  }
  return result;
}

function comesAfter(a: number, b: number, sizes: readonly number[], totals: readonly number[]): boolean {
  return sizes[a]! !== sizes[b]! ? sizes[a]! < sizes[b]! : totals[a]! !== totals[b]! ? totals[a]! < totals[b]! : a > b;
}

/** Whether groups of these sizes fit exactly into `teams` teams of `teamSize`, parties unsplit. */
export function canPack(sizes: readonly number[], teams: number, teamSize: number): boolean {
  let total = 0;
  let solo = true;
  for (const size of sizes) {
    if (size > teamSize) return false;
    total += size;
    if (size !== 1) solo = false;
  }
  if (total > teams * teamSize) return false;
  if (solo) return true;
  // A partial selection fits if it can be completed with solo players, i.e. the parties pack.
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  return pack(order, sizes, teams, teamSize, false) !== undefined;
}

/**
 * `canPack` for the walk's hot path, without allocating: `counts[s]` parties of size s (s >= 2;
 * solo players always fill what is left). First-fit decreasing into `rooms` (scratch, at least
 * `teams` long) answers almost every case; when it fails, the exact search decides.
 */
export function partiesFit(counts: Int32Array, teams: number, teamSize: number, rooms: Int32Array): boolean {
  rooms.fill(teamSize, 0, teams);
  let placed = true;
  for (let size = teamSize; size >= 2 && placed; size--) {
    for (let c = counts[size]!; c > 0; c--) {
      let t = 0;
      while (t < teams && rooms[t]! < size) t++;
      if (t === teams) {
        placed = false;
        break;
      }
      rooms[t]! -= size;
    }
  }
  if (placed) return true;
  const sizes: number[] = [];
  for (let size = 2; size < counts.length; size++) for (let c = 0; c < counts[size]!; c++) sizes.push(size);
  return canPack(sizes, teams, teamSize);
}

/** Gap between the highest and lowest mean team rating. */
export function teamImbalance(teams: readonly (readonly Rated[])[]): number {
  let low = Infinity;
  let high = -Infinity;
  for (const team of teams) {
    const mean = totalRating(team) / team.length;
    if (mean < low) low = mean;
    if (mean > high) high = mean;
  }
  return teams.length === 0 ? 0 : high - low;
}

/** Highest minus lowest rating among all players of a match. */
export function ratingSpread(teams: readonly (readonly Rated[])[]): number {
  let low = Infinity;
  let high = -Infinity;
  for (const team of teams) {
    for (const { rating } of team) {
      if (rating < low) low = rating;
      if (rating > high) high = rating;
    }
  }
  return high >= low ? high - low : 0;
}

export function totalRating(members: readonly Rated[]): number {
  let sum = 0;
  for (const m of members) sum += m.rating;
  return sum;
}

/**
 * Solo players only (the hot path of every tick): snake draft by rating, then
 * swaps. `players.length` must be `teams * teamSize`. Ties keep input order.
 */
export function balanceSolo<M extends Rated>(players: readonly M[], teams: number, teamSize: number): M[][] {
  if (teams === 2 && teamSize === 1) {
    const a = players[0]!;
    const b = players[1]!;
    return a.rating >= b.rating ? [[a], [b]] : [[b], [a]];
  }
  const ranked = players.length === 2 ? (players[0]!.rating >= players[1]!.rating ? players : [players[1]!, players[0]!]) : [...players].sort((a, b) => b.rating - a.rating);
  const result: M[][] = [];
  const sums: number[] = [];
  for (let t = 0; t < teams; t++) {
    result.push([]);
    sums.push(0);
  }
  for (let k = 0; k < ranked.length; k++) {
    const slot = k % teams;
    const team = Math.floor(k / teams) % 2 === 0 ? slot : teams - 1 - slot;
    result[team]!.push(ranked[k]!);
    sums[team]! += ranked[k]!.rating;
  }
  if (teamSize > 1) swapSolo(result, sums);
  return result;
}

function swapSolo(result: Rated[][], sums: number[]): void {
  for (let round = 0; round < MAX_SWAP_ROUNDS; round++) {
    let heavy = 0;
    let light = 0;
    for (let t = 1; t < sums.length; t++) {
      if (sums[t]! > sums[heavy]!) heavy = t;
      if (sums[t]! < sums[light]!) light = t;
    }
    const gap = sums[heavy]! - sums[light]!;
    if (gap <= 0) return;
    const heavyTeam = result[heavy]!;
    const lightTeam = result[light]!;
    let bestGap = gap;
    let bestX = -1;
    let bestY = -1;
    for (let x = 0; x < heavyTeam.length; x++) {
      for (let y = 0; y < lightTeam.length; y++) {
        const moved = heavyTeam[x]!.rating - lightTeam[y]!.rating;
        const newGap = Math.abs(gap - 2 * moved);
        if (moved > 0 && newGap < bestGap) {
          bestGap = newGap;
          bestX = x;
          bestY = y;
        }
      }
    }
    if (bestX === -1) return;
    const moving = heavyTeam[bestX]!;
    const moved = moving.rating - lightTeam[bestY]!.rating;
    heavyTeam[bestX] = lightTeam[bestY]!;
    lightTeam[bestY] = moving;
    sums[heavy]! -= moved;
    sums[light]! += moved;
  }
}

function lightestWithRoom(
  order: readonly number[],
  sizes: readonly number[],
  totals: readonly number[],
  teams: number,
  teamSize: number,
): number[] | undefined {
  const sums = new Array<number>(teams).fill(0);
  const room = new Array<number>(teams).fill(teamSize);
  const assignment: number[] = [];
  for (const group of order) {
    let best = -1;
    for (let t = 0; t < teams; t++) {
      if (room[t]! >= sizes[group]! && (best === -1 || sums[t]! < sums[best]!)) best = t;
    }
    if (best === -1) return undefined;
    assignment[group] = best;
    sums[best]! += totals[group]!;
    room[best]! -= sizes[group]!;
  }
  return assignment;
}

/** Backtracking bin packing, largest first; bounded, so a pathological input gives up rather than stalls. */
function pack(order: readonly number[], sizes: readonly number[], teams: number, teamSize: number, exact = true): number[] | undefined {
  const room = new Array<number>(teams).fill(teamSize);
  const assignment: number[] = [];
  let steps = 0;
  const place = (k: number): boolean => {
    if (k === order.length) return !exact || room.every((r) => r === 0);
    if (++steps > MAX_PACKING_STEPS) return false;
    const group = order[k]!;
    const seen = new Set<number>();
    for (let t = 0; t < teams; t++) {
      // Teams with the same room left are interchangeable: trying one is enough.
      if (room[t]! < sizes[group]! || seen.has(room[t]!)) continue;
      seen.add(room[t]!);
      room[t]! -= sizes[group]!;
      assignment[group] = t;
      if (place(k + 1)) return true;
      room[t]! += sizes[group]!;
    }
    return false;
  };
  return place(0) ? assignment : undefined;
}

/** Swaps equal-size groups between the heaviest and the lightest team while that narrows their gap. */
function improveBySwaps(assignment: number[], sizes: readonly number[], totals: readonly number[], teams: number): void {
  const sums = new Array<number>(teams).fill(0);
  assignment.forEach((team, group) => (sums[team]! += totals[group]!));
  for (let round = 0; round < MAX_SWAP_ROUNDS; round++) {
    let heavy = 0;
    let light = 0;
    for (let t = 1; t < teams; t++) {
      if (sums[t]! > sums[heavy]!) heavy = t;
      if (sums[t]! < sums[light]!) light = t;
    }
    const gap = sums[heavy]! - sums[light]!;
    if (gap <= 0) return;
    let bestGap = gap;
    let bestX = -1;
    let bestY = -1;
    for (let x = 0; x < assignment.length; x++) {
      if (assignment[x] !== heavy) continue;
      for (let y = 0; y < assignment.length; y++) {
        if (assignment[y] !== light || sizes[x] !== sizes[y]) continue;
        const moved = totals[x]! - totals[y]!;
        const newGap = Math.abs(gap - 2 * moved);
        if (moved > 0 && newGap < bestGap) {
          bestGap = newGap;
          bestX = x;
          bestY = y;
        }
      }
    }
    if (bestX === -1) return;
    const moved = totals[bestX]! - totals[bestY]!;
    assignment[bestX] = light;
    assignment[bestY] = heavy;
    sums[heavy]! -= moved;
    sums[light]! += moved;
  }
}
