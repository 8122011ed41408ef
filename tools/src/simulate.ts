// `pnpm simulate`: a swarm of players through the real HTTP APIs, with live progress and a summary.
import { setMaxListeners } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { matchFormedAt, type QueueStatus } from '@ticketbooth/client';
import { DEMO_CONFIG, parseSharedConfig, teamSizeOf, type SharedConfig } from '@ticketbooth/config';
import { matchFifo, type FifoRules } from '../../bench/src/fifo.ts';
import { fetchCatalog, parseModeShares, selectPlay, type Catalog, type ModeInfo } from './simulate/catalog.ts';
import { modeFigures, violations, type PlayerFacts } from './simulate/mode-figures.ts';
import { buildPopulation, formParties, type SimPlayer } from './simulate/population.ts';
import { buildProfiles, requestExtras, type PlayerProfile } from './simulate/profiles.ts';
import { formPartiesAt, preparePlayer, queuePlayer, requestTimes, type PreparedPlayer } from './simulate/players.ts';
import { runGames } from './simulate/games.ts';
import { createProgress, progressLine } from './simulate/progress.ts';
import { renderModes, renderSummary, type CrashReport } from './simulate/report.ts';
import { startOwnServices, type OwnServices, type SimulationConfigBase } from './simulate/services.ts';
import { percentiles, summarize, type PlayerOutcome } from './simulate/summary.ts';

const USAGE = `usage: pnpm simulate [options]
  --players N              simulated players (default 200, at most 20000)
  --duration-s S           stop queueing S seconds after the first player queues (default 120)
  --ramp-s S               players arrive spread over S seconds, less than the duration (default:
                           players / 100, at least 5, at most 80 % of the duration: about 100
                           arrivals a second, which this one process plays on one core; a faster
                           crowd measures the simulator more than the services)
  --config FILE            start the services with this shared config file (TICKETBOOTH_CONFIG): modes,
                           regions and attributes then come from it, every mode and region played
  --modes a,b --regions x,y   modes and home regions to play (default duel,squad and eu,na; with
                           --config, all it offers)
  --mode-share m=R,...     share of players per mode (the rest split evenly); default: 0.05 for each
                           mode whose teams may shrink (a team size range), when other modes are played
  --crossplay-optout R     0..1: players who play only with their own platform (default 0.2)
  --old-build-share R      0..1: players on the older build (default 0.1)
                           Every player has a home region, latencies to every region and a platform
                           (pc 50 %, playstation 30 %, xbox 20 %); latencies go in every ticket request,
                           build and crossplay only when the config declares those attributes
  --issuer URL             use running services (default: start our own on free ports)
  --admin-token T          with --issuer: lets the simulator set ratings
  --resubmit-ms MS         resubmit interval of the services it starts (default 1000); with
                           --issuer, the one they use (default 5000): a player unanswered for
                           three intervals at the end counts as lost
  --kill-matchmaker-at S   SIGKILL the matchmaker S seconds in, restart it, report the rebuild
  --accept-rate R          0..1: each player accepts a proposed match with probability R (default 1),
                           else declines half the time and ignores it the other half. Given, the
                           services the simulator starts get an accept step in every mode
  --accept-timeout-ms MS   that accept step's deadline (default 5000)
  --allocator              run the reference game-server allocator as its own process (services
                           started here only): ready matches are assigned a server
  --allocator-delay-ms MS  the allocator answers each request after MS (default 0): a server that
                           takes time to start, so a kill finds matches allocating
  --party-share R          0..1: the share of players who queue in parties (default 0), formed at
                           the issuer (the leader creates, members join with the invite)
  --party-size A-B         party sizes, within each mode's team size (default 2-4)
  --games                  ratings that learn: every player gets a hidden true skill and plays duels
                           (--rounds N, default 20); each result is reported to the issuer by a
                           registered game server, the players queue again with their next ticket.
                           Runs the population twice on fresh services (results reported / static
                           ratings an admin guessed) and prints, per round, the rank correlation of
                           ratings with true skill and the balance of the matches, next to FIFO.
                           --plot FILE writes the correlation by round as SVG
  --seed N                 crowd and choices seed (default 1)
  --json FILE              also write the summary as JSON
  --log FILE               append the output of the services started here to FILE
Paths are relative to where pnpm was run.`;

