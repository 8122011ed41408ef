// Part 4: heap per queued player (the matchmaker bench's memory child, real submit path) and
// formMatches on one pool of 10k, 100k and 1M players.
import { spawnSync } from 'node:child_process';
import { DEMO_CONFIG, parseSharedConfig, teamSizeOf } from '@ticketbooth/config';
import { timeTicksInterleaved, type TickFigure } from '@ticketbooth/matchmaker/bench/form-matches.ts';
import { REPO_DIR, canPin } from './children.ts';

export interface MemoryFigure {
  readonly players: number;
  readonly bytesPerPlayer: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
  readonly seconds: number;
}

export function measureMemory(players: number): MemoryFigure {
  const node = [process.execPath, '--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', '--conditions=@ticketbooth/source', 'bench/memory.ts', String(players)];
  // Core 0 for the submissions; its signing worker shares that core, as the figure is heap, not time.
  const [command, ...args] = canPin ? ['taskset', '-c', '0', ...node] : node;
  const run = spawnSync(command!, args, { cwd: `${REPO_DIR}apps/matchmaker`, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 400_000 });
  if (run.status !== 0) throw new Error(`memory run failed (${run.status ?? run.signal})`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as MemoryFigure;
}

/**
 * Demo rules for duel 1v1 and squad 4v4 (solo, with parties, and with parties under a latency
 * rule over four regions); fewer repeats at 1M, where one tick takes seconds.
 */
export function measureTicks(sizes: readonly number[], log: (line: string) => void): TickFigure[] {
  const shared = parseSharedConfig({
    ...DEMO_CONFIG,
    modes: { ...DEMO_CONFIG.modes, near: { ...DEMO_CONFIG.modes.squad, latency: { maxMs: 60, widenToMs: 150, widenAfterMs: 30_000 } } },
  });
  const figures: TickFigure[] = [];
  for (const players of sizes) {
    // Squad three times: solo players; 30 % of the same number in parties of 2-4; and those parties
    // under the latency rule. Interleaved tick by tick, so their ratios hold on a shared machine.
    const variants = ([['duel', 0], ['squad', 0], ['squad', 0.3], ['near', 0.3]] as const).map(([mode, partyShare]) => {
      const rules = shared.modes[mode]!;
      const size = teamSizeOf(rules).max;
      const name = `${mode === 'near' ? 'squad' : mode} ${size}v${size}${partyShare > 0 ? `, ${partyShare * 100} % in parties` : ''}${rules.latency ? ', latency rule' : ''}`;
      return { mode: name, rules, partyShare };
    });
    // At 1M, one pool at a time: four pools of a million at once would not fit the heap.
    const measured = players >= 1_000_000 ? variants.flatMap((v) => timeTicksInterleaved(players, [v], 3)) : timeTicksInterleaved(players, variants, 9);
    for (const figure of measured) {
      log(`  formMatches ${players.toLocaleString('en')} ${figure.mode}: ${figure.medianMs.toFixed(1)} ms, ${figure.matches} matches`);
      figures.push(figure);
    }
  }
  return figures;
}
