// The operator CLI `ticketbooth-token`: make keys, and inspect, verify and sign
// v4.public tokens. `runCli` takes its I/O and clock as arguments so tests run it
// in-process; bin/ticketbooth-token.js only wires it to the real process.
import { parseArgs } from 'node:util';
import { CLAIM_SCHEMAS, PURPOSES, isPurpose, type Purpose } from './claims.ts';
import { generateSeed } from './ed25519.ts';
import { TicketError } from './errors.ts';
import { KeyRing, createSigningKey, createVerificationKey, type SigningKey, type VerificationKey } from './key-ring.ts';
import { parseToken, signV4Public } from './paseto.ts';
import { implicitAssertion, parseJsonObject } from './token.ts';
import { describeToken, formatTokenView, isRecord } from './token-view.ts';
import { createVerifier, verifyRaw } from './verifier.ts';

export { formatDuration } from './token-view.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** 0: done; 1: the token was refused (its `TicketError` code on stderr); 2: usage error. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

export const USAGE = `Usage: ticketbooth-token <command> [options]

  keygen
      Prints a new key as JSON {secret: k4.secret, public: k4.public, kid: k4.pid}.

  inspect [--json] <token>
      Decodes a v4.public token WITHOUT checking its signature: footer, kid,
      claims, and how long until (or since) exp.

  verify --key <k4.public> [options] <token>
      Prints the payload JSON if the token is valid. Checks format, key id,
      signature, purpose, claim schema, iat/nbf/exp and lifetime.
      --purpose P            ${PURPOSES.join('|')} (default ticket)
      --iss ISS              accepted issuer (repeatable)
      --aud AUD              expected audience
                             Without --iss/--aud the token's own values are accepted
                             (read from the payload before it is verified; everything
                             else is still checked) and a note says so on stderr.
      --max-lifetime-s N     longest exp - iat accepted (default 86400)
      --raw                  format and signature only, no claim rules; the implicit
                             assertion is that of --purpose if given, else empty
      --implicit STRING      like --raw, with this implicit assertion

  sign --key <k4.secret> [--purpose P | --implicit STRING] [--footer JSON] <payload-json>
      Prints a token. Payload and footer must be JSON objects; they are signed in
      compact form. The payload's claims are not required to be valid.
      --purpose P            signs for P (default ticket): its implicit assertion and,
                             unless --footer is given, the footer {"kid","purpose"}
      --implicit STRING      signs with this implicit assertion; no footer unless --footer
      --footer JSON          the footer to sign instead

Exit status: 0 ok, 1 token refused (error code on stderr), 2 usage error.
`;

const DEFAULT_MAX_LIFETIME_S = 86_400;
// createVerifier needs an expected iss/aud up front. This one is used only when the
// payload holds no readable iss/aud, and such a payload fails the claim schema anyway.
const UNREADABLE_CLAIM = '(no readable claim in the token)';
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** A mistake in the command line, answered with the usage text and exit 2. */
class UsageError extends Error {}

type Command = (args: string[], io: CliIo, now: () => number) => number;

/**
 * Runs one command and returns its exit status; never calls `process.exit`.
 *
 * @example
 * process.exitCode = runCli(process.argv.slice(2), { stdout: (s) => process.stdout.write(s),
 *   stderr: (s) => process.stderr.write(s) }, Date.now);
 */
export function runCli(argv: readonly string[], io: CliIo, now: () => number): number {
  try {
    return dispatch([...argv], io, now);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof TicketError) {
      io.stderr(`${error.code}: ${error.message}\n`);
      return EXIT.refused;
    }
    throw error;
  }
}

const COMMANDS: Record<string, Command> = { keygen, inspect, verify, sign };

function dispatch(argv: string[], io: CliIo, now: () => number): number {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('missing command');
  if (name === '--help' || name === '-h' || name === 'help') return printUsage(io);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return command(rest, io, now);
}

function printUsage(io: CliIo): number {
  io.stdout(USAGE);
  return EXIT.ok;
}