/**
 * The default arrival rate. Each arrival costs this process a ticket, a queue request and a
 * push stream, then an accept and presentations when matched: at 400 a second (2,000 players
 * in 5 s) it needed a whole core and answers queued here for seconds while the services idled.
 */
const ARRIVALS_PER_S = 100;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      players: { type: 'string', default: '200' },
      'duration-s': { type: 'string', default: '120' },
      'ramp-s': { type: 'string' },
      config: { type: 'string' },
      modes: { type: 'string' },
      regions: { type: 'string' },
      'mode-share': { type: 'string' },
      'crossplay-optout': { type: 'string', default: '0.2' },
      'old-build-share': { type: 'string', default: '0.1' },
      issuer: { type: 'string' },
      'admin-token': { type: 'string' },
      'resubmit-ms': { type: 'string' },
      'kill-matchmaker-at': { type: 'string' },
      'accept-rate': { type: 'string' },
      'accept-timeout-ms': { type: 'string' },
      allocator: { type: 'boolean', default: false },
      'allocator-delay-ms': { type: 'string' },
      'party-share': { type: 'string', default: '0' },
      'party-size': { type: 'string', default: '2-4' },
      seed: { type: 'string', default: '1' },
      games: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '20' },
      plot: { type: 'string' },
      json: { type: 'string' },
      log: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const number = (name: keyof typeof values, min: number, max: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be between ${min} and ${max}`);
    return value;
  };
  for (const own of ['config', 'kill-matchmaker-at', 'accept-timeout-ms', 'allocator', 'allocator-delay-ms', 'log', 'games'] as const) {
    if (values[own] !== undefined && values[own] !== false && values.issuer !== undefined) {
      throw new Error(`--${own} needs services the simulator started itself (no --issuer)`);
    }
  }
  if (values['allocator-delay-ms'] !== undefined && !values.allocator) throw new Error('--allocator-delay-ms needs --allocator');
  const acceptStep = values['accept-rate'] !== undefined || values['accept-timeout-ms'] !== undefined;
  // pnpm runs this in tools/; INIT_CWD is where the command was typed.
  const path = (file: string | undefined) => (file === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), file));
  return {
    help: values.help,
    players: number('players', 1, 20_000),
    durationMs: number('duration-s', 1, 3_600) * 1000,
    rampMs: rampMsOf(values['ramp-s'] === undefined ? undefined : number('ramp-s', 0, 600), number('players', 1, 20_000), number('duration-s', 1, 3_600)),
    config: path(values.config),
    // Without a config file, the demo pools as ever; with one, what it offers unless narrowed.
    modes: values.modes?.split(',') ?? (values.config === undefined ? ['duel', 'squad'] : undefined),
    regions: values.regions?.split(',') ?? (values.config === undefined ? ['eu', 'na'] : undefined),
    modeShares: values['mode-share'] === undefined ? undefined : parseModeShares(values['mode-share']),
    crossplayOptOut: number('crossplay-optout', 0, 1),
    oldBuildShare: number('old-build-share', 0, 1),
    issuer: values.issuer,
    adminToken: values['admin-token'],
    // Running services use the config's default unless told otherwise.
    resubmitMs: values['resubmit-ms'] === undefined ? (values.issuer === undefined ? 1_000 : 5_000) : number('resubmit-ms', 50, 60_000),
    killAtMs: values['kill-matchmaker-at'] === undefined ? undefined : number('kill-matchmaker-at', 0, 3_600) * 1000,
    acceptRate: values['accept-rate'] === undefined ? 1 : number('accept-rate', 0, 1),
    // The config's bounds for an accept step.
    acceptTimeoutMs: acceptStep ? (values['accept-timeout-ms'] === undefined ? 5_000 : number('accept-timeout-ms', 1_000, 120_000)) : undefined,
    allocator: values.allocator,
    allocatorDelayMs: values['allocator-delay-ms'] === undefined ? 0 : number('allocator-delay-ms', 0, 60_000),
    seed: number('seed', 0, 2 ** 31),
    partyShare: number('party-share', 0, 1),
    partySize: partySizes(values['party-size']),
    json: path(values.json),
    log: path(values.log),
    games: values.games,
    rounds: number('rounds', 1, 200),
    plot: path(values.plot),
  };
}

/** The arrival ramp: as asked, or the default rate within the first 80 % of the run; every player arrives before the run stops. */
function rampMsOf(rampS: number | undefined, players: number, durationS: number): number {
  if (rampS !== undefined && rampS >= durationS) throw new Error('--ramp-s must be shorter than --duration-s: every player arrives before the run stops');
  return (rampS ?? Math.min(Math.max(5, players / ARRIVALS_PER_S), 0.8 * durationS)) * 1000;
}

function partySizes(text: string): { minSize: number; maxSize: number } {
  const found = /^(\d+)-(\d+)$/.exec(text);
  const [minSize, maxSize] = found ? [Number(found[1]), Number(found[2])] : [NaN, NaN];
  if (!(minSize >= 2 && maxSize >= minSize && maxSize <= 64)) throw new Error('--party-size must be A-B with 2 <= A <= B <= 64');
  return { minSize, maxSize };
}

/** Runs `work` over `items` with at most `limit` at once. */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

/** The config file's content, checked as the services will check it (fail before starting them). */
function readConfigFile(path: string): { raw: SimulationConfigBase; shared: SharedConfig } {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as SimulationConfigBase;
  return { raw, shared: parseSharedConfig(raw, path) };
}

/** The issuer's modes, with when teams may shrink where the config is known (GET /v1/modes does not say). */
function withShrinkTimes(catalog: Catalog, shared: SharedConfig | undefined): Catalog {
  const shrinkAfter = (mode: ModeInfo) => {
    const rules = shared !== undefined && Object.hasOwn(shared.modes, mode.name) ? shared.modes[mode.name] : undefined;
    return rules === undefined ? {} : { shrinkAfterMs: teamSizeOf(rules).shrinkAfterMs };
  };
  return { ...catalog, modes: catalog.modes.map((mode) => ({ ...mode, ...shrinkAfter(mode) })) };
}

/** The baseline on the same crowd: each player with its latencies, one pool per latency mode, the matchmaker's 1 s tick. */
function fifoBaseline(crowd: readonly SimPlayer[], profiles: readonly PlayerProfile[], modes: readonly ModeInfo[], durationMs: number) {
  const rules: Record<string, FifoRules> = Object.fromEntries(
    modes.map((m) => [m.name, { teams: m.teams, teamSize: m.teamSize, ...(m.latency === null ? {} : { latency: m.latency }) }]),
  );
  const arrivals = crowd.map((p) => ({ rating: p.rating, mode: p.mode, region: p.region, arrivesAtMs: p.arrivesAtMs, latencies: profiles[p.index]!.latencies }));
  return matchFifo(arrivals, rules, { tickMs: 1_000, warmupMs: 0, durationMs });
}

interface CpuReading {
  readonly at: number;
  readonly simulator: number;
  readonly issuer?: number;
  readonly matchmaker?: number;
  readonly matchmakerPid: number;
  readonly matchmakerLoopP99Ms?: number;
}

/** CPU seconds used so far by this process and by each service (its process_cpu_seconds_total), and the matchmaker's event-loop p99. */
async function cpuReadings(own: OwnServices): Promise<CpuReading> {
  // One scrape per service: a scrape resets the event-loop histogram it reports.
  const scrape = async (url: string) => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text().catch(() => '');
  const value = (text: string, name: string) => {
    const found = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1];
    return found === undefined ? undefined : Number(found);
  };
  const { user, system } = process.cpuUsage();
  const matchmaker = own.matchmaker();
  const [issuerText, matchmakerText] = await Promise.all([scrape(own.issuerUrl), scrape(matchmaker.url)]);
  const issuer = value(issuerText, 'ticketbooth_issuer_process_cpu_seconds_total');
  const mm = value(matchmakerText, 'ticketbooth_matchmaker_process_cpu_seconds_total');
  const loop = value(matchmakerText, 'ticketbooth_matchmaker_nodejs_eventloop_lag_p99_seconds');
  return {
    at: Date.now(),
    simulator: (user + system) / 1e6,
    matchmakerPid: matchmaker.pid,
    ...(issuer === undefined ? {} : { issuer }),
    ...(mm === undefined ? {} : { matchmaker: mm }),
    ...(loop === undefined ? {} : { matchmakerLoopP99Ms: Math.round(loop * 1000) }),
  };
}

/** Cores each process used between two readings (a restarted matchmaker's are not comparable: left out). */
function cpuShares(from: CpuReading, to: CpuReading) {
  const seconds = (to.at - from.at) / 1000;
  const cores = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : Math.round(((b - a) / seconds) * 100) / 100);
  const matchmaker = from.matchmakerPid === to.matchmakerPid ? cores(from.matchmaker, to.matchmaker) : undefined;
  const issuer = cores(from.issuer, to.issuer);
  return {
    simulator: cores(from.simulator, to.simulator)!,
    ...(issuer === undefined ? {} : { issuer }),
    ...(matchmaker === undefined ? {} : { matchmaker }),
    ...(to.matchmakerLoopP99Ms === undefined ? {} : { matchmakerLoopP99Ms: to.matchmakerLoopP99Ms }),
  };
}

async function poolSize(matchmakerUrl: string): Promise<number> {
  const response = await fetch(`${matchmakerUrl}/v1/pools`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { pools: Array<{ players: number }> };
  return body.pools.reduce((sum, pool) => sum + pool.players, 0);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  if (options.games) {
    const progress = createProgress();
    await runGames(
      {
        players: options.players,
        rounds: options.rounds,
        seed: options.seed,
        resubmitMs: options.resubmitMs,
        runLimitMs: Math.max(options.durationMs, options.rounds * 30_000),
        ...(options.plot === undefined ? {} : { plot: options.plot }),
        ...(options.json === undefined ? {} : { json: options.json }),
        ...(options.log === undefined ? {} : { log: options.log }),
      },
      (line) => progress.update(line),
    );
    progress.done('games done');
    return;
  }
  const progress = createProgress();
  const config = options.config === undefined ? undefined : readConfigFile(options.config);
  const own: OwnServices | undefined = options.issuer
    ? undefined
    : await startOwnServices({
        resubmitMs: options.resubmitMs,
        ...(options.acceptTimeoutMs === undefined ? {} : { acceptTimeoutMs: options.acceptTimeoutMs }),
        allocator: options.allocator,
        allocatorDelayMs: options.allocatorDelayMs,
        ...(options.log === undefined ? {} : { logFile: options.log }),
        ...(config === undefined ? {} : { config: config.raw }),
      });
  const issuerUrl = options.issuer ?? own!.issuerUrl;
  const adminToken = options.adminToken ?? own?.adminToken;
  const started = Date.now();
  const counts = { prepared: 0, queued: 0, matched: 0, out: 0, errors: 0 };
  // Services started here read a known config: the demo one unless a file was given.
  const catalog = withShrinkTimes(await fetchCatalog(issuerUrl), config?.shared ?? (own ? parseSharedConfig(DEMO_CONFIG) : undefined));
  const play = selectPlay(catalog, options);
  const partyCaps = new Map(catalog.modes.map((m) => [m.name, m.maxPartySize]));
  const crowd = formParties(buildPopulation({
    players: options.players,
    modes: play.modes,
    regions: play.regions,
    modeShares: play.modeShares,
    ratingMean: 1500,
    ratingStdDev: 300,
    rampMs: options.rampMs,
    runId: `${started.toString(36)}${process.pid}`,
    seed: options.seed,
  }), { share: options.partyShare, ...options.partySize, maxPartySize: (mode) => partyCaps.get(mode) ?? 1 }, options.seed);
  // Latencies to every region the config has, from a home region among those played.
  const profiles = buildProfiles(crowd, { regions: catalog.regions, crossplayOptOut: options.crossplayOptOut, oldBuildShare: options.oldBuildShare }, options.seed);
  const extras = profiles.map((profile) => requestExtras(profile, catalog.attributes));
  const ticker = setInterval(() => progress.update(progressLine(Date.now() - started, counts, options.players)), 250);
  let crash: CrashReport | undefined;
  const outcomes: PlayerOutcome[] = [];
  try {
    console.error(`preparing ${options.players} players against ${issuerUrl} ...`);
    const prepared = await inBatches(crowd, Math.max(4, availableParallelism() * 4), async (player) => {
      const ready = await preparePlayer(player, issuerUrl, adminToken, extras[player.index]).catch((error: unknown) => error as Error);
      if (!(ready instanceof Error)) counts.prepared++;
      else counts.errors++;
      return ready;
    });
    await formPartiesAt(issuerUrl, prepared);
    const queueStart = Date.now();
    requestTimes.byRoute.clear();
    // Is this process keeping up? Late answers here are the load generator's, not the services'.
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    const deadline = AbortSignal.timeout(options.durationMs);
    // One listener per player here; each player's own requests and waits listen on its own signal,
    // as in a real client: thousands on one signal make every add walk them all.
    setMaxListeners(0, deadline);
    const ownSignal = () => {
      const own = new AbortController();
      deadline.addEventListener('abort', () => own.abort(deadline.reason), { once: true });
      return own.signal;
    };
    const track: Track = {
      searching: new Uint8Array(crowd.length),
      inPool: new Uint8Array(crowd.length),
      phase: new Uint8Array(crowd.length),
      lastAnswerAt: new Float64Array(crowd.length),
    };
    // Just before the end: do the clients searching in a pool (not in a match) match what the matchmaker holds?
    const endCheck = own ? sleep(Math.max(0, options.durationMs - 500)).then(async () => ({
      searchingClients: track.inPool.reduce((sum, v) => sum + v, 0),
      inPools: await poolSize(own.matchmaker().url).catch(() => -1),
    })) : undefined;
    // Who used the CPU while players queued: on a shared machine, the answer to "who was late".
    const cpuAtStart = own ? await cpuReadings(own) : undefined;
    const cpuUse = own ? sleep(Math.max(0, options.durationMs - 600)).then(async () => cpuShares(cpuAtStart!, await cpuReadings(own))) : undefined;
    // Awaited only after every player is done: a failure here must not end the process meanwhile
    // (an unhandled rejection would leave the services it started running).
    const crashRun =
      own && options.killAtMs !== undefined
        ? crashLater(own, options.killAtMs, track, outcomes, queueStart, (line) => progress.done(progressLine(Date.now() - started, counts, options.players, line))).catch((error: unknown) => {
            console.error(`crash measurement failed: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
          })
        : undefined;
    const choices = { acceptRate: options.acceptRate, seed: options.seed };
    const results = await Promise.all(
      prepared.map(async (ready, i): Promise<PlayerOutcome> => {
        const player = crowd[i]!;
        if (ready instanceof Error) return { username: player.username, sub: '', error: `setup:${(ready as { code?: string }).code ?? ready.name}` };
        const signal = ownSignal();
        await sleep(player.arrivesAtMs, signal);
        const result = await queuePlayer(ready as PreparedPlayer, issuerUrl, signal, (update) => {
          if (update.status === 'refreshing' || update.status === 'retrying') return;
          track.inPool[i] = update.status === 'searching' ? 1 : 0;
          track.phase[i] = phaseOf(update, track.phase[i]!);
          if (update.status === 'searching' && !track.searching[i]) {
            track.searching[i] = 1;
            counts.queued++;
          }
        }, { ...choices, onAnswered: (at) => (track.lastAnswerAt[i] = at) });
        if (track.searching[i]) counts.queued--;
        track.searching[i] = 0;
        track.inPool[i] = 0;
        // Settled: the player holds its match (presents it until every member heard it).
        track.phase[i] = result.match ? PHASE.settled : PHASE.none;
        if (result.match) counts.matched++;
        if (result.out || result.timedOut) counts.out++;
        if (result.error) counts.errors++;
        const outcome = { username: player.username, sub: (ready as PreparedPlayer).sub, ...result, matchedAtMs: Date.now() - queueStart, ...(player.party ? { party: player.party.id } : {}) };
        outcomes.push(outcome);
        return outcome;
      }),
    );
    crash = await crashRun;
    loopDelay.disable();
    // Three intervals without an answer: a client that resubmits or presents gets one every interval.
    const lostAfterMs = 3 * options.resubmitMs;
    const summary = summarize(results, { lostAfterMs });
    const atEnd = summary.stillSearching + Object.keys(summary.lost).length > 0 ? await endCheck : undefined;
    progress.done(progressLine(Date.now() - started, counts, options.players, 'done'));
    const allocator = await own?.allocator?.counts();
    const run = {
      elapsedMs: Date.now() - started,
      lostAfterMs,
      ...(cpuUse === undefined ? {} : { cpu: await cpuUse }),
      requestMs: Object.fromEntries([...requestTimes.byRoute].map(([route, times]) => [route, { count: times.length, ...percentiles(times.map(Math.round)) }])),
      loopDelayMs: { p50: Math.round(loopDelay.percentile(50) / 1e6), p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
      allocator: allocator !== undefined,
      ...(allocator === undefined ? {} : { allocatorCalls: allocator.requests, allocations: allocator.allocations }),
    };
    const modes = modeFigures({
      modes: catalog.modes.filter((m) => play.modes.includes(m.name)),
      outcomes: results,
      facts: playerFacts(crowd, profiles, extras, results, prepared),
      formedAt: (match) => matchFormedAt(match.token),
      fifo: fifoBaseline(crowd, profiles, catalog.modes, options.durationMs),
    });
    console.log(renderSummary(summary, run, crash, atEnd));
    console.log(renderModes(modes));
    console.log(`Matches breaking a rule, every mode and check together (must be 0): ${violations(modes)}.`);
    if (options.json) {
      const twoMatches = inTwoMatches(results, queueStart);
      const played = { ...play, crossplayOptOut: options.crossplayOptOut, oldBuildShare: options.oldBuildShare };
      writeFileSync(options.json, `${JSON.stringify({ options, played, summary, modes, violations: violations(modes), run, crash, atEnd, twoMatches }, null, 2)}\n`);
    }
  } finally {
    clearInterval(ticker);
    await own?.stop();
  }
}

