// `pnpm simulate --games`: ratings that learn, end to end. Every player has a hidden true skill;
// each formed duel is played out from the true skills, its result reported to the issuer by a
// registered game server, and the players queue again with their next ticket, for a number of
// rounds. The same population runs twice on fresh services: once reporting results (ratings
// learn from nothing), once not (the ratings an admin guessed stay put); FIFO is computed.
import { writeFileSync } from 'node:fs';
import { createClient, TicketboothError, type Match, type Session } from '@ticketbooth/client';
import { lineChart } from '../../../bench/src/svg.ts';
import { playGame, randomPairsImbalance, spearman, winChance } from './games-figures.ts';
import { fetchAs } from './players.ts';
import { normal, seededRandom as seeded } from './population.ts';
import { startOwnServices, type OwnServices } from './services.ts';

export interface GamesOptions {
  readonly players: number;
  readonly rounds: number;
  readonly seed: number;
  readonly resubmitMs: number;
  /** Longest a run may take (ms): players still short of `rounds` then stop. */
  readonly runLimitMs: number;
  readonly plot?: string;
  readonly json?: string;
  readonly log?: string;
}

/** How far an admin's guess is off: the static ratings are true skill plus N(0, this). */
const GUESS_SD = 250;
const MODE = 'duel';
const REQUEST = { mode: MODE, region: 'eu' };
const PASSWORD = 'simulated-player-password';
const STALL_MS = 10_000;

interface RunFigures {
  /** Per games played (0..rounds): Spearman of the ratings players carried then against their true skill. */
  readonly correlation: Array<number | null>;
  /** Per games played before the match (0..rounds-1): mean |P(win) - 0.5| of the matches formed, from the true skills. */
  readonly imbalance: Array<number | null>;
  readonly matches: number;
  readonly completed: number;
  readonly reported: number;
  readonly elapsedMs: number;
}