function keygen(args: string[], io: CliIo): number {
  const { values, positionals } = parseOrUsage(() => parseArgs({ args, options: HELP, allowPositionals: true }));
  if (values.help) return printUsage(io);
  takePositionals(positionals, []);
  const key = createSigningKey(generateSeed());
  io.stdout(`${JSON.stringify({ secret: key.paserk, public: key.publicPaserk, kid: key.kid }, null, 2)}\n`);
  return EXIT.ok;
}

function inspect(args: string[], io: CliIo, now: () => number): number {
  const options = { ...HELP, json: { type: 'boolean' } } as const;
  const { values, positionals } = parseOrUsage(() => parseArgs({ args, options, allowPositionals: true }));
  if (values.help) return printUsage(io);
  const [token] = takePositionals(positionals, ['token']);
  const view = describeToken(token, now());
  io.stdout(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatTokenView(view));
  return EXIT.ok;
}

function verify(args: string[], io: CliIo, now: () => number): number {
  const options = {
    ...HELP,
    key: { type: 'string' },
    purpose: { type: 'string' },
    implicit: { type: 'string' },
    raw: { type: 'boolean' },
    iss: { type: 'string', multiple: true },
    aud: { type: 'string' },
    'max-lifetime-s': { type: 'string' },
  } as const;
  const { values, positionals } = parseOrUsage(() => parseArgs({ args, options, allowPositionals: true }));
  if (values.help) return printUsage(io);
  const [token] = takePositionals(positionals, ['token']);
  const key = verificationKeyOption(values.key);
  const purpose = purposeOption(values.purpose, values.implicit);
  if (values.raw || values.implicit !== undefined) {
    // Claim options would suggest checks that raw mode does not make.
    if (values.iss !== undefined || values.aud !== undefined || values['max-lifetime-s'] !== undefined) {
      throw new UsageError('--iss, --aud and --max-lifetime-s check claims; raw mode (--raw, --implicit) does not');
    }
    const implicit = values.implicit ?? (purpose === undefined ? '' : implicitAssertion(purpose));
    io.stdout(`${verifyRaw(token, key.publicKey, implicit).payload.toString('utf8')}\n`);
    return EXIT.ok;
  }
  const maxLifetimeMs = positiveSecondsOption(values['max-lifetime-s'], DEFAULT_MAX_LIFETIME_S) * 1000;
  return verifyClaims(token, { key, purpose: purpose ?? 'ticket', iss: values.iss, aud: values.aud, maxLifetimeMs }, io, now);
}

interface ClaimCheck {
  readonly key: VerificationKey;
  readonly purpose: Purpose;
  readonly iss: readonly string[] | undefined;
  readonly aud: string | undefined;
  readonly maxLifetimeMs: number;
}

function verifyClaims(token: string, check: ClaimCheck, io: CliIo, now: () => number): number {
  if (check.iss?.some((iss) => iss === '') || check.aud === '') throw new UsageError('--iss and --aud must not be empty');
  // Unpinned iss/aud: the unverified payload only fills in the expected values; the
  // verifier below still checks the signature over them and every other rule.
  const claimed = check.iss === undefined || check.aud === undefined ? unverifiedIssuerAudience(token) : {};
  const issuer = check.iss ?? claimed.iss ?? UNREADABLE_CLAIM;
  const audience = check.aud ?? claimed.aud ?? UNREADABLE_CLAIM;
  const verifier = createVerifier({
    keys: new KeyRing({ verification: [check.key] }),
    purpose: check.purpose,
    issuer,
    audience,
    maxLifetimeMs: check.maxLifetimeMs,
    cacheSize: 0,
    now,
  });
  const { claims } = verifier.verify(token);
  io.stdout(`${JSON.stringify(claims)}\n`);
  const unpinned = [
    check.iss === undefined ? `iss ${JSON.stringify(claims.iss)}` : undefined,
    check.aud === undefined ? `aud ${JSON.stringify(claims.aud)}` : undefined,
  ].filter((claim) => claim !== undefined);
  if (unpinned.length > 0) {
    io.stderr(`note: accepted the token's own ${unpinned.join(' and ')}; pass --iss/--aud to check them\n`);
  }
  return EXIT.ok;
}