/** What the simulator gave each player, by the `sub` the issuer gave it. */
function playerFacts(
  crowd: readonly SimPlayer[],
  profiles: readonly PlayerProfile[],
  extras: ReadonlyArray<ReturnType<typeof requestExtras>>,
  outcomes: readonly PlayerOutcome[],
  prepared: ReadonlyArray<PreparedPlayer | Error>,
): Map<string, PlayerFacts> {
  const facts = new Map<string, PlayerFacts>();
  outcomes.forEach((outcome, i) => {
    const ready = prepared[i];
    if (outcome.sub === '' || ready === undefined || ready instanceof Error) return;
    const profile = profiles[i]!;
    const attributes = extras[i]!.attributes;
    const waitFrom = ready.partySince ?? outcome.startedAt;
    facts.set(outcome.sub, {
      mode: crowd[i]!.mode,
      latencies: profile.latencies,
      platform: profile.platform,
      crossplayOptOut: profile.crossplayOptOut,
      ...(attributes === undefined ? {} : { attributes }),
      ...(outcome.startedAt === undefined ? {} : { queuedAt: outcome.startedAt }),
      ...(waitFrom === undefined ? {} : { waitFrom }),
      ...(outcome.party === undefined ? {} : { party: outcome.party }),
    });
  });
  return facts;
}

