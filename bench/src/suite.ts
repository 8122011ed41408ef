// `pnpm bench`: the whole suite in one run, one table with ratios, machine info and commands;
// `--json FILE` writes the same; SVG plots into bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { BENCH_DIR, canPin, profileServersInto, stopAll } from './children.ts';
import { startLoadRunner } from './load.ts';
import { measureQuality } from './quality.ts';
import { measureRebuild, type RebuildFigure } from './rebuild.ts';
import { renderReport, writePlots, type SuiteResults } from './report.ts';
import { measureMemory, measureTicks } from './scale.ts';
import { measureSoak } from './soak.ts';
import { measureFlood, measurePipelineFlood } from './flood.ts';
import { measureCold, measureResubmit } from './throughput.ts';
import { withThrowawayDatabase } from './bench-cluster.ts';
import { measureClusterThroughput } from './cluster-throughput.ts';
import { measureFailover, type FailoverFigure } from './failover.ts';

const USAGE = `usage: pnpm bench [options]
  --only a,b            parts: throughput,cold,rebuild,scale,quality,flood (default all of these); and, run only
                        when named: soak (15 min by default), cluster (about 3 min: HAProxy, matchmakers and
                        issuers as processes on a throwaway PostgreSQL database; needs haproxy and PostgreSQL)
  --rounds N            throughput rounds (default 5)   --duration S   seconds per case and round (default 3)
  --connections N       autocannon connections (default 64)
  --tickets N           warm tickets / Redis sessions queued (default 20000)
  --distinct N          of which each static request list cycles over (default 4000)
  --cold-requests N     fresh tickets per cold case and round (default 15000)
  --rebuild-sizes a,b   queued players for the crash (default 10000,100000,400000: about 6 min, 4 of them at 400k)
  --interval-ms MS      resubmit interval in the crash runs (default 10000); target per size: every player
                        back within one interval + the restart + 1 s, and >= 95 % back at the first match
  --pool-players N      players for heap per player (default 1000000)
  --tick-sizes a,b,c    formMatches pool sizes (default 10000,100000,1000000)
  --sim-players N       simulated players for match quality (default 1000)
  --sim-interval-ms MS  their resubmit interval (default 5000, the shared config's)   --sim-duration S (default 60)
  --flood-players N     honest players resubmitting during the forged-ticket flood (default 200)
  --flood-interval-ms MS  their resubmit interval (default 200)   --flood-duration S   per phase (default 5)
  --flood-rounds N      alone/flooded rounds per case (default 3)
  --flood-cases a@n,..  refusal budget (on, no-hold, no-close, off) @ flooder connections
                        (default on@64,on@1000,no-hold@64,off@64)
  --pipeline-connections N  clients that pipeline without reading (default 100)
  --soak-minutes M      soak length, after the players signed up (default 15; the figure needs >= 6)
  --soak-players N      players in the soak, with churn (default 2000)
  --soak-sample-s S     seconds between memory samples (default 10)
  --soak-ticket-ttl-ms MS  ticket lifetime in the soak, short so tickets are refreshed (default 60000)
  --soak-snapshot-dir DIR  heap snapshots of both services after minute 5 and at the end, into DIR
                        (for diagnosis: a snapshot inflates RSS, so that run's RSS figures mean nothing)
  --cluster-sizes a,b   players queued on the shard whose primary is killed (default 1000,10000,50000)
  --cluster-interval-ms MS  their resubmit interval (default 5000); the cluster's throughput cases use
                        --rounds, --duration, --connections and --distinct
  --database-server URL PostgreSQL server the cluster part makes its throwaway database on
                        (default $TEST_DATABASE_SERVER or postgres://postgres@127.0.0.1:5432)
  --redis-db N          Redis database index the suite owns and flushes (default 7)
  --json FILE           also write the results as JSON
  --profile DIR         run the throughput and cold-path servers under node --cpu-prof, profiles into DIR
                        (read them with: pnpm --filter @ticketbooth/bench profile <file>)`;

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    only: { type: 'string', default: 'throughput,cold,rebuild,scale,quality,flood' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    tickets: { type: 'string', default: '20000' },
    distinct: { type: 'string', default: '4000' },
    'cold-requests': { type: 'string', default: '15000' },
    'rebuild-sizes': { type: 'string', default: '10000,100000,400000' },
    'interval-ms': { type: 'string', default: '10000' },
    'pool-players': { type: 'string', default: '1000000' },
    'tick-sizes': { type: 'string', default: '10000,100000,1000000' },
    'sim-players': { type: 'string', default: '1000' },
    'sim-interval-ms': { type: 'string', default: '5000' },
    'sim-duration': { type: 'string', default: '60' },
    'flood-players': { type: 'string', default: '200' },
    'flood-interval-ms': { type: 'string', default: '200' },
    'flood-duration': { type: 'string', default: '5' },
    'flood-rounds': { type: 'string', default: '3' },
    'flood-cases': { type: 'string', default: 'on@64,on@1000,no-hold@64,off@64' },
    'pipeline-connections': { type: 'string', default: '100' },
    'soak-minutes': { type: 'string', default: '15' },
    'soak-players': { type: 'string', default: '2000' },
    'soak-sample-s': { type: 'string', default: '10' },
    'soak-ticket-ttl-ms': { type: 'string', default: '60000' },
    'soak-snapshot-dir': { type: 'string' },
    'cluster-sizes': { type: 'string', default: '1000,10000,50000' },
    'cluster-interval-ms': { type: 'string', default: '5000' },
    'database-server': { type: 'string', default: process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432' },
    'redis-db': { type: 'string', default: '7' },
    json: { type: 'string' },
    profile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const parts = new Set(args.only.split(','));
const numbers = (list: string) => list.split(',').map(Number);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
const log = (line: string) => console.error(`${elapsed()} ${line}`);
const load1 = () => loadavg()[0]!.toFixed(2);

const results: SuiteResults = {
  startedAt: new Date(started).toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    pinning: canPin ? 'servers on core 0, load generators on core 1 (taskset)' : 'off: taskset missing or fewer than 2 cores',
    loadAtStart: loadavg().map((l) => l.toFixed(2)).join(' '),
  },
  command: `pnpm bench ${process.argv.slice(2).filter((a) => a !== '--').join(' ')}`.trim(),
  loadByPart: {},
  failures: {},
};

async function main(): Promise<void> {
  if (args.profile) {
    const dir = resolve(args.profile);
    mkdirSync(dir, { recursive: true });
    profileServersInto(dir);
    log(`profiling the bench servers into ${dir} (profiled servers run slower: figures are not comparable)`);
  }
  log(`Ticketbooth bench suite: ${results.machine.cpu} x${results.machine.cores}, node ${results.machine.node}, load ${results.machine.loadAtStart}, pinning ${results.machine.pinning}`);
  const issuer = createSigningKey(generateSeed());
  const common = {
    issuer,
    rounds: Number(args.rounds),
    durationS: Number(args.duration),
    connections: Number(args.connections),
    tickets: Number(args.tickets),
    distinct: Number(args.distinct),
    redisDb: Number(args['redis-db']),
    coldRequests: Number(args['cold-requests']),
    log,
  };
  // A part that fails is reported and the others still run.
  const part = async (name: string, work: () => Promise<void> | void) => {
    try {
      await work();
    } catch (error) {
      log(`${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
      results.failures[name] = error instanceof Error ? error.message : String(error);
    }
    results.loadByPart[name] = load1();
  };
  if (parts.has('throughput') || parts.has('cold')) {
    const load = await startLoadRunner();
    try {
      if (parts.has('throughput')) {
        log('1. resubmit throughput: bare Hono ceiling, Ticketbooth, Redis-session baseline');
        await part('throughput', async () => void (results.resubmit = await measureResubmit({ ...common, load })));
      }
      if (parts.has('cold')) {
        log('2. cold path: every ticket new, server on one core and on both; raw Ed25519');
        await part('cold', async () => void (results.cold = await measureCold({ ...common, load })));
      }
    } finally {
      await load.close();
    }
  }
  if (parts.has('rebuild')) {
    log(`3. rebuild after SIGKILL, resubmit interval ${args['interval-ms']} ms`);
    const rebuild: RebuildFigure[] = (results.rebuild = []);
    await part('rebuild', async () => {
      for (const players of numbers(args['rebuild-sizes'])) rebuild.push(await measureRebuild(players, Number(args['interval-ms']), log));
    });
  }
  if (parts.has('scale')) {
    log('4. pool scale: formMatches ticks');
    await part('ticks', () => void (results.ticks = measureTicks(numbers(args['tick-sizes']), log)));
    log(`4. pool scale: heap per player at ${Number(args['pool-players']).toLocaleString('en')} (real submit path, takes minutes)`);
    await part('memory', () => void (results.memory = measureMemory(Number(args['pool-players']))));
  }
  if (parts.has('quality')) {
    log(`5. match quality: simulator with ${args['sim-players']} players vs FIFO on the same crowd`);
    const options = { players: Number(args['sim-players']), resubmitMs: Number(args['sim-interval-ms']), durationS: Number(args['sim-duration']), rampS: 5, seed: 1 };
    await part('quality', async () => void (results.quality = await measureQuality(options, log)));
  }
  if (parts.has('flood')) {
    log(`7. floods: ${args['flood-players']} honest players while forged tickets flood in from the load core; clients that pipeline without reading`);
    const options = {
      issuer,
      players: Number(args['flood-players']),
      intervalMs: Number(args['flood-interval-ms']),
      durationS: Number(args['flood-duration']),
      rounds: Number(args['flood-rounds']),
      cases: args['flood-cases'].split(','),
      pipelineConnections: Number(args['pipeline-connections']),
      log,
    };
    await part('flood', async () => void (results.flood = await measureFlood(options)));
    await part('pipeline', async () => void (results.pipeline = await measurePipelineFlood(options)));
  }
  if (parts.has('soak')) {
    log(`6. soak: ${args['soak-players']} players with churn for ${args['soak-minutes']} min, RSS and heap of both services every ${args['soak-sample-s']} s`);
    const snapshotDir = args['soak-snapshot-dir'] === undefined ? undefined : resolve(args['soak-snapshot-dir']);
    if (snapshotDir !== undefined) mkdirSync(snapshotDir, { recursive: true });
    const options = {
      minutes: Number(args['soak-minutes']),
      players: Number(args['soak-players']),
      sampleS: Number(args['soak-sample-s']),
      ticketTtlMs: Number(args['soak-ticket-ttl-ms']),
      seed: 1,
      ...(snapshotDir === undefined ? {} : { snapshotDir }),
    };
    await part('soak', async () => void (results.soak = await measureSoak(options, log)));
  }
  if (parts.has('cluster')) {
    log(`8. cluster: resubmissions through HAProxy to 1 and 2 matchmakers and direct; failover at ${args['cluster-sizes']} players, interval ${args['cluster-interval-ms']} ms`);
    await part('cluster', () =>
      withThrowawayDatabase(args['database-server'], async (databaseUrl) => {
        const load = await startLoadRunner();
        try {
          await part('cluster throughput', async () => void (results.cluster = await measureClusterThroughput({ ...common, load, databaseUrl })));
        } finally {
          await load.close();
        }
        const failover: FailoverFigure[] = (results.failover = []);
        await part('failover', async () => {
          for (const players of numbers(args['cluster-sizes'])) failover.push(await measureFailover(databaseUrl, players, Number(args['cluster-interval-ms']), log));
        });
      }),
    );
  }
  results.seconds = (Date.now() - started) / 1000;
  console.log(renderReport(results));
  mkdirSync(`${BENCH_DIR}results`, { recursive: true });
  for (const path of writePlots(results, `${BENCH_DIR}results`)) log(`wrote ${path}`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
  if (Object.keys(results.failures).length > 0) process.exitCode = 1;
}

main().then(
  () => {
    stopAll();
    process.exit(process.exitCode ?? 0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    stopAll();
    process.exit(1);
  },
);
