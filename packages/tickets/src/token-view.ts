// What `ticketbooth-token inspect` shows: everything a token says about itself, none of it trusted.
import { TicketError } from './errors.ts';
import { parseToken } from './paseto.ts';

export interface TokenView {
  readonly verified: false;
  readonly warning: string;
  readonly header: 'v4.public';
  /** `json` is null when the footer is not JSON. */
  readonly footer: { readonly raw: string; readonly json: unknown } | null;
  readonly kid: string | null;
  readonly payload: Record<string, unknown>;
  readonly exp: { readonly value: unknown; readonly secondsLeft: number | null } | null;
}

const UNVERIFIED = 'UNVERIFIED: signature not checked';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Everything a token says about itself, none of it trusted. Throws `TicketError` if it is not v4.public JSON. */
export function describeToken(token: string, at: number): TokenView {
  const parsed = parseToken(token);
  const claims = parseLooseJson(parsed.message);
  if (!isRecord(claims)) throw new TicketError('malformed', 'payload is not a UTF-8 JSON object');
  const footerRaw = parsed.footer.length === 0 ? undefined : parsed.footer.toString('utf8');
  const footerJson = footerRaw === undefined ? undefined : parseLooseJson(parsed.footer);
  const kid = isRecord(footerJson) && typeof footerJson.kid === 'string' ? footerJson.kid : null;
  return {
    verified: false,
    warning: UNVERIFIED,
    header: 'v4.public',
    footer: footerRaw === undefined ? null : { raw: footerRaw, json: footerJson ?? null },
    kid,
    payload: claims,
    exp: 'exp' in claims ? { value: claims.exp, secondsLeft: secondsUntil(claims.exp, at) } : null,
  };
}

/** Lenient on purpose: inspect shows what is there, verify is the strict one. */
function parseLooseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function secondsUntil(date: unknown, at: number): number | null {
  const ms = typeof date === 'string' ? Date.parse(date) : NaN;
  return Number.isFinite(ms) ? Math.trunc((ms - at) / 1000) : null;
}

export function formatTokenView(view: TokenView): string {
  const lines = [
    view.warning,
    `header:  ${view.header}`,
    `kid:     ${view.kid ?? '(none in footer)'}`,
    `footer:  ${view.footer === null ? '(none)' : `${view.footer.raw}${view.footer.json === null ? '  (not JSON)' : ''}`}`,
  ];
  if (view.exp !== null) lines.push(`exp:     ${String(view.exp.value)}  (${describeTimeLeft(view.exp.secondsLeft)})`);
  lines.push('payload:', JSON.stringify(view.payload, null, 2));
  return `${lines.join('\n')}\n`;
}

function describeTimeLeft(seconds: number | null): string {
  if (seconds === null) return 'not a date';
  return seconds > 0 ? `expires in ${formatDuration(seconds)}` : `expired ${formatDuration(-seconds)} ago`;
}

/** The two largest units: "2d 3h", "4m 12s", "0s". */
export function formatDuration(totalSeconds: number): string {
  const units: [number, string][] = [
    [Math.floor(totalSeconds / 86_400), 'd'],
    [Math.floor(totalSeconds / 3_600) % 24, 'h'],
    [Math.floor(totalSeconds / 60) % 60, 'm'],
    [totalSeconds % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  return units
    .slice(first, first + 2)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}
