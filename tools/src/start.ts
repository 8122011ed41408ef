// `pnpm start`: both services with embedded defaults (and, with --allocator, the reference
// game-server allocator); Ctrl-C stops them all.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { prettyFactory } from 'pino-pretty';
import { startAllocator, type RunningAllocator } from './allocator.ts';
import { REPO_ROOT, startService, type ServiceProcess } from './processes.ts';
import { CLIENT_ADDRESS_HEADER } from './simulate/services.ts';

const home = resolve(process.env.TICKETBOOTH_HOME || join(REPO_ROOT, '.ticketbooth'));
const issuerPort = Number(process.env.ISSUER_PORT || 8700);
const matchmakerPort = Number(process.env.MATCHMAKER_PORT || 8701);
const allocatorPort = Number(process.env.ALLOCATOR_PORT || 8702);

const USAGE = `usage: pnpm start [--allocator]
  --allocator   also run the reference game-server allocator (port ALLOCATOR_PORT or 8702):
                ready matches get a game server address in a signed assignment`;

function parseOptions(argv: string[]): { allocator: boolean; help: boolean } {
  try {
    return parseArgs({
      // pnpm passes the `--` that separates its own options through.
      args: argv.filter((a) => a !== '--'),
      options: { allocator: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    }).values;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

/** The admin token: ADMIN_TOKEN if set, else one generated once and kept (0600) beside the dev keys. */
function adminToken(): string {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const path = join(home, 'admin-token');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}

// The services log JSON lines (for machines); here a person reads them.
const pretty = prettyFactory({ colorize: process.stdout.isTTY === true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true });
const prefix = (name: string) => (line: string) => {
  const text = line.startsWith('{') ? pretty(line).trimEnd() : line;
  console.log(`[${name}] ${text}`);
};

function banner(issuer: ServiceProcess, matchmaker: ServiceProcess, allocator: RunningAllocator | undefined, token: string): string {
  // Said relative to the repo root, where `pnpm start` was typed (pnpm runs this from tools/).
  const inRepo = relative(REPO_ROOT, home);
  const state = inRepo && !inRepo.startsWith('..') ? inRepo : home;
  const i = issuer.url;
  const allocation = allocator
    ? `  allocator   ${allocator.url}   the reference one: each ready match gets 127.0.0.1:7000 and up (no game server listens there)\n`
    : '';
  return `
Ticketbooth is running. Dev state (SQLite file, keys, admin token) lives in ${state}/

  issuer      ${i}   live dashboard ${i}/dashboard   API reference ${i}/docs
  matchmaker  ${matchmaker.url}   live dashboard ${matchmaker.url}/dashboard   API reference ${matchmaker.url}/docs
${allocation}  admin token ${token}   (the dashboards ask for it; /openapi.json is the API as JSON)

Watch matches happen (200 simulated players against these services):
  pnpm simulate --players 200 --issuer ${i} --admin-token ${token}

Or by hand:
  curl -s ${i}/v1/modes
  curl -s -X POST ${i}/v1/accounts -H 'content-type: application/json' -d '{"username":"ada","password":"correct horse"}'
  curl -s -X POST ${i}/v1/sessions -H 'content-type: application/json' -d '{"username":"ada","password":"correct horse"}'
  curl -s -X POST ${i}/v1/tickets -H "authorization: Bearer <session token>" -H 'content-type: application/json' -d '{"mode":"duel","region":"eu"}'
  curl -s -X POST ${matchmaker.url}/v1/queue -H "authorization: Bearer <ticket>"
  curl -s ${matchmaker.url}/v1/pools
${allocator ? `  curl -s ${allocator.url}/<match id>\n` : ''}
${allocator ? 'Ctrl-C stops them all.' : 'Ctrl-C stops both. With --allocator, matches are also given a game server.'}
`;
}

function onLoopback(host: string | undefined): boolean {
  return !host || host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const token = adminToken();
  // Both read the shard map: the issuer to send players here, the matchmaker to know what it serves.
  const env = {
    TICKETBOOTH_HOME: home,
    ADMIN_TOKEN: token,
    MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}`,
    // The simulator in the banner gives each player its own address in this header; without
    // it, 200 signups from one address hit the per-address limit. Trusted only on loopback.
    ...(onLoopback(process.env.HOST) && !process.env.ISSUER_CLIENT_ADDRESS_HEADER ? { ISSUER_CLIENT_ADDRESS_HEADER: CLIENT_ADDRESS_HEADER } : {}),
  };
  const running: ServiceProcess[] = [];
  let allocator: RunningAllocator | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all([...running.map((service) => service.stop()), allocator?.close()]);
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const watch = (service: ServiceProcess) => {
    running.push(service);
    void service.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(`${service.name} exited (${signal ?? `code ${code}`}); stopping.`);
      void stopAll(1);
    });
  };

  if (options.allocator) {
    // In this process: it only hands out addresses, and stops with it.
    allocator = await startAllocator({
      port: allocatorPort,
      onAllocated: (matchId, { connect, details }) => console.log(`[allocator] match ${matchId} -> ${connect} (${details.server})`),
    });
    console.log(`the reference allocator listens on ${allocator.url}`);
  }
  console.log(`starting the issuer on port ${issuerPort} and the matchmaker on port ${matchmakerPort}...`);
  watch(
    await startService('issuer', {
      port: issuerPort,
      env,
      onLine: prefix('issuer'),
    }),
  );
  watch(
    await startService('matchmaker', {
      port: matchmakerPort,
      env: { ...env, ISSUER_URL: running[0]!.url, ...(allocator ? { ALLOCATOR_URL: allocator.url } : {}) },
      onLine: prefix('matchmaker'),
    }),
  );
  console.log(banner(running[0]!, running[1]!, allocator, token));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