/**
 * For each player in more than one match: each match's formation time (its token's `iat`) and
 * who was answered with it, in ms after queueing began: what tells a lost delivery from a
 * warm-up that ended too early.
 */
function inTwoMatches(outcomes: readonly PlayerOutcome[], queueStart: number) {
  const matches = new Map<string, { formedAtMs: number; answered: Array<{ sub: string; atMs: number }> }>();
  for (const o of outcomes) {
    if (o.match === undefined) continue;
    const entry = matches.get(o.match.id) ?? { formedAtMs: matchFormedAt(o.match.token) - queueStart, answered: [] };
    entry.answered.push({ sub: o.sub, atMs: (o as PlayerOutcome & { matchedAtMs?: number }).matchedAtMs ?? -1 });
    matches.set(o.match.id, entry);
  }
  const bySub = new Map<string, string[]>();
  for (const o of outcomes) for (const p of o.match?.teams.flat() ?? []) if (!bySub.get(p.sub)?.includes(o.match!.id)) bySub.set(p.sub, [...(bySub.get(p.sub) ?? []), o.match!.id]);
  return [...bySub].filter(([, ids]) => ids.length > 1).map(([sub, ids]) => ({ sub, matches: ids.map((id) => ({ id, ...matches.get(id)! })) }));
}

