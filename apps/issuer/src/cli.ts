// Operator CLI: `pnpm --filter @ticketbooth/issuer cli <command>`. `runCli` takes its
// I/O, config and clock as arguments so tests run it in-process.
import { randomBytes, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError } from '@ticketbooth/config';
import { isKeysCommand, runKeysCommand } from '@ticketbooth/tickets';
import { loadIssuerConfig, maxTokenLifetimeMs, type IssuerConfig } from './config.ts';
import { newPassword, newUsername } from './credentials.ts';
import { openStore } from './open-store.ts';
import { createPasswordHasher, type PasswordHasher } from './passwords.ts';
import { newGameServerSecret, secretDigest } from './results.ts';
import { gameServerRequest } from './schemas.ts';
import { NameTakenError } from './store/result-store.ts';
import { UsernameTakenError, type User, type UserStore } from './store/user-store.ts';

export const USAGE = `Usage: pnpm --filter @ticketbooth/issuer cli <command>

  keys list                          the key file's keys: active, next, retiring
  keys rotate                        step 1: publish a new key (verifiers fetch it; it does not sign yet)
  keys activate                      step 2: sign with the published key; the old one verifies until
                                     every token it signed has expired. Wait at least the key-set
                                     cache time (60 s) after "rotate".
  keys remove <kid>                  after a compromise (once rotated and activated): drop the old key
                                     now; everything it signed stops verifying. See SECURITY.md.
  users create <username> [--password-stdin]
                                     without --password-stdin a random password is generated and printed
  users ban <user> --reason <text>   <user> is an id or a username; revokes sessions, publishes a revocation
  users unban <user>
  ratings set <user> <mode> <rating>
  game-servers add <name>            register a game server that may report results; prints its
                                     credential once (only its SHA-256 is stored)
  game-servers list
  game-servers revoke <id or name>   its reports are refused from now on

Reads the same environment as the issuer (TICKETBOOTH_HOME, DATABASE_URL, ISSUER_KEY_FILE, ...).
A running issuer picks up key-file changes within a few seconds (or at once on SIGHUP).
`;

export interface CliDeps {
  readonly config: IssuerConfig;
  readonly now: () => number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly openStore: (config: IssuerConfig) => Promise<UserStore>;
  readonly passwords: PasswordHasher;
}

class UsageError extends Error {}

