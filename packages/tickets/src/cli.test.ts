import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toPasetoDate, type SessionClaims, type TicketClaims } from './claims.ts';
import { formatDuration, runCli } from './cli.ts';
import { createSigningKey, createVerificationKey } from './key-ring.ts';
import { signToken } from './token.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const BIN = fileURLToPath(new URL('../bin/ticketbooth-token.js', import.meta.url));
const VECTORS = JSON.parse(readFileSync(new URL('../test/fixtures/v4.json', import.meta.url), 'utf8')) as {
  tests: { name: string; 'expect-fail': boolean; token: string; payload: string | null; footer: string;
    'implicit-assertion': string; 'public-key'?: string; 'secret-key'?: string }[];
};

// Fixed seeds so failures reproduce; the CLI's keygen is tested on its own.
const alice = createSigningKey(Buffer.alloc(32, 1));
const mallory = createSigningKey(Buffer.alloc(32, 2));

function run(argv: string[], at = NOW) {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, () => at);
  return { code, stdout, stderr };
}

function ticket(overrides: Partial<TicketClaims> = {}): TicketClaims {
  return {
    iss: 'ticketbooth-issuer',
    sub: 'player-1',
    aud: 'ticketbooth-matchmaker',
    iat: toPasetoDate(NOW - 60_000),
    exp: toPasetoDate(NOW + 9 * 60_000),
    jti: 'ticket-1',
    pool: { mode: 'duel', region: 'eu' },
    rating: 1500,
    queuedAt: toPasetoDate(NOW - 60_000),
    ...overrides,
  };
}

const session: SessionClaims = {
  iss: 'ticketbooth-issuer',
  sub: 'player-1',
  aud: 'ticketbooth-issuer',
  iat: toPasetoDate(NOW),
  exp: toPasetoDate(NOW + 3_600_000),
  jti: 'session-1',
  epoch: 3,
};

const hexPaserk = (prefix: string, hex: string) => prefix + Buffer.from(hex, 'hex').toString('base64url');

describe('keygen', () => {
  it('prints a PASERK key pair whose halves sign and verify each other', () => {
    const { code, stdout } = run(['keygen']);
    expect(code).toBe(0);
    const key = JSON.parse(stdout) as { secret: string; public: string; kid: string };
    expect(key.secret).toMatch(/^k4\.secret\./);
    expect(key.public).toBe(createSigningKey(key.secret).publicPaserk);
    expect(key.kid).toBe(createVerificationKey({ publicKey: key.public }).kid);

    const signed = run(['sign', '--key', key.secret, JSON.stringify(ticket())]);
    expect(signed.code).toBe(0);
    const verified = run(['verify', '--key', key.public, signed.stdout.trim()]);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual(ticket());
  });

  it('takes no arguments', () => {
    expect(run(['keygen', 'extra']).code).toBe(2);
  });
});

describe('inspect', () => {
  const token = signToken(alice, 'ticket', ticket());

  it('marks its output UNVERIFIED and shows kid, claims and time left', () => {
    const { code, stdout } = run(['inspect', token]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('UNVERIFIED: signature not checked');
    expect(stdout).toContain(`kid:     ${alice.kid}`);
    expect(stdout).toContain('"sub": "player-1"');
    expect(stdout).toContain('(expires in 9m 0s)');
  });

  it('says how long ago an expired token expired', () => {
    expect(run(['inspect', token], NOW + 3 * 3_600_000).stdout).toContain('(expired 2h 51m ago)');
  });

  it('--json gives the same, machine-readable', () => {
    const { code, stdout } = run(['inspect', '--json', token]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      verified: false,
      warning: 'UNVERIFIED: signature not checked',
      header: 'v4.public',
      footer: { raw: JSON.stringify({ kid: alice.kid, purpose: 'ticket' }), json: { kid: alice.kid, purpose: 'ticket' } },
      kid: alice.kid,
      payload: ticket(),
      exp: { value: ticket().exp, secondsLeft: 540 },
    });
  });

  it('refuses what is not a v4.public token with its error code', () => {
    for (const bad of ['v4.public.%%%', 'v4.local.AAAA', token.replace('v4.public.', 'v3.public.')]) {
      const { code, stdout, stderr } = run(['inspect', bad]);
      expect([code, stdout]).toEqual([1, '']);
      expect(stderr).toMatch(/^malformed: /);
    }
  });
});

