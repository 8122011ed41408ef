// `pnpm allocator`: the reference allocator as a process, for a matchmaker started by hand.
import { parseArgs } from 'node:util';
import { startAllocator } from './allocator.ts';

const USAGE = `usage: pnpm allocator [options]
  --port N          port on 127.0.0.1 (default ALLOCATOR_PORT or 8702; 0: any free port)
  --host H          address to listen on (default 127.0.0.1)
  --fail-rate R     share of allocation requests answered 503, 0..1 (default 0)
  --delay-ms N      wait before each answer (default 0)
Give the printed URL to the matchmaker as ALLOCATOR_URL.`;

function parseOptions(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      // pnpm passes the `--` that separates its own options through.
      args: argv.filter((a) => a !== '--'),
      options: {
        port: { type: 'string', default: process.env.ALLOCATOR_PORT || '8702' },
        host: { type: 'string', default: '127.0.0.1' },
        'fail-rate': { type: 'string', default: '0' },
        'delay-ms': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const number = (name: string, text: string, min: number, max: number, whole = false) => {
    const value = Number(text);
    if (text.trim() === '' || !(value >= min && value <= max) || (whole && !Number.isInteger(value))) {
      throw new Error(`--${name} must be a ${whole ? 'whole ' : ''}number within ${min}..${max}\n${USAGE}`);
    }
    return value;
  };
  return {
    help: values.help,
    port: number('port', values.port, 0, 65_535, true),
    host: values.host,
    failRate: number('fail-rate', values['fail-rate'], 0, 1),
    delayMs: number('delay-ms', values['delay-ms'], 0, 600_000),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  const allocator = await startAllocator({
    ...options,
    onAllocated: (matchId, { connect, details }) => console.log(`match ${matchId} -> ${connect} (${details.server})`),
  });
  const stop = () => void allocator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`allocator listening on ${allocator.url}\n  matchmaker: ALLOCATOR_URL=${allocator.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
