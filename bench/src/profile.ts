// Reads a V8 CPU profile (node --cpu-prof) and prints where the time went: self and inclusive
// time per function, optionally inside a time window and per request.
// Usage: pnpm --filter @ticketbooth/bench profile <file.cpuprofile> [--from S] [--to S] [--requests N] [--top N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileRow {
  readonly frame: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

/** Busy time (idle excluded) per frame between `fromS` and `toS` seconds after the profile started. */
export function summarize(profile: CpuProfile, fromS = 0, toS = Infinity): { busyMs: number; rows: ProfileRow[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const seconds = (at - profile.startTime) / 1e6;
    const node = byId.get(id)!;
    if (seconds < fromS || seconds > toS || node.callFrame.functionName === '(idle)') return;
    busy += delta;
    self.set(name(node), (self.get(name(node)) ?? 0) + delta);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = name(byId.get(cur)!);
      if (seen.has(frame)) continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + delta);
    }
  });
  const rows = [...total.keys()].map((frame) => ({ frame, selfMs: (self.get(frame) ?? 0) / 1e3, totalMs: total.get(frame)! / 1e3 }));
  return { busyMs: busy / 1e3, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    allowPositionals: true,
    options: { from: { type: 'string', default: '0' }, to: { type: 'string' }, requests: { type: 'string' }, top: { type: 'string', default: '25' } },
  });
  const file = positionals[0];
  if (file === undefined) throw new TypeError('usage: profile <file.cpuprofile> [--from S] [--to S] [--requests N] [--top N]');
  const { busyMs, rows } = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.from), values.to === undefined ? Infinity : Number(values.to));
  const requests = values.requests === undefined ? undefined : Number(values.requests);
  const unit = requests === undefined ? 'ms' : 'µs/req';
  const show = (ms: number) => (requests === undefined ? ms.toFixed(0) : ((ms * 1000) / requests).toFixed(2));
  console.log(`busy ${busyMs.toFixed(0)} ms${requests === undefined ? '' : `, ${show(busyMs)} µs per request over ${requests} requests`}`);
  for (const key of ['selfMs', 'totalMs'] as const) {
    console.log(`\n| ${key === 'selfMs' ? 'self' : 'inclusive'} ${unit} | share | frame |\n|---:|---:|---|`);
    for (const row of [...rows].sort((a, b) => b[key] - a[key]).slice(0, Number(values.top))) {
      console.log(`| ${show(row[key])} | ${((100 * row[key]) / busyMs).toFixed(1)}% | ${row.frame} |`);
    }
  }
}
