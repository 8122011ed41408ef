// Players matched per second of tick CPU: the whole tick on one pool of N queued players (the
// worst tick: nearly everyone matchable), from the tick's start until every match is settled
// and its token signed, timed as the process's CPU (all threads: the formation thread's
// share counts) and as wall time. One pool filled directly, a fresh matchmaker per round.
// Usage: tsx --conditions=@ticketbooth/source bench/tick-cpu.ts [--players 100000,1000000] [--rounds 3] [--pool duel/eu]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { KeyRing, createSigningKey, generateSeed } from '@ticketbooth/tickets';
import { createMatchmaker } from '../src/matchmaker.ts';
import { Queue } from '../src/pool.ts';
import { benchSettings } from './bench-support.ts';
import { benchPool } from './form-matches.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { players: { type: 'string', default: '100000,1000000' }, rounds: { type: 'string', default: '3' }, pool: { type: 'string', default: 'duel/eu' } },
});
const pool = args.pool!;
const now = Date.parse('2030-01-01T00:00:00Z');
for (const players of args.players!.split(',').map(Number)) {
  const waiting = benchPool(players, now);
  const samples: { cpuS: number; wallS: number; matched: number }[] = [];
  for (let r = 0; r <= Number(args.rounds); r++) {
    const queue = new Queue({ staleAfterMs: 3_600_000 });
    const mm = createMatchmaker({
      queue,
      settings: { ...benchSettings(), pools: [pool], warmupMs: 0 },
      ticketKeys: { ring: new KeyRing(), hasKeys: () => true, refetchForUnknownKid: async () => false },
      matchKeys: new KeyRing({ signing: createSigningKey(generateSeed()) }),
      now: () => now,
      newId: randomUUID,
    });
    waiting.forEach((w, i) =>
      queue.upsert({ sub: w.sub, pool, rating: w.rating, queuedAt: w.queuedAt, party: undefined, issuedAt: now - 1_000, expiresAt: now + 300_000, ticketId: `t${i}`, kid: 'k' }, now),
    );
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    const started = performance.now();
    mm.tick();
    await (mm as { formingIdle?: () => Promise<void> }).formingIdle?.();
    await mm.signing.idle();
    const used = process.cpuUsage(cpu);
    const sample = { cpuS: (used.user + used.system) / 1e6, wallS: (performance.now() - started) / 1000, matched: players - queue.players() };
    if (r > 0) samples.push(sample); // round 0 warms the JIT
    await (mm as { close?: () => Promise<void> }).close?.();
  }
  samples.sort((a, b) => a.cpuS - b.cpuS);
  const m = samples[Math.floor(samples.length / 2)]!;
  console.log(JSON.stringify({ players, pool, ...m, matchedPerCpuSecond: m.matched / m.cpuS, matchedPerWallSecond: m.matched / m.wallS }));
}
