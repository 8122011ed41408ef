// HAProxy in front of a cluster: one frontend; /shards/<name>/... goes to that shard's primary
// (its backup while the primary is down), everything else to the issuers. Generated from the
// layout; `haproxy -c` checks what this writes.
import { spawn, spawnSync } from 'node:child_process';
import type { ClusterLayout } from './layout.ts';

/**
 * The HAProxy config for a layout. Per shard: the path prefix is stripped, `/readyz` is the
 * health check, the primary takes every request while it is up and the backup only while it
 * is down. A primary marked up again takes the shard back at once (its backup's sessions are
 * cut), so the two never serve a shard side by side: a player whose resubmissions went to both
 * could be matched by both. (A stick table meant to keep a shard on its backup after a failover
 * split requests between the two on HAProxy 2.6 in our tests, which is the one thing a shard
 * must never do.)
 */
export function haproxyConfig(layout: ClusterLayout, statsSocket?: string): string {
  const { intervalMs, fall, rise } = layout.health;
  const check = `check inter ${intervalMs}ms fall ${fall} rise ${rise} on-marked-down shutdown-sessions`;
  const shards = Object.entries(layout.shards);
  const lines = [
    '# Generated from the cluster layout (tools/src/cluster): edit the layout, not this file.',
    'global',
    '  maxconn 8000',
    // `echo 'show servers state' | socat stdio <socket>` shows which server of a shard is serving.
    ...(statsSocket === undefined ? [] : [`  stats socket ${statsSocket} mode 600 level admin`]),
    '',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    // The issuers read the client address from the entry this proxy appends (one trusted hop).
    '  option forwardfor',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 30s',
    // No redispatch: a retry goes to another server, which for a shard is its backup while the
    // primary is up, and a shard must never be served by both at once.
    '  retries 2',
    '',
    'frontend ticketbooth',
    `  bind ${layout.listen}`,
    ...shards.map(([name]) => `  use_backend shard_${name} if { path_beg /shards/${name}/ }`),
    '  default_backend issuers',
    '',
    'backend issuers',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    ...layout.issuers.map((address, i) => `  server issuer${i + 1} ${address} ${check}`),
  ];
  for (const [name, shard] of shards) {
    lines.push(
      '',
      `backend shard_${name}`,
      `  http-request replace-path ^/shards/${name}(/.*)$ \\1`,
      '  option httpchk GET /readyz',
      `  server primary ${shard.primary} ${check} on-marked-up shutdown-backup-sessions`,
      ...(shard.backup === undefined ? [] : [`  server backup ${shard.backup} ${check} backup`]),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Whether this machine has HAProxy, and its version line. */
export function haproxyVersion(): string | undefined {
  const run = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.split('\n')[0] : undefined;
}

/** `haproxy -c`: undefined when the file is valid, else what HAProxy said. */
export function checkHaproxyConfig(file: string): string | undefined {
  const run = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  return run.status === 0 ? undefined : `${run.stdout}${run.stderr}`.trim();
}

export interface RunningHaproxy {
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Runs HAProxy in the foreground (-db) on `file`, its output to `onLine`; resolves once it listens on `listen`. */
export async function startHaproxy(file: string, listen: string, onLine: (line: string) => void = () => {}): Promise<RunningHaproxy> {
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(onLine));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (gone) throw new Error('haproxy exited before listening');
    const up = await fetch(`http://${listen}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not listen on ${listen} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    exited,
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}