describe('verify', () => {
  const token = signToken(alice, 'ticket', ticket());

  it('prints the payload and notes that the token chose its own iss/aud', () => {
    const { code, stdout, stderr } = run(['verify', '--key', alice.publicPaserk, token]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(ticket());
    expect(stderr).toMatch(/^note: accepted the token's own iss "ticketbooth-issuer" and aud "ticketbooth-matchmaker"/);
  });

  it('checks --iss and --aud when given', () => {
    const pinned = ['verify', '--key', alice.publicPaserk, '--iss', 'other', '--iss', 'ticketbooth-issuer'];
    expect(run([...pinned, '--aud', 'ticketbooth-matchmaker', token])).toMatchObject({ code: 0, stderr: '' });
    expect(run([...pinned, '--aud', 'someone-else', token]).stderr).toMatch(/^wrong_audience: /);
    expect(run(['verify', '--key', alice.publicPaserk, '--iss', 'evil', token]).stderr).toMatch(/^wrong_issuer: /);
  });

  it('fails with the TicketError code on stderr and exit 1', () => {
    const refused = (argv: string[], at = NOW) => {
      const { code, stdout, stderr } = run(argv, at);
      expect([code, stdout]).toEqual([1, '']);
      return stderr.split(':')[0];
    };
    // The footer names alice's key, so a ring holding only mallory's does not know it.
    expect(refused(['verify', '--key', mallory.publicPaserk, token])).toBe('unknown_key');
    expect(refused(['verify', '--raw', '--purpose', 'ticket', '--key', mallory.publicPaserk, token])).toBe('bad_signature');
    const claimsAlicesKid = ['--footer', JSON.stringify({ kid: alice.kid, purpose: 'ticket' })];
    const forged = run(['sign', '--key', mallory.paserk, ...claimsAlicesKid, JSON.stringify(ticket())]);
    expect(refused(['verify', '--key', alice.publicPaserk, forged.stdout.trim()])).toBe('bad_signature');
    expect(refused(['verify', '--key', alice.publicPaserk, '--purpose', 'session', token])).toBe('wrong_purpose');
    expect(refused(['verify', '--key', alice.publicPaserk, token], NOW + 3_600_000)).toBe('expired');
    expect(refused(['verify', '--key', alice.publicPaserk, `${token}x`])).toBe('malformed');
  });

  it('caps the lifetime at --max-lifetime-s, one day by default', () => {
    const long = signToken(alice, 'ticket', ticket({ exp: toPasetoDate(NOW + 2 * 86_400_000) }));
    expect(run(['verify', '--key', alice.publicPaserk, long]).stderr).toMatch(/^lifetime_exceeded: /);
    expect(run(['verify', '--key', alice.publicPaserk, '--max-lifetime-s', '259200', long]).code).toBe(0);
  });
});

describe('the official v4 vectors through verify --raw', () => {
  const vectorKey = hexPaserk('k4.public.', VECTORS.tests.find((t) => t.name === '4-S-1')?.['public-key'] ?? '');
  const raw = (t: (typeof VECTORS.tests)[number]) =>
    run(['verify', '--raw', '--key', t['public-key'] ? hexPaserk('k4.public.', t['public-key']) : vectorKey,
      '--implicit', t['implicit-assertion'], t.token]);

  it.each(VECTORS.tests.filter((t) => t.name.startsWith('4-S-')).map((t) => [t.name, t] as const))('%s verifies', (_, t) => {
    expect(raw(t)).toEqual({ code: 0, stdout: `${t.payload}\n`, stderr: '' });
  });

  it.each(VECTORS.tests.filter((t) => t.name.startsWith('4-F-')).map((t) => [t.name, t] as const))('%s fails', (_, t) => {
    const { code, stdout, stderr } = raw(t);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr.split(':')[0]).toBe(t.token.startsWith('v4.public.') ? 'bad_signature' : 'malformed');
  });

  it('every v4.local vector is malformed here', () => {
    const local = VECTORS.tests.filter((t) => t.token.startsWith('v4.local.'));
    expect(local.length).toBeGreaterThan(5);
    for (const t of local) expect(raw(t).stderr).toMatch(/^malformed: not a v4.public token/);
  });

  it.each(VECTORS.tests.filter((t) => t.name.startsWith('4-S-')).map((t) => [t.name, t] as const))(
    'sign --implicit reproduces %s byte for byte',
    (_, t) => {
      const footer = t.footer === '' ? [] : ['--footer', t.footer];
      const { code, stdout } = run(['sign', '--key', hexPaserk('k4.secret.', t['secret-key'] ?? ''),
        '--implicit', t['implicit-assertion'], ...footer, t.payload ?? '']);
      expect([code, stdout]).toEqual([0, `${t.token}\n`]);
    },
  );
});

describe('sign', () => {
  it('signs for a purpose so that verify --purpose accepts it, and no other purpose', () => {
    const signed = run(['sign', '--key', alice.paserk, '--purpose', 'session', JSON.stringify(session)]);
    expect([signed.code, signed.stderr]).toEqual([0, '']);
    const token = signed.stdout.trim();
    expect(JSON.parse(run(['inspect', '--json', token]).stdout).footer.json).toEqual({ kid: alice.kid, purpose: 'session' });
    expect(JSON.parse(run(['verify', '--key', alice.publicPaserk, '--purpose', 'session', token]).stdout)).toEqual(session);
    expect(run(['verify', '--key', alice.publicPaserk, token]).stderr).toMatch(/^wrong_purpose: /);
  });

  it('matches the library signer for the same claims', () => {
    const claims = ticket();
    const { stdout } = run(['sign', '--key', alice.paserk, JSON.stringify(claims, null, 2)]);
    expect(stdout).toBe(`${signToken(alice, 'ticket', claims)}\n`);
  });

  it('warns about, but signs, claims the purpose would refuse', () => {
    const { code, stdout, stderr } = run(['sign', '--key', alice.paserk, '{"sub":"x"}']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^v4\.public\./);
    expect(stderr).toMatch(/^warning: payload is not valid ticket claims/);
  });

  it('--implicit binds the token to that assertion only', () => {
    const token = run(['sign', '--key', alice.paserk, '--implicit', 'app:x', '{"hello":"world"}']).stdout.trim();
    expect(token.split('.')).toHaveLength(3); // no footer unless asked for
    expect(run(['verify', '--key', alice.publicPaserk, '--implicit', 'app:x', token])).toMatchObject({
      code: 0,
      stdout: '{"hello":"world"}\n',
    });
    expect(run(['verify', '--key', alice.publicPaserk, '--implicit', 'app:y', token]).stderr).toMatch(/^bad_signature: /);
    expect(run(['verify', '--key', alice.publicPaserk, '--raw', token]).stderr).toMatch(/^bad_signature: /);
  });
});

describe('usage', () => {
  const usage = (argv: string[]) => {
    const { code, stdout, stderr } = run(argv);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(/^error: .*\n\nUsage: ticketbooth-token/);
    return stderr.split('\n')[0];
  };

  it('prints usage with exit 2 for a bad command line', () => {
    const token = signToken(alice, 'ticket', ticket());
    expect(usage([])).toBe('error: missing command');
    expect(usage(['mint'])).toBe('error: unknown command "mint"');
    expect(usage(['inspect'])).toMatch(/expected <token>/);
    expect(usage(['inspect', '--bogus', token])).toMatch(/Unknown option '--bogus'/);
    expect(usage(['verify', token])).toMatch(/--key <k4.public> is required/);
    expect(usage(['verify', '--key', 'k4.public.nope', token])).toMatch(/^error: --key: /);
    expect(usage(['verify', '--key', alice.paserk, token])).toMatch(/^error: --key: expected a k4.public PASERK/);
    expect(usage(['verify', '--key', alice.publicPaserk, '--purpose', 'lunch', token])).toMatch(/--purpose must be one of/);
    expect(usage(['verify', '--key', alice.publicPaserk, '--purpose', 'ticket', '--implicit', 'x', token])).toMatch(/not both/);
    expect(usage(['verify', '--key', alice.publicPaserk, '--raw', '--aud', 'x', token])).toMatch(/raw mode/);
    expect(usage(['verify', '--key', alice.publicPaserk, '--max-lifetime-s', '0', token])).toMatch(/positive/);
    expect(usage(['verify', '--key', alice.publicPaserk, '--aud', '', token])).toMatch(/must not be empty/);
    expect(usage(['sign', '--key', alice.paserk, '[1]'])).toMatch(/payload must be a JSON object/);
    expect(usage(['sign', '--key', alice.paserk, '--footer', 'kid', '{}'])).toMatch(/--footer is not JSON/);
    expect(usage(['sign', '--key', alice.publicPaserk, '{}'])).toMatch(/expected a k4.secret PASERK/);
  });

  it('--help prints usage on stdout with exit 0', () => {
    for (const argv of [['--help'], ['-h'], ['verify', '--help'], ['sign', '-h']]) {
      const { code, stdout, stderr } = run(argv);
      expect([code, stderr]).toEqual([0, '']);
      expect(stdout).toMatch(/^Usage: ticketbooth-token <command>/);
    }
  });
});

it('formatDuration keeps the two largest units', () => {
  expect([0, 59, 61, 3_600, 90_061].map(formatDuration)).toEqual(['0s', '59s', '1m 1s', '1h 0m', '1d 1h']);
});

it('the bin runs the CLI under plain node and passes on its exit status', () => {
  const keygen = spawnSync(process.execPath, [BIN, 'keygen'], { encoding: 'utf8' });
  expect(keygen.stderr).toBe('');
  expect(keygen.status).toBe(0);
  expect(JSON.parse(keygen.stdout)).toMatchObject({ kid: expect.stringMatching(/^k4\.pid\./) });
  const refused = spawnSync(process.execPath, [BIN, 'inspect', 'not-a-token'], { encoding: 'utf8' });
  expect([refused.status, refused.stderr]).toEqual([1, 'malformed: not a v4.public token\n']);
});
