// Raw requests for the differential suite: each dimension of the HTTP/1.1 head the lane parses,
// alone and pipelined, generated from a fixed seed so every run sends the same bytes.
import type { Plan } from './wire.ts';
import { seededRandom } from '@ticketbooth/tools';

export interface Case {
  readonly name: string;
  readonly plan: Plan;
}

/** How an answer comes, chosen by the Authorization value's first word (see `answerFor`). */
export const MODES = ['sync', 'imm', 'late', 'close', 'closelate'] as const;
export type Mode = (typeof MODES)[number];

/** Milliseconds a `late` answer takes: longer than a pause between writes, shorter than the quiet time. */
export const LATE_MS = 80;

type Header = readonly [string, string];

/** A request as sent: a request line, header lines (name and value, or a raw line) and a body. */
interface Request {
  readonly line: string;
  readonly headers: readonly (Header | string)[];
  readonly body?: string;
  /** The line ending of every line; '\n' writes bare LFs. */
  readonly eol?: string;
}

const LANE_LINE = 'POST /v1/queue HTTP/1.1';

function render(request: Request): string {
  const eol = request.eol ?? '\r\n';
  const lines = request.headers.map((header) => (typeof header === 'string' ? header : `${header[0]}: ${header[1]}`));
  return `${request.line}${eol}${lines.map((line) => `${line}${eol}`).join('')}${eol}${request.body ?? ''}`;
}

/** The lane's request: Host and Authorization (whose value names the answer's mode). */
function lane(authorization: string, extra: readonly (Header | string)[] = [], line = LANE_LINE): Request {
  return { line, headers: [['Host', 'x'], ['Authorization', authorization], ...extra] };
}