/** Where a player's search stands, as its client last reported it: what a SIGKILL interrupts. */
const PHASE = { none: 0, searching: 1, proposed: 2, accepted: 3, allocating: 4, settled: 5 } as const;
const PHASE_NAMES = ['searching', 'proposed', 'accepted', 'allocating', 'settled'] as const;

function phaseOf(update: QueueStatus, current: number): number {
  switch (update.status) {
    case 'searching':
    case 'proposed':
    case 'accepted':
    case 'allocating':
      return PHASE[update.status];
    case 'ready':
    case 'assigned':
      return PHASE.settled;
    case 'cancelled':
      return update.requeued ? PHASE.searching : PHASE.none;
    default:
      return current;
  }
}

/** Per player: in queue() (answered once), in a pool right now (not in a match), its phase, and when a matchmaker last answered it. */
interface Track {
  readonly searching: Uint8Array;
  readonly inPool: Uint8Array;
  readonly phase: Uint8Array;
  readonly lastAnswerAt: Float64Array;
}

/**
 * Kills the matchmaker `atMs` after queueing began and measures the rebuild: the
 * pool is back once every player who was searching at the kill has been answered
 * by the new process (queued again, or matched), or has stopped searching.
 */
async function crashLater(
  own: OwnServices,
  atMs: number,
  track: Track,
  outcomes: PlayerOutcome[],
  queueStart: number,
  mark: (note: string) => void,
): Promise<CrashReport> {
  await sleep(Math.max(0, queueStart + atMs - Date.now()));
  const url = own.matchmaker().url;
  const poolBeforeCrash = await poolSize(url).catch(() => -1);
  const searchingAtKill = [...track.searching.keys()].filter((i) => track.searching[i]);
  const phasesAtKill = Object.fromEntries(PHASE_NAMES.map((name) => [name, track.phase.reduce((n, p) => n + (p === PHASE[name] ? 1 : 0), 0)]));
  const killedAt = Date.now();
  mark(`<- matchmaker SIGKILLed ${((killedAt - queueStart) / 1000).toFixed(1)} s after queueing began`);
  await own.crashMatchmaker();
  const restartedAt = Date.now();
  mark(`<- matchmaker restarted after ${restartedAt - killedAt} ms, warming up`);
  const warmupMs = waitFor(async () => (await warmingUp(url)) === false, 60_000).then((done) => (done ? Date.now() - restartedAt : undefined));
  let rebuiltAfterMs: number | undefined;
  let poolAfterRebuild: number | undefined;
  while (Date.now() - restartedAt < 60_000) {
    const back = searchingAtKill.every((i) => !track.searching[i] || track.lastAnswerAt[i]! > restartedAt);
    if (back) {
      rebuiltAfterMs = Date.now() - restartedAt;
      poolAfterRebuild = await poolSize(url).catch(() => -1);
      break;
    }
    await sleep(20);
  }
  await sleep(5_000);
  const warmedUpAfterMs = await warmupMs;
  const matchesRebuilt = await rebuiltMatches(url);
  const firstAfter = outcomes
    .filter((o) => o.match !== undefined)
    .map((o) => (o as PlayerOutcome & { matchedAtMs?: number }).matchedAtMs)
    .filter((t): t is number => t !== undefined && queueStart + t > restartedAt)
    .sort((a, b) => a - b)[0];
  return {
    killedAtMs: killedAt - queueStart,
    poolBeforeCrash,
    phasesAtKill,
    restartMs: restartedAt - killedAt,
    ...(rebuiltAfterMs === undefined ? {} : { rebuiltAfterMs, poolAfterRebuild }),
    ...(firstAfter === undefined ? {} : { firstMatchAfterRestartMs: queueStart + firstAfter - restartedAt }),
    ...(matchesRebuilt === undefined ? {} : { matchesRebuilt }),
    ...(warmedUpAfterMs === undefined ? {} : { warmupMs: warmedUpAfterMs }),
  };
}

async function warmingUp(url: string): Promise<boolean | undefined> {
  return ((await (await fetch(`${url}/v1/pools`)).json()) as { warmingUp?: boolean }).warmingUp;
}

/** ticketbooth_matchmaker_match_reannouncements_total{outcome="rebuilt"}, or undefined when unreadable. */
async function rebuiltMatches(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text().catch(() => '');
  const value = /^ticketbooth_matchmaker_match_reannouncements_total\{outcome="rebuilt"\} (\d+)$/m.exec(text)?.[1];
  return value === undefined ? (text ? 0 : undefined) : Number(value);
}

/** Polls `probe` every 20 ms until true (true) or `timeoutMs` (false); probe errors count as not yet. */
async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await sleep(20);
  }
  return false;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
