// The whole tick's CPU per matched player (full-tick.ts) from the command line, for this source
// or another copy of it: TICK_SRC=<dir> (e.g. `git archive <commit> apps/matchmaker/src`
// unpacked under bench/) gives the before of a before/after on the same machine.
// Usage: tsx --expose-gc --conditions=@ticketbooth/source bench/tick-cpu.ts [--players 100000,1000000] [--rounds 3] [--pool duel/eu]
import { parseArgs } from 'node:util';
import { loadTickSource, timeFullTick } from './full-tick.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { players: { type: 'string', default: '100000,1000000' }, rounds: { type: 'string', default: '3' }, pool: { type: 'string', default: 'duel/eu' } },
});
const source = await loadTickSource(process.env.TICK_SRC);
for (const players of args.players!.split(',').map(Number)) console.log(JSON.stringify(await timeFullTick(source, players, args.pool!, Number(args.rounds))));