/** Single requests that vary one thing of the lane's request. */
function variants(id: (mode: Mode) => string): [string, (mode: Mode) => string][] {
  const v: [string, (mode: Mode) => string][] = [];
  const add = (name: string, build: (auth: string) => Request | string) =>
    v.push([name, (mode) => {
      const built = build(id(mode));
      return typeof built === 'string' ? built : render(built);
    }]);
  add('plain', (a) => lane(a));
  // Header-name case and order.
  for (const host of ['host', 'HOST', 'hOsT']) add(`name case ${host}`, (a) => ({ line: LANE_LINE, headers: [[host, 'x'], ['Authorization', a]] }));
  for (const auth of ['authorization', 'AUTHORIZATION', 'AuThOrIzAtIoN']) add(`name case ${auth}`, (a) => ({ line: LANE_LINE, headers: [['Host', 'x'], [auth, a]] }));
  add('authorization first', (a) => ({ line: LANE_LINE, headers: [['Authorization', a], ['Host', 'x']] }));
  add('no authorization', () => ({ line: LANE_LINE, headers: [['Host', 'x']] }));
  add('empty authorization', () => ({ line: LANE_LINE, headers: [['Host', 'x'], ['Authorization', '']] }));
  add('no headers at all', () => ({ line: LANE_LINE, headers: [] }));
  add('no host', (a) => ({ line: LANE_LINE, headers: [['Authorization', a]] }));
  // Duplicates.
  add('two hosts, same', (a) => lane(a, [['Host', 'x']]));
  add('two hosts, different', (a) => lane(a, [['Host', 'y']]));
  add('two authorizations', (a) => lane(a, [['Authorization', 'other']]));
  add('two authorizations, same', (a) => lane(a, [['Authorization', a]]));
  add('two content-lengths 0', (a) => lane(a, [['Content-Length', '0'], ['Content-Length', '0']]));
  add('two content-lengths 0, 1', (a) => lane(a, [['Content-Length', '0'], ['Content-Length', '1']]) );
  // Line syntax.
  add('obs-fold in another header', (a) => lane(a, ['X-Folded: a', '  b']));
  add('obs-fold in authorization', (a) => ({ line: LANE_LINE, headers: [['Host', 'x'], `Authorization: ${a}`, '\tmore'] }));
  add('obs-fold in host', (a) => ({ line: LANE_LINE, headers: ['Host: x', ' y', ['Authorization', a]] }));
  add('bare LF everywhere', (a) => ({ ...lane(a), eol: '\n' }));
  add('bare LF in one line', (a) => `${LANE_LINE}\r\nHost: x\nAuthorization: ${a}\r\n\r\n`);
  add('bare LF ends the head', (a) => `${LANE_LINE}\r\nHost: x\r\nAuthorization: ${a}\r\n\n`);
  add('bare LF after the request line', (a) => `${LANE_LINE}\nHost: x\r\nAuthorization: ${a}\r\n\r\n`);
  add('CR without LF in a value', (a) => lane(a, ['X-A: a\rb']));
  add('CR without LF in authorization', (a) => lane(`${a}\rx`));
  add('CR without LF ends a line', (a) => `${LANE_LINE}\r\nHost: x\rAuthorization: ${a}\r\n\r\n`);
  add('space before colon', (a) => lane(a, ['X-A : b']));
  add('space before colon in host', (a) => ({ line: LANE_LINE, headers: ['Host : x', ['Authorization', a]] }));
  add('space before colon in authorization', (a) => ({ line: LANE_LINE, headers: [['Host', 'x'], `Authorization : ${a}`] }));
  add('tab before colon', (a) => lane(a, ['X-A\t: b']));
  add('no space after colon', (a) => ({ line: LANE_LINE, headers: ['Host:x', `Authorization:${a}`] }));
  add('tabs around values', (a) => ({ line: LANE_LINE, headers: ['Host:\tx\t', `Authorization:\t${a}\t `] }));
  add('empty header name', (a) => lane(a, [': b']));
  add('line without colon', (a) => lane(a, ['X-A b']));
  add('leading empty line', (a) => `\r\n${render(lane(a))}`);
  // Request lines.
  add('absolute-form target', (a) => lane(a, [], 'POST http://x/v1/queue HTTP/1.1'));
  add('HTTP/1.0', (a) => lane(a, [], 'POST /v1/queue HTTP/1.0'));
  add('HTTP/1.0 keep-alive', (a) => lane(a, [['Connection', 'keep-alive']], 'POST /v1/queue HTTP/1.0'));
  add('HTTP/1.2', (a) => lane(a, [], 'POST /v1/queue HTTP/1.2'));
  add('lowercase method', (a) => lane(a, [], 'post /v1/queue HTTP/1.1'));
  add('lowercase version', (a) => lane(a, [], 'POST /v1/queue http/1.1'));
  add('two spaces in the request line', (a) => lane(a, [], 'POST  /v1/queue HTTP/1.1'));
  add('a query', (a) => lane(a, [], 'POST /v1/queue?x=1 HTTP/1.1'));
  add('a trailing slash', (a) => lane(a, [], 'POST /v1/queue/ HTTP/1.1'));
  add('a longer path', (a) => lane(a, [], 'POST /v1/queuex HTTP/1.1'));
  add('another method', (a) => lane(a, [], 'DELETE /v1/queue HTTP/1.1'));
  add('GET the route', (a) => lane(a, [], 'GET /v1/queue HTTP/1.1'));
  add('another route', (a) => lane(a, [], 'GET /other HTTP/1.1'));
  add('an unknown route', (a) => lane(a, [], 'POST /missing HTTP/1.1'));
  add('a double slash', (a) => lane(a, [], 'POST //v1/queue HTTP/1.1'));
  add('a fragment', (a) => lane(a, [], 'POST /v1/queue#x HTTP/1.1'));
  add('a backslash', (a) => lane(a, [], 'POST /v1\\queue HTTP/1.1'));
  add('a dot segment', (a) => lane(a, [], 'POST /v1/./queue HTTP/1.1'));
  add('an asterisk', (a) => lane(a, [], 'OPTIONS * HTTP/1.1'));
  add('not HTTP at all', () => 'GARBAGE\r\n\r\n');
  // Bodies.
  add('content-length 0', (a) => lane(a, [['Content-Length', '0']]));
  add('content-length 00', (a) => lane(a, [['Content-Length', '00']]));
  add('content-length +0', (a) => lane(a, [['Content-Length', '+0']]));
  add('content-length 0 with spaces', (a) => lane(a, ['Content-Length:  0  ']));
  add('content-length 5 with a body', (a) => ({ ...lane(a, [['Content-Length', '5']]), body: 'hello' }));
  add('content-length -1', (a) => lane(a, [['Content-Length', '-1']]));
  add('content-length x', (a) => lane(a, [['Content-Length', 'x']]));
  add('content-length 0 and chunked', (a) => ({ ...lane(a, [['Content-Length', '0'], ['Transfer-Encoding', 'chunked']]), body: '0\r\n\r\n' }));
  add('chunked', (a) => ({ ...lane(a, [['Transfer-Encoding', 'chunked']]), body: '5\r\nhello\r\n0\r\n\r\n' }));
  add('chunked, empty', (a) => ({ ...lane(a, [['Transfer-Encoding', 'chunked']]), body: '0\r\n\r\n' }));
  add('transfer-encoding identity', (a) => lane(a, [['Transfer-Encoding', 'identity']]));
  add('transfer-encoding gzip, chunked', (a) => ({ ...lane(a, [['Transfer-Encoding', 'gzip, chunked']]), body: '0\r\n\r\n' }));
  // Expectations and upgrades.
  add('expect 100-continue', (a) => lane(a, [['Expect', '100-continue']]));
  add('expect 100-continue with a body', (a) => ({ ...lane(a, [['Expect', '100-continue'], ['Content-Length', '2']]), body: 'hi' }));
  add('expect something else', (a) => lane(a, [['Expect', 'something']]));
  add('upgrade', (a) => lane(a, [['Upgrade', 'websocket']]));
  add('upgrade with connection upgrade', (a) => lane(a, [['Connection', 'Upgrade'], ['Upgrade', 'websocket']]));
  for (const value of ['close', 'keep-alive', 'Keep-Alive', 'KEEP-ALIVE', 'upgrade', 'keep-alive, close', 'close, keep-alive', 'te', '']) {
    add(`connection ${JSON.stringify(value)}`, (a) => lane(a, [['Connection', value]]));
  }
  add('two connection headers', (a) => lane(a, [['Connection', 'keep-alive'], ['Connection', 'keep-alive']]));
  add('proxy-connection close', (a) => lane(a, [['Proxy-Connection', 'close']]));
  add('proxy-connection keep-alive', (a) => lane(a, [['Proxy-Connection', 'keep-alive']]));
  add('keep-alive header', (a) => lane(a, [['Keep-Alive', 'timeout=1']]));
  // Bytes in names and values.
  add('NUL in a name', (a) => lane(a, ['X-\u0000A: b']));
  add('NUL in a value', (a) => lane(a, ['X-A: a\u0000b']));
  add('NUL in authorization', (a) => lane(`${a}\u0000`));
  add('latin1 byte in a name', (a) => lane(a, ['X-\u00e9: b']));
  add('latin1 byte in a value', (a) => lane(a, [['X-A', 'caf\u00e9']]));
  add('UTF-8 bytes in authorization', (a) => lane(`${a} caf\u00c3\u00a9`));
  add('0xff in authorization', (a) => lane(`${a}\u00ff`));
  add('DEL in a value', (a) => lane(a, [['X-A', 'a\u007fb']]));
  add('control byte in a value', (a) => lane(a, [['X-A', 'a\u0001b']]));
  add('control byte in authorization', (a) => lane(`${a}\u001b`));
  add('tab inside a value', (a) => lane(`${a}\tx`));
  add('DEL in a name', (a) => lane(a, ['X-\u007f: b']));
  add('separator in a name', (a) => lane(a, ['X(A): b']));
  add('token chars in a name', (a) => lane(a, ["X!#$%&'*+-.^_`|~9: b"]));
  // Host values: what the Hono adapter takes as is, what it reparses, what it refuses.
  const hosts = [
    'u@evil', 'a b', 'x/y', '[::1', '\u00ff', '', 'X', 'Example.COM', 'x:80', 'x:8080', 'x:65535', 'x:65536', 'x:99999', '[::1]', '[::1]:8080',
    'x:', 'x:abc', 'a.b-c_d', '127.0.0.1:3000', 'ex%61mple', 'x:0', 'x:999', 'x:1000', 'x:59999', 'x:60000', 'x?y', 'x#y', 'x\\y', 'x y',
    '\u00e9', 'localhost', 'x.', '.', '-', '_', 'x:08080', 'x::1', 'xn--nxasmq6b', 'user:pass@x',
  ];
  for (const host of hosts) add(`host ${JSON.stringify(host)}`, (a) => ({ line: LANE_LINE, headers: [['Host', host], ['Authorization', a]] }));
  // Sizes: heads around and past node:http's 16 KiB, and many lines.
  for (const size of [8_000, 16_300, 16_360, 16_384, 16_385, 16_400, 17_000, 20_000]) {
    add(`head of ${size} bytes`, (a) => {
      const head = render(lane(a, [['X-Pad', '']]));
      return render(lane(a, [['X-Pad', 'p'.repeat(Math.max(0, size - head.length))]]));
    });
  }
  add('authorization of 12,000 bytes', (a) => lane(`${a} ${'t'.repeat(12_000)}`));
  for (const lines of [62, 63, 64, 65, 70, 1_100]) {
    add(`${lines} header lines`, (a) => lane(a, Array.from({ length: lines - 2 }, (_, i): Header => [`X-Line-${i}`, 'v'])));
  }
  return v;
}