/** Runs one command; resolves to the exit status (0 ok, 1 refused, 2 usage). */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  try {
    return await dispatch([...argv], deps);
  } catch (error) {
    if (error instanceof UsageError) {
      deps.stderr(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    deps.stderr(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

async function dispatch(argv: string[], deps: CliDeps): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === undefined || group === 'help' || group === '--help') {
    deps.stdout(USAGE);
    return 0;
  }
  if (group === 'keys') return keys(command, rest[0], deps);
  if (group === 'users') return withStore(deps, (store) => users(command, rest, store, deps));
  if (group === 'ratings') return withStore(deps, (store) => ratings(command, rest, store, deps));
  if (group === 'game-servers') return withStore(deps, (store) => gameServers(command, rest, store, deps));
  throw new UsageError(`unknown command ${JSON.stringify(group)}`);
}

function keys(command: string | undefined, kid: string | undefined, deps: CliDeps): number {
  if (!isKeysCommand(command)) throw new UsageError(`unknown keys command ${JSON.stringify(command)}`);
  if (command === 'remove' && kid === undefined) throw new UsageError('keys remove needs the <kid> to remove');
  const output = runKeysCommand(command, {
    ...(kid === undefined ? {} : { kid }),
    path: deps.config.keyFile,
    now: deps.now(),
    // Leeway on top of the longest lifetime: verifiers accept a few seconds past exp.
    retireAfterMs: maxTokenLifetimeMs(deps.config.shared) + 60_000,
    waitFor: "the matchmakers' key refresh (KEYS_REFRESH_MS, 60 s by default)",
  });
  deps.stdout(output);
  return 0;
}

async function withStore(deps: CliDeps, work: (store: UserStore) => Promise<number>): Promise<number> {
  const store = await deps.openStore(deps.config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function findUser(store: UserStore, idOrName: string | undefined): Promise<User> {
  if (idOrName === undefined) throw new UsageError('missing <user>');
  const user = (await store.findUserById(idOrName)) ?? (await store.findUserByUsername(idOrName.normalize('NFKC').toLowerCase()));
  if (user === undefined) throw new Error(`no user ${JSON.stringify(idOrName)}`);
  return user;
}

async function createUser(args: string[], store: UserStore, deps: CliDeps): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { 'password-stdin': { type: 'boolean' } }, allowPositionals: true });
  const username = newUsername.safeParse(positionals[0] ?? '');
  if (!username.success) throw new UsageError(`invalid username: ${username.error.issues[0]?.message}`);
  const generated = values['password-stdin'] ? undefined : randomBytes(18).toString('base64url');
  const password = newPassword.safeParse(generated ?? (await deps.readStdin()).replace(/\r?\n$/, ''));
  if (!password.success) throw new Error(`invalid password: ${password.error.issues[0]?.message}`);
  try {
    const user = await store.createUser({
      id: randomUUID(),
      username: username.data,
      passwordHash: await deps.passwords.hash(password.data),
      createdAt: deps.now(),
    });
    deps.stdout(`created ${user.username} ${user.id}\n${generated === undefined ? '' : `password: ${generated}\n`}`);
    return 0;
  } catch (error) {
    if (error instanceof UsernameTakenError) throw new Error(`username ${username.data} is taken`);
    throw error;
  }
}

async function users(command: string | undefined, args: string[], store: UserStore, deps: CliDeps): Promise<number> {
  if (command === 'create') return createUser(args, store, deps);
  if (command === 'ban') {
    const { values, positionals } = parseArgs({ args, options: { reason: { type: 'string' } }, allowPositionals: true });
    if (!values.reason) throw new UsageError('ban needs --reason');
    const user = await findUser(store, positionals[0]);
    await store.banUser(user.id, values.reason, deps.now());
    deps.stdout(`banned ${user.username} ${user.id}: sessions revoked, revocation published\n`);
    return 0;
  }
  if (command === 'unban') {
    const user = await findUser(store, args[0]);
    await store.unbanUser(user.id);
    deps.stdout(`unbanned ${user.username} ${user.id}\n`);
    return 0;
  }
  throw new UsageError(`unknown users command ${JSON.stringify(command)}`);
}

async function ratings(command: string | undefined, args: string[], store: UserStore, deps: CliDeps): Promise<number> {
  if (command !== 'set') throw new UsageError(`unknown ratings command ${JSON.stringify(command)}`);
  const [who, mode, value] = args;
  const rating = Number(value);
  if (mode === undefined || value === undefined || !Number.isFinite(rating)) throw new UsageError('ratings set <user> <mode> <rating>');
  if (!Object.hasOwn(deps.config.shared.modes, mode)) throw new Error(`unknown mode ${JSON.stringify(mode)}`);
  const user = await findUser(store, who);
  await store.setRating(user.id, mode, rating, deps.now());
  deps.stdout(`${user.username} ${mode} rating ${rating}\n`);
  return 0;
}

async function gameServers(command: string | undefined, args: string[], store: UserStore, deps: CliDeps): Promise<number> {
  const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
  if (command === 'add') {
    const name = gameServerRequest.shape.name.safeParse(args[0] ?? '');
    if (!name.success) throw new UsageError(`invalid game server name: ${name.error.issues[0]?.message}`);
    const secret = newGameServerSecret();
    try {
      const server = await store.addGameServer({ id: randomUUID(), name: name.data, secretDigest: secretDigest(secret), at: deps.now() });
      deps.stdout(`registered ${server.name} ${server.id}\ncredential (shown once): ${secret}\n`);
      return 0;
    } catch (error) {
      if (error instanceof NameTakenError) throw new Error(`game server name ${name.data} is taken`);
      throw error;
    }
  }
  if (command === 'list') {
    for (const server of await store.listGameServers()) deps.stdout(`${server.name}\t${server.id}\tcreated ${when(server.createdAt)}\trevoked ${when(server.revokedAt)}\n`);
    return 0;
  }
  if (command === 'revoke') {
    if (args[0] === undefined) throw new UsageError('game-servers revoke <id or name>');
    const server = await store.revokeGameServer(args[0], deps.now());
    if (server === undefined) throw new Error(`no game server ${JSON.stringify(args[0])}`);
    deps.stdout(`revoked ${server.name} ${server.id} at ${when(server.revokedAt)}\n`);
    return 0;
  }
  throw new UsageError(`unknown game-servers command ${JSON.stringify(command)}`);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

// Run only as the entry point, so tests can import runCli.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const config = loadIssuerConfig();
    process.exitCode = await runCli(process.argv.slice(2), {
      config,
      now: Date.now,
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
      readStdin: () => readAll(process.stdin),
      openStore: (c) => openStore(c.database),
      passwords: createPasswordHasher(),
    });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exitCode = 1;
  }
}
