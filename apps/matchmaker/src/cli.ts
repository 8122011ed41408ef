// Operator CLI: `pnpm --filter @ticketbooth/matchmaker cli <command>`. `runCli` takes its
// config, clock and output as arguments so tests run it in-process.
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@ticketbooth/config';
import { isKeysCommand, runKeysCommand } from '@ticketbooth/tickets';
import { loadKeyConfig, type MatchmakerConfig } from './config.ts';

export const USAGE = `Usage: pnpm --filter @ticketbooth/matchmaker cli <command>

  keys list        this matchmaker's match-signing keys: active, next, retiring
  keys rotate      step 1: publish a new key at GET /v1/keys (game servers fetch it; it does not sign yet)
  keys activate    step 2: sign matches with the published key; the old one verifies until every
                   match token it signed has expired. Wait at least the key-set cache time (60 s)
                   after "rotate".
  keys remove <kid>
                   after a compromise (once rotated and activated): drop the old key now; match
                   tokens it signed stop verifying. See SECURITY.md.

Reads the same environment as the matchmaker (TICKETBOOTH_HOME, MATCHMAKER_KEY_FILE, MATCH_TOKEN_TTL_MS, ...).
A running matchmaker picks up key-file changes within a few seconds (or at once on SIGHUP).
`;

/** Game servers may cache GET /v1/keys this long (its cache-control max-age). */
export const KEY_SET_CACHE_MS = 60_000;

export interface CliDeps {
  readonly config: Pick<MatchmakerConfig, 'keyFile' | 'matchTokenTtlMs'> & { readonly shared: Pick<MatchmakerConfig['shared'], 'resultWindowMs'> };
  readonly now: () => number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs one command; resolves to the exit status (0 ok, 1 refused, 2 usage). */
export function runCli(argv: readonly string[], deps: CliDeps): number {
  const [group, command, kid] = argv;
  if (group === undefined || group === 'help' || group === '--help') {
    deps.stdout(USAGE);
    return 0;
  }
  if (group !== 'keys' || !isKeysCommand(command) || (command === 'remove' && kid === undefined)) {
    deps.stderr(`error: unknown command ${JSON.stringify(argv.join(' '))}\n\n${USAGE}`);
    return 2;
  }
  try {
    deps.stdout(
      runKeysCommand(command, {
        ...(kid === undefined ? {} : { kid }),
        path: deps.config.keyFile,
        now: deps.now(),
        // Leeway on top of the lifetime: verifiers accept a few seconds past exp. A result names
        // its match token for resultWindowMs after the match formed: the key verifies that long.
        retireAfterMs: Math.max(deps.config.matchTokenTtlMs, deps.config.shared.resultWindowMs) + 60_000,
        waitFor: `game servers have fetched GET /v1/keys again (cached ${KEY_SET_CACHE_MS / 1000} s)`,
      }),
    );
    return 0;
  } catch (error) {
    deps.stderr(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

// Run only as the entry point, so tests can import runCli.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = runCli(process.argv.slice(2), {
      config: loadKeyConfig(),
      now: Date.now,
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exitCode = 1;
  }
}
