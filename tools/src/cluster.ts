// `pnpm cluster`: issuers on PostgreSQL, matchmaker shards of a primary and a backup, HAProxy in
// front, all on this machine; prints the URLs, stops everything on Ctrl-C.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './processes.ts';
import { ensureDatabase } from './cluster/database.ts';
import { haproxyVersion } from './cluster/haproxy.ts';
import { startShardedCluster } from './cluster/run.ts';

const USAGE = `usage: pnpm cluster [--port N] [--config FILE]
  Two issuers on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ticketbooth, created
  if missing), two matchmaker shards of a primary and a backup, and HAProxy in front on one port.
  --port N        the proxy's port (default 8080): the one URL game clients need
  --config FILE   a shared config (modes, regions) instead of the demo one; its pools are split
                  over the two shards
  Needs haproxy on the PATH (Debian: apt-get install haproxy) and a running PostgreSQL.`;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { port: { type: 'string', default: '8080' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const missing: string[] = [];
if (haproxyVersion() === undefined) missing.push('haproxy is not installed (Debian/Ubuntu: apt-get install haproxy; macOS: brew install haproxy)');
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/ticketbooth';
try {
  await ensureDatabase(databaseUrl);
} catch (error) {
  missing.push(error instanceof Error ? error.message : String(error));
}
if (missing.length > 0) {
  console.error(`pnpm cluster cannot start:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  process.exit(1);
}

const home = resolve(process.env.TICKETBOOTH_HOME || join(REPO_ROOT, '.ticketbooth'), 'cluster');
mkdirSync(home, { recursive: true });
const tokenFile = join(home, 'admin-token');
const adminToken = process.env.ADMIN_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : randomBytes(24).toString('base64url'));
writeFileSync(tokenFile, `${adminToken}\n`, { mode: 0o600 });
const shared = values.config === undefined ? undefined : (JSON.parse(readFileSync(resolve(values.config), 'utf8')) as Record<string, unknown>);

console.log('starting 2 issuers, 4 matchmakers and HAProxy...');
const cluster = await startShardedCluster({
  home,
  databaseUrl,
  adminToken,
  proxyPort: Number(values.port),
  ...(shared === undefined ? {} : { shared }),
  onLine: (service, line) => {
    if (/"level":(50|60)|error/i.test(line)) console.error(`[${service}] ${line}`);
  },
});
const shards = cluster.matchmakers
  .map((m) => `  ${`${m.shard} ${m.role}`.padEnd(12)} http://127.0.0.1:${m.port}  (${cluster.layout.shards[m.shard]!.pools.join(', ')})`)
  .join('\n');
console.log(`
Ticketbooth cluster is running. State in ${home}/ (key files, config, haproxy.cfg)

  proxy       ${cluster.url}          the one URL clients need: issuer API, and /shards/<name>/ for matchmakers
${cluster.issuers.map((issuer, i) => `  issuer${i + 1}     ${issuer.url}  (PostgreSQL ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname})`).join('\n')}
${shards}
  admin token ${adminToken}

  pnpm simulate --players 200 --issuer ${cluster.issuers[0]!.url} --admin-token ${adminToken}
      (straight to one issuer: through the proxy every simulated player shares its one address,
       and the issuers' login limits count them as one client; their tickets still name the proxy)
  kill -9 <a primary's pid> and watch its backup take the shard: curl -s ${cluster.url}/shards/a/v1/pools

pids: ${[...cluster.issuers.map((s) => s.pid), ...cluster.matchmakers.map((m) => m.process.pid), cluster.haproxy.pid].join(' ')}
Ctrl-C stops them all.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    void cluster.stop().then(() => process.exit(0));
  });
}