/** iss and aud as the payload states them, before anything is verified; absent if unreadable. */
function unverifiedIssuerAudience(token: string): { iss?: string[]; aud?: string } {
  let payload: Record<string, unknown>;
  try {
    payload = parseJsonObject(parseToken(token).message, 'payload');
  } catch {
    return {}; // The verifier reports the same problem with its own code.
  }
  const { iss, aud } = payload;
  return {
    ...(typeof iss === 'string' && iss !== '' ? { iss: [iss] } : {}),
    ...(typeof aud === 'string' && aud !== '' ? { aud } : {}),
  };
}

function sign(args: string[], io: CliIo): number {
  const options = {
    ...HELP,
    key: { type: 'string' },
    purpose: { type: 'string' },
    implicit: { type: 'string' },
    footer: { type: 'string' },
  } as const;
  const { values, positionals } = parseOrUsage(() => parseArgs({ args, options, allowPositionals: true }));
  if (values.help) return printUsage(io);
  const [payloadText] = takePositionals(positionals, ['payload-json']);
  const key = signingKeyOption(values.key);
  const purpose = purposeOption(values.purpose, values.implicit);
  const payload = compactJsonObject(payloadText, 'payload');
  const footer = values.footer === undefined ? undefined : compactJsonObject(values.footer, '--footer');
  if (values.implicit !== undefined) {
    io.stdout(`${signRaw(key, payload, footer ?? '', values.implicit)}\n`);
    return EXIT.ok;
  }
  const signedFor = purpose ?? 'ticket';
  warnIfClaimsInvalid(signedFor, payload, io);
  const purposeFooter = footer ?? JSON.stringify({ kid: key.kid, purpose: signedFor });
  io.stdout(`${signRaw(key, payload, purposeFooter, implicitAssertion(signedFor))}\n`);
  return EXIT.ok;
}

function signRaw(key: SigningKey, payload: string, footer: string, implicit: string): string {
  return signV4Public(Buffer.from(payload), key.privateKey, Buffer.from(footer), Buffer.from(implicit));
}

// Signing invalid claims is allowed (test tokens), but should never happen by accident.
function warnIfClaimsInvalid(purpose: Purpose, payload: string, io: CliIo): void {
  const result = CLAIM_SCHEMAS[purpose].safeParse(JSON.parse(payload));
  if (result.success) return;
  const issue = result.error.issues[0];
  io.stderr(
    `warning: payload is not valid ${purpose} claims (claim ${issue?.path.join('.') || '?'}: ` +
      `${issue?.message ?? 'invalid'}); verify --purpose ${purpose} will refuse it\n`,
  );
}

function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function takePositionals<const N extends readonly string[]>(positionals: string[], names: N): { [K in keyof N]: string } {
  if (positionals.length !== names.length) {
    const wanted = names.length === 0 ? 'no arguments' : names.map((n) => `<${n}>`).join(' ');
    throw new UsageError(`expected ${wanted}, got ${positionals.length} argument(s)`);
  }
  return positionals as { [K in keyof N]: string };
}

function verificationKeyOption(value: string | undefined): VerificationKey {
  if (value === undefined) throw new UsageError('--key <k4.public> is required');
  return keyOrUsage(() => createVerificationKey({ publicKey: value }));
}

function signingKeyOption(value: string | undefined): SigningKey {
  if (value === undefined) throw new UsageError('--key <k4.secret> is required');
  return keyOrUsage(() => createSigningKey(value));
}

// The key constructors throw TypeError for a bad PASERK: a caller mistake here.
function keyOrUsage<K>(build: () => K): K {
  try {
    return build();
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`--key: ${error.message}`);
    throw error;
  }
}

function purposeOption(purpose: string | undefined, implicit: string | undefined): Purpose | undefined {
  if (purpose !== undefined && implicit !== undefined) throw new UsageError('give --purpose or --implicit, not both');
  if (purpose !== undefined && !isPurpose(purpose)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}`);
  return purpose;
}

function positiveSecondsOption(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError('--max-lifetime-s must be a positive number of seconds');
  }
  return seconds;
}

/** The compact `JSON.stringify` form, which is also the only form the verifier accepts. */
function compactJsonObject(text: string, what: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is not JSON`);
  }
  if (!isRecord(value)) throw new UsageError(`${what} must be a JSON object`);
  return JSON.stringify(value);
}