/** Requests that are not the lane's, to mix into pipelines. */
const OTHERS: readonly [string, string][] = [
  ['GET /other', 'GET /other HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['POST /other with a body', 'POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc'],
  ['GET /missing', 'GET /missing HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['the route with a query', 'POST /v1/queue?q=1 HTTP/1.1\r\nHost: x\r\nAuthorization: sync-query\r\n\r\n'],
  ['the route with Connection: close', 'POST /v1/queue HTTP/1.1\r\nHost: x\r\nAuthorization: sync-cc\r\nConnection: close\r\n\r\n'],
  ['the route with a bad host', 'POST /v1/queue HTTP/1.1\r\nHost: u@evil\r\nAuthorization: sync-badhost\r\n\r\n'],
  ['the route with a body', 'POST /v1/queue HTTP/1.1\r\nHost: x\r\nAuthorization: sync-body\r\nContent-Length: 2\r\n\r\nhi'],
  ['garbage', 'GARBAGE\r\n\r\n'],
  ['an obs-fold', 'POST /v1/queue HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n'],
  ['no host', 'POST /v1/queue HTTP/1.1\r\nAuthorization: sync-nohost\r\n\r\n'],
];

export function buildCorpus(seed = 20_261_130): Case[] {
  // Seeded, so a failing case reproduces.
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const cases: Case[] = [];
  let serial = 0;
  const id = (mode: Mode) => `${mode}-${++serial}`;

  // Every variant with a sync and an async answer; a third of them again with a FIN behind.
  for (const [name, build] of variants(id)) {
    for (const mode of ['sync', 'imm'] as const) {
      cases.push({ name: `${name} (${mode})`, plan: { parts: [build(mode)], fin: false } });
    }
    if (next() < 0.35) {
      const mode = pick(MODES);
      cases.push({ name: `${name} (${mode}), FIN`, plan: { parts: [build(mode)], fin: true } });
    }
  }

  // Every answer mode alone, with and without a FIN, in one write and with the FIN after a pause.
  for (const mode of MODES) {
    const request = render(lane(id(mode)));
    cases.push({ name: `lane ${mode}`, plan: { parts: [request], fin: false } });
    cases.push({ name: `lane ${mode}, FIN`, plan: { parts: [request], fin: true } });
    cases.push({ name: `lane ${mode}, pause, FIN`, plan: { parts: [request, ''], fin: true } });
  }

  // Deeper than the 64 answers the lane keeps pending: it reads the rest once those are written.
  for (const mode of ['late', 'imm'] as const) {
    const requests = Array.from({ length: 70 }, () => render(lane(id(mode)))).join('');
    cases.push({ name: `70 pipelined ${mode} answers`, plan: { parts: [requests], fin: false } });
    cases.push({ name: `70 pipelined ${mode} answers, FIN`, plan: { parts: [requests], fin: true } });
  }

  // Pipelines: lane requests of every mode mixed with requests the lane leaves to node:http.
  for (let i = 0; i < 160; i++) {
    const length = 2 + Math.floor(next() * 4);
    const names: string[] = [];
    let bytes = '';
    for (let j = 0; j < length; j++) {
      if (next() < 0.6) {
        const mode = pick(MODES);
        names.push(`lane ${mode}`);
        bytes += render(lane(id(mode)));
      } else {
        const [name, request] = pick(OTHERS);
        names.push(name);
        bytes += request;
      }
    }
    const split = next() < 0.3;
    const fin = next() < 0.3;
    const at = split ? 1 + Math.floor(next() * (bytes.length - 1)) : bytes.length;
    const parts = split ? [bytes.slice(0, at), bytes.slice(at)] : [bytes];
    cases.push({ name: `pipeline ${names.join(' + ')}${split ? ` split at ${at}` : ''}${fin ? ', FIN' : ''}`, plan: { parts, fin } });
  }

  // The same bytes split at every boundary: two writes with a pause between them.
  const representative: [string, string][] = [
    ['two lane requests (sync, imm)', render(lane('sync-s1')) + render(lane('imm-s2'))],
    ['a lane request then GET /other', render(lane('sync-s3')) + OTHERS[0]![1]],
    ['a late lane request then a closing one', render(lane('late-s4')) + render(lane('close-s5'))],
  ];
  for (const [name, bytes] of representative) {
    for (let at = 1; at < bytes.length; at++) {
      cases.push({ name: `${name} split at ${at}`, plan: { parts: [bytes.slice(0, at), bytes.slice(at)], fin: false } });
    }
  }
  return cases;
}