export async function runGames(options: GamesOptions, progress: (line: string) => void): Promise<void> {
  const random = seeded(options.seed);
  const truths = Array.from({ length: options.players }, () => normal(random, 1500, 300));
  const guesses = truths.map((t) => Math.round(normal(random, t, GUESS_SD)));
  const learning = await playRun(options, truths, undefined, progress);
  const fixed = await playRun(options, truths, guesses, progress);
  const fifo = randomPairsImbalance(truths, seeded(options.seed + 1));

  const f = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '-' : x.toFixed(digits));
  const lines = [
    '',
    `${options.players} players, true skill ~N(1500, 300), duels, ${options.rounds} games each; static ratings = true skill + N(0, ${GUESS_SD})`,
    '',
    '| games played | rank correlation: learning | static | imbalance: learning | static | FIFO |',
    '|--:|--:|--:|--:|--:|--:|',
  ];
  for (let g = 0; g <= options.rounds; g++) {
    lines.push(`| ${g} | ${f(learning.correlation[g])} | ${f(fixed.correlation[g])} | ${f(learning.imbalance[g])} | ${f(fixed.imbalance[g])} | ${g < options.rounds ? f(fifo) : '-'} |`);
  }
  const last = (v: Array<number | null>) => v.filter((x): x is number => x !== null).at(-1) ?? null;
  const tail = (v: Array<number | null>) => {
    const values = v.slice(Math.max(0, options.rounds - 5), options.rounds).filter((x): x is number => x !== null);
    return values.length === 0 ? null : values.reduce((s, x) => s + x, 0) / values.length;
  };
  lines.push(
    '',
    `imbalance = mean |P(win) - 0.5| of the matches formed, from the true skills (0 = coin flips). Over the last 5 rounds: learning ${f(tail(learning.imbalance))}, static ${f(tail(fixed.imbalance))}, FIFO ${f(fifo)}.`,
    `rank correlation after ${options.rounds} games: learning ${f(last(learning.correlation))}, static ${f(last(fixed.correlation))}.`,
    `learning: ${learning.matches} matches, ${learning.reported} results reported, ${learning.completed}/${options.players} players played all ${options.rounds} games, ${(learning.elapsedMs / 1000).toFixed(0)} s;` +
      ` static: ${fixed.matches} matches, ${fixed.completed}/${options.players} complete, ${(fixed.elapsedMs / 1000).toFixed(0)} s.`,
  );
  console.log(lines.join('\n'));
  if (options.plot !== undefined) {
    const points = (v: Array<number | null>) => v.flatMap((y, x) => (y === null ? [] : [[x, y] as const]));
    writeFileSync(
      options.plot,
      lineChart(`Rank correlation with true skill, ${options.players} players`, 'games played', 'Spearman', [
        { label: 'learning (results reported)', points: points(learning.correlation) },
        { label: 'static (admin guess)', points: points(fixed.correlation) },
      ], { label: 'target 0.9', y: 0.9 }),
    );
  }
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify({ options, learning, static: fixed, fifoImbalance: fifo }, null, 2)}\n`);
}

/** One run on fresh services: `guesses` set as static ratings (no results reported), or none (results reported). */
async function playRun(options: GamesOptions, truths: readonly number[], guesses: readonly number[] | undefined, progress: (line: string) => void): Promise<RunFigures> {
  const learning = guesses === undefined;
  const label = learning ? 'learning' : 'static';
  const own = await startOwnServices({ resubmitMs: options.resubmitMs, ...(options.log === undefined ? {} : { logFile: options.log }) });
  try {
    const credential = await registerGameServer(own);
    progress(`${label}: preparing ${truths.length} players`);
    const players = await prepare(own, truths.length, guesses);
    const ratingAt: number[][] = players.map(() => []);
    const imbalances: number[][] = Array.from({ length: options.rounds }, () => []);
    const reports = new Map<string, { promise: Promise<void>; resolve: () => void }>();
    const reportOf = (id: string) => {
      let entry = reports.get(id);
      if (entry === undefined) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        reports.set(id, (entry = { promise, resolve }));
      }
      return entry;
    };
    const indexOf = new Map(players.map((p, i) => [p.sub, i]));
    const games = seeded(options.seed + 2);
    let matches = 0;
    let reported = 0;
    const started = Date.now();
    // The run ends at the limit, or once no game has been played for STALL_MS: the last few
    // players may be too far apart in rating to meet once everyone else is done.
    const stalled = new AbortController();
    const deadline = AbortSignal.any([AbortSignal.timeout(options.runLimitMs), stalled.signal]);
    let lastPlayed = 0;
    let progressAt = Date.now();
    const ticker = setInterval(() => {
      const played = ratingAt.reduce((s, r) => s + r.length, 0);
      if (played !== lastPlayed) [lastPlayed, progressAt] = [played, Date.now()];
      else if (Date.now() - progressAt > STALL_MS) stalled.abort();
      progress(`${label}: ${((Date.now() - started) / 1000).toFixed(0)} s, ${played}/${players.length * options.rounds} games played, ${reported} results reported`);
    }, 1_000);
    try {
      await Promise.all(
        players.map(async (player, i) => {
          const client = createClient({ issuerUrl: own.issuerUrl, fetch: player.fetch });
          while (ratingAt[i]!.length < options.rounds && !deadline.aborted) {
            let match: Match;
            try {
              match = await client.queue(player.session, REQUEST, { signal: deadline, reannounce: false });
            } catch (error) {
              if (deadline.aborted) return;
              if (error instanceof TicketboothError && error.code === 'timed_out') continue;
              throw error;
            }
            const g = ratingAt[i]!.length;
            ratingAt[i]!.push(match.teams.flat().find((m) => m.sub === player.sub)!.rating);
            const members = match.teams.flat().map((m) => m.sub);
            const entry = reportOf(match.id);
            // One member plays the game server: the one first by id.
            if (player.sub !== [...members].sort()[0]) {
              await Promise.race([entry.promise, aborted(deadline)]);
              continue;
            }
            matches++;
            const skills = match.teams.map((team) => team.map((m) => truths[indexOf.get(m.sub)!]!));
            imbalances[g]!.push(Math.abs(winChance(skills[0]!, skills[1]!) - 0.5));
            if (learning) {
              await postResult(own.issuerUrl, credential, match.token, playGame(skills[0]!, skills[1]!, games));
              reported++;
            }
            entry.resolve();
          }
        }),
      );
    } finally {
      clearInterval(ticker);
    }
    // The ratings after the last game: what each player's next ticket carries.
    const finalRatings = await Promise.all(players.map(async (p) => ratingOfTicket((await createClient({ issuerUrl: own.issuerUrl, fetch: p.fetch }).requestTicket(p.session, REQUEST)).ticket)));
    const correlation: Array<number | null> = [];
    for (let g = 0; g <= options.rounds; g++) {
      const at = players.flatMap((_, i) => (g < ratingAt[i]!.length ? [[ratingAt[i]![g]!, truths[i]!]] : g === options.rounds && ratingAt[i]!.length === g ? [[finalRatings[i]!, truths[i]!]] : []));
      correlation.push(at.length < players.length / 2 ? null : spearman(at.map(([r]) => r!), at.map(([, t]) => t!)));
    }
    const mean = (v: number[]) => (v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length);
    return {
      correlation,
      imbalance: imbalances.map(mean),
      matches,
      reported,
      completed: ratingAt.filter((r) => r.length === options.rounds).length,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await own.stop();
  }
}

interface GamePlayer {
  readonly sub: string;
  readonly session: Session;
  readonly fetch: ReturnType<typeof fetchAs>;
}

async function prepare(own: OwnServices, count: number, guesses: readonly number[] | undefined): Promise<GamePlayer[]> {
  const players: GamePlayer[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const playerFetch = fetchAs(i);
        const client = createClient({ issuerUrl: own.issuerUrl, fetch: playerFetch });
        const username = `g${Date.now().toString(36)}-${i}`;
        const account = await client.register(username, PASSWORD);
        if (guesses !== undefined) await admin(own, 'PUT', `/v1/admin/users/${account.id}/ratings/${MODE}`, { rating: guesses[i] });
        players[i] = { sub: account.id, session: await client.login(username, PASSWORD), fetch: playerFetch };
      }
    }),
  );
  return players;
}

async function admin(own: OwnServices, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${own.issuerUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${own.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function registerGameServer(own: OwnServices): Promise<string> {
  return ((await admin(own, 'POST', '/v1/admin/game-servers', { name: 'simulated' })) as { secret: string }).secret;
}

/** Reports one result, sending it again while it passes (503 before the keys load, a busy moment). */
async function postResult(issuerUrl: string, credential: string, match: string, ranks: readonly number[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${issuerUrl}/v1/results`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ match, ranks }),
    });
    if (response.ok) return;
    if (response.status < 500 || attempt === 20) throw new Error(`result refused: ${response.status} ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

function ratingOfTicket(ticket: string): number {
  const body = Buffer.from(ticket.split('.')[2] ?? '', 'base64url');
  return (JSON.parse(body.subarray(0, body.length - 64).toString('utf8')) as { rating: number }).rating;
}
