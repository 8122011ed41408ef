import { createServer as createHttpServer, Server as HttpServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installLane, type Answer, type HandOffReason } from './fast-lane.ts';
import { serverHasRead } from '../test/wire.ts';
import { startServer, type ServerHandle } from './server.ts';

interface Parsed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Splits raw HTTP/1.1 responses: by content-length, or to the end of the stream. */
function parseResponses(raw: Buffer): Parsed[] {
  const out: Parsed[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error(`truncated head: ${raw.subarray(at).toString()}`);
    const [statusLine, ...lines] = raw.subarray(at, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = headers['content-length'] === undefined ? raw.length - end - 4 : Number(headers['content-length']);
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: raw.subarray(end + 4, end + 4 + length).toString('utf8') });
    at = end + 4 + length;
  }
  return out;
}

/** Writes each part (a pause between parts), then reads until `count` responses or the end. */
async function exchange(port: number, parts: (string | Buffer)[], count: number): Promise<{ responses: Parsed[]; closed: boolean; socket: Socket }> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let closed = false;
  const done = new Promise<void>((resolve) => {
    const check = () => {
      try {
        if (closed || parseResponses(Buffer.concat(chunks)).length >= count) resolve();
      } catch {
        // A head still arriving.
      }
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      check();
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let written = 0;
  for (const [i, part] of parts.entries()) {
    if (i > 0) {
      // Each part a read of its own: the server has read the last one before this is sent.
      await serverHasRead(socket.localPort!, written);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    socket.write(part);
    written += part.length;
  }
  await done;
  return { responses: parseResponses(Buffer.concat(chunks)), closed, socket };
}

const laneRequest = (authorization: string, extra = '') => `POST /v1/queue HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n${extra}\r\n`;

describe('startServer with a fast lane', () => {
  let server: ServerHandle | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server?.close();
    server = undefined;
    vi.restoreAllMocks();
  });

  /** A raw connection to the server under test, closed after the test; paused: reads nothing yet. */
  async function openSocket(options: { paused?: boolean } = {}): Promise<Socket> {
    const socket = connect(server!.port, '127.0.0.1');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    if (options.paused) socket.pause();
    return socket;
  }

  async function serve(options: { keepAliveTimeoutMs?: number; maxConnections?: number } = {}) {
    const laneSaw: (string | undefined)[] = [];
    const appSaw: string[] = [];
    const handOffs: HandOffReason[] = [];
    const laneSockets: Socket[] = [];
    const laneForwarded: (string | undefined)[] = [];
    const app = new Hono()
      .post('/v1/queue', async (c) => {
        appSaw.push(`${c.req.header('authorization')} ${await c.req.text()}`);
        return c.text('from the app');
      })
      .get('/other', (c) => c.text('other'));
    server = await startServer({
      fetch: app.fetch,
      port: 0,
      ...options,
      lane: {
        route: 'POST /v1/queue',
        onHandOff: (reason) => handOffs.push(reason),
        answer(authorization, socket, forwarded): Answer | Promise<Answer> {
          laneSaw.push(authorization);
          laneForwarded.push(forwarded);
          if (socket !== undefined) laneSockets.push(socket);
          if (authorization === 'boom') throw new Error('lane bug');
          if (authorization === 'reject') return Promise.reject(new Error('async lane bug'));
          const body = authorization?.endsWith('big') ? 'b'.repeat(20_000) : `lane ${authorization ?? '-'}`;
          const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
          if (authorization === 'inject') headers['x-note'] = 'a\r\nset-cookie: evil=1';
          if (authorization?.startsWith('close')) headers.Connection = 'close';
          const answer = { status: authorization === 'teapot' ? 418 : 200, headers, body };
          // 'slow…' answers later than requests behind it would.
          const delay = authorization === 'slow-long' ? 400 : authorization?.startsWith('slow') ? 50 : 0;
          if (delay > 0) return new Promise((resolve) => setTimeout(() => resolve(answer), delay));
          return authorization?.startsWith('async') ? Promise.resolve(answer) : answer;
        },
      },
    });
    const port = server.port;
    const talk = async (parts: (string | Buffer)[], count: number) => {
      const result = await exchange(port, parts, count);
      sockets.push(result.socket);
      return result;
    };
    return { laneSaw, appSaw, handOffs, laneSockets, laneForwarded, talk, url: server.url };
  }

  it('answers its route itself, with complete headers, on a connection it keeps', async () => {
    const { laneSaw, appSaw, talk } = await serve();
    const { responses, closed } = await talk([laneRequest('Bearer a'), laneRequest('teapot')], 2);
    expect(closed).toBe(false);
    expect(responses.map((r) => [r.status, r.body])).toEqual([
      [200, 'lane Bearer a'],
      [418, 'lane teapot'],
    ]);
    const [first] = responses;
    expect(first!.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', 'content-length': '13', connection: 'keep-alive', 'keep-alive': 'timeout=5' });
    expect(Date.parse(first!.headers.date!)).toBeGreaterThan(Date.now() - 5_000);
    expect(laneSaw).toEqual(['Bearer a', 'teapot']);
    expect(appSaw).toEqual([]);
  });

  it('takes the requests fetch sends, and passes a missing authorization as undefined', async () => {
    const { laneSaw, url } = await serve();
    const answered = await fetch(`${url}/v1/queue`, { method: 'POST', headers: { authorization: 'Bearer f' } });
    expect(await answered.text()).toBe('lane Bearer f');
    expect(await (await fetch(`${url}/v1/queue`, { method: 'POST' })).text()).toBe('lane -');
    expect(laneSaw).toEqual(['Bearer f', undefined]);
  });

  it('answers pipelined requests in request order, also behind an answer that comes later', async () => {
    const { talk } = await serve();
    const { responses } = await talk([laneRequest('slow-1') + laneRequest('fast-2') + laneRequest('slow-3') + laneRequest('fast-4')], 4);
    expect(responses.map((r) => r.body)).toEqual(['lane slow-1', 'lane fast-2', 'lane slow-3', 'lane fast-4']);
  });

  it('hands the connection to node:http at the first read it does not take whole, with all of that read', async () => {
    const { laneSaw, appSaw, handOffs, talk } = await serve();
    const { responses } = await talk([laneRequest('one'), laneRequest('two') + 'GET /other HTTP/1.1\r\nHost: x\r\n\r\n' + laneRequest('three')], 4);
    expect(responses.map((r) => r.body)).toEqual(['lane one', 'from the app', 'other', 'from the app']);
    // The app answers the rest of that connection's life, the lane's route included.
    expect(laneSaw).toEqual(['one']);
    expect(appSaw).toEqual(['two ', 'three ']);
    expect(handOffs).toEqual(['route']);
  });

  it('leaves a read with a lane request and then garbage to node:http, which refuses it whole', async () => {
    const { laneSaw, talk } = await serve();
    // node:http answers neither: its parser fails on the read before the first answer is out.
    const { responses, closed } = await talk([laneRequest('a') + 'GARBAGE\r\n\r\n'], 2);
    expect(responses.map((r) => r.status)).toEqual([400]);
    expect(closed).toBe(true);
    expect(laneSaw).toEqual([]);
  });

  it('leaves a read that ends inside a second head to node:http, which answers both', async () => {
    const { laneSaw, appSaw, handOffs, talk } = await serve();
    const second = laneRequest('two');
    const { responses } = await talk([laneRequest('one') + second.slice(0, 30), second.slice(30)], 2);
    expect(responses.map((r) => r.body)).toEqual(['from the app', 'from the app']);
    expect(laneSaw).toEqual([]);
    expect(appSaw).toEqual(['one ', 'two ']);
    expect(handOffs).toEqual(['head-split']);
  });

  it('answers a request pending on the lane through node:http when a later read is handed off, without asking again', async () => {
    const { laneSaw, appSaw, talk } = await serve();
    const { responses } = await talk([laneRequest('slow'), 'GET /other HTTP/1.1\r\nHost: x\r\n\r\n' + laneRequest('after')], 3);
    expect(responses.map((r) => r.body)).toEqual(['lane slow', 'other', 'from the app']);
    expect(responses[0]!.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', connection: 'keep-alive' });
    expect(laneSaw).toEqual(['slow']);
    expect(appSaw).toEqual(['after ']);
  });

  it('tells onHandOff why it handed a connection off, once per connection', async () => {
    const { handOffs, talk } = await serve();
    const cases: [string | string[], HandOffReason][] = [
      ['GET /other HTTP/1.1\r\nHost: x\r\n\r\n', 'route'],
      [[laneRequest('a').slice(0, 30), laneRequest('a').slice(30)], 'head-split'],
      [laneRequest('a', `X-Pad: ${'p'.repeat(17_000)}\r\n`), 'head-size'],
      [laneRequest('a', 'X-Line: v\r\n'.repeat(70)), 'header-count'],
      [laneRequest('a', 'X-Fold: a\r\n b\r\n'), 'header-syntax'],
      [laneRequest('a', 'Host: y\r\n'), 'host'],
      [laneRequest('a', 'Authorization: b\r\n'), 'authorization'],
      [laneRequest('a', 'Content-Length: 1\r\n') + 'x', 'body'],
      [laneRequest('a', 'Connection: close\r\n'), 'connection'],
      [laneRequest('a', 'Expect: 100-continue\r\n'), 'expect'],
      [laneRequest('a', 'Origin: https://game.example\r\n'), 'origin'],
    ];
    for (const [request, reason] of cases) {
      await talk(typeof request === 'string' ? [request] : request, 1);
      expect(handOffs.at(-1)).toBe(reason);
    }
    expect(handOffs).toHaveLength(cases.length);
  });

  it('passes X-Forwarded-For to answer, repeated headers joined as node:http joins them', async () => {
    const { laneForwarded, talk } = await serve();
    await talk([laneRequest('a') + laneRequest('b', 'X-Forwarded-For: 6.6.6.6\r\nx-forwarded-for:  203.0.113.7 \r\n')], 2);
    expect(laneForwarded).toEqual([undefined, '6.6.6.6, 203.0.113.7']);
  });

  it('passes the connection\'s socket to answer, the same one for each request on it', async () => {
    const { laneSockets, talk } = await serve();
    const { socket } = await talk([laneRequest('a') + laneRequest('b')], 2);
    expect(laneSockets).toHaveLength(2);
    expect(laneSockets[0]).toBe(laneSockets[1]);
    expect(laneSockets[0]!.remoteAddress).toBe('127.0.0.1');
    expect(laneSockets[0]!.remotePort).toBe(socket.localPort);
  });

  it('ends the connection after an answer with Connection: close, without keep-alive headers, as node:http does', async () => {
    const { laneSaw, talk } = await serve();
    for (const closing of ['close', 'close-slow']) {
      laneSaw.length = 0;
      const { responses, closed } = await talk([laneRequest('a') + laneRequest(closing) + laneRequest('after')], 3);
      expect(closed).toBe(true);
      expect(responses.map((r) => r.body)).toEqual(['lane a', `lane ${closing}`]);
      expect(responses[1]!.headers.connection).toBe('close');
      expect(responses[1]!.headers['keep-alive']).toBeUndefined();
    }
  });

  it.each([
    ['a body', laneRequest('b', 'Content-Length: 5\r\n') + 'hello', 200, 'from the app'],
    ['a chunked body', laneRequest('b', 'Transfer-Encoding: chunked\r\n') + '5\r\nhello\r\n0\r\n\r\n', 200, 'from the app'],
    ['a query', 'POST /v1/queue?x=1 HTTP/1.1\r\nHost: x\r\nAuthorization: b\r\n\r\n', 200, 'from the app'],
    ['HTTP/1.0', 'POST /v1/queue HTTP/1.0\r\nHost: x\r\nAuthorization: b\r\n\r\n', 200, 'from the app'],
    ['two authorizations', laneRequest('b', 'Authorization: c\r\n'), 200, 'from the app'],
    ['Connection: close', laneRequest('b', 'Connection: close\r\n'), 200, 'from the app'],
    ['Proxy-Connection: close', laneRequest('b', 'Proxy-Connection: close\r\n'), 200, 'from the app'],
    // node:http's own refusals; their bodies are its business.
    ['no Host', 'POST /v1/queue HTTP/1.1\r\nAuthorization: b\r\n\r\n', 400, expect.any(String)],
    ['a folded header', laneRequest('b', 'X-Folded: a\r\n  b\r\n'), 400, expect.any(String)],
    ['a bare LF', laneRequest('b', 'X-Bare: a\nb\r\n'), 400, expect.any(String)],
    ['a bare CR', laneRequest('b', 'X-Bare: a\rb\r\n'), 400, expect.any(String)],
    ['a space before the colon', laneRequest('b', 'X-Space : a\r\n'), 400, expect.any(String)],
    ['two Content-Lengths', laneRequest('b', 'Content-Length: 0\r\nContent-Length: 0\r\n'), 400, expect.any(String)],
    ['both Content-Length and Transfer-Encoding', laneRequest('b', 'Content-Length: 0\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\nGET /other HTTP/1.1\r\nHost: x\r\n\r\n', 400, expect.any(String)],
    // Hosts the Hono adapter refuses (400) or reads again with URL; the lane takes only plain ones.
    ...['u@evil', 'a b', 'x/y', '[::1', '\u00ff'].map((host) => [`Host ${JSON.stringify(host)}`, `POST /v1/queue HTTP/1.1\r\nHost: ${host}\r\nAuthorization: b\r\n\r\n`, 400, expect.any(String)]),
    ['an uppercase Host', 'POST /v1/queue HTTP/1.1\r\nHost: X\r\nAuthorization: b\r\n\r\n', 200, 'from the app'],
    ['70 header lines', laneRequest('b', 'X-Line: v\r\n'.repeat(70)), 200, 'from the app'],
    ['1,100 header lines', laneRequest('b', 'X-Line: v\r\n'.repeat(1_100)), expect.any(Number), expect.any(String)],
  ] as [string, string, unknown, unknown][])('leaves a request with %s to node:http', async (_, request, status, body) => {
    const { laneSaw, talk } = await serve();
    const { responses } = await talk([Buffer.from(request, 'latin1')], 1);
    expect(laneSaw).toEqual([]);
    expect(responses.map((r) => [r.status, r.body])).toEqual([[status, body]]);
  });

  it('leaves a head split over two reads to node:http, which answers it whole', async () => {
    const { laneSaw, appSaw, talk } = await serve();
    const request = laneRequest('Bearer split');
    const { responses } = await talk([request.slice(0, 20), request.slice(20)], 1);
    expect(responses.map((r) => r.body)).toEqual(['from the app']);
    expect(laneSaw).toEqual([]);
    expect(appSaw).toEqual(['Bearer split ']);
  });

  it('counts content-length in bytes', async () => {
    const { talk } = await serve();
    const { responses } = await talk([laneRequest('Bearer é✓')], 1);
    // The header arrives as latin1 bytes; what matters is that the length matches the body sent.
    expect(Buffer.byteLength(responses[0]!.body)).toBe(Number(responses[0]!.headers['content-length']));
  });

  it('turns a throw or a rejection into a 500 problem and keeps serving the connection', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { talk } = await serve();
    const { responses } = await talk([laneRequest('boom') + laneRequest('reject') + laneRequest('after')], 3);
    expect(responses.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(responses[0]!.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(responses[1]!.body)).toMatchObject({ status: 500, code: 'internal' });
    expect(responses[2]!.body).toBe('lane after');
    expect(logged).toHaveBeenCalledTimes(2);
    // Logged here, never sent.
    expect(responses.map((r) => r.body).join()).not.toContain('lane bug');
  });

  it('closes a lane connection left idle past the keep-alive timeout', async () => {
    const { talk } = await serve({ keepAliveTimeoutMs: 200 });
    const { responses, socket } = await talk([laneRequest('Bearer a')], 1);
    expect(responses).toHaveLength(1);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(socket.destroyed).toBe(true);
  });

  it('stops promptly with an idle lane connection open, and lets an answer in flight finish first', async () => {
    const { talk } = await serve({ keepAliveTimeoutMs: 60_000 });
    const idle = await talk([laneRequest('Bearer a')], 1);
    const busy = exchange(server!.port, [laneRequest('slow')], 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const closed = server!.close();
    server = undefined;
    await closed;
    expect(idle.socket.destroyed || idle.closed).toBe(true);
    const { responses } = await busy;
    sockets.push((await busy).socket);
    expect(responses.map((r) => [r.body, r.headers.connection])).toEqual([['lane slow', 'close']]);
  });

  it('on a FIN, ends the connection at once and drops answers still pending, as node:http does', async () => {
    const { laneSaw } = await serve({ keepAliveTimeoutMs: 60_000 });
    // httpAllowHalfOpen is off: node:http ends a half-closed connection without waiting for its handlers.
    // Each case's parts are written 10 ms apart, the FIN with the last.
    const cases: [string[], string[]][] = [
      [[laneRequest('a')], ['lane a']],
      [[laneRequest('slow')], []],
      [[laneRequest('a') + laneRequest('slow') + laneRequest('b')], ['lane a']],
      // Handed off with the slow answer pending: node:http ends the connection before it comes.
      [[laneRequest('slow'), 'GET /other HTTP/1.1\r\nHost: x\r\n\r\n'], []],
    ];
    for (const [parts, bodies] of cases) {
      const socket = await openSocket();
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      const started = performance.now();
      for (const part of parts.slice(0, -1)) {
        socket.write(part);
        await serverHasRead(socket.localPort!, part.length);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      socket.end(parts.at(-1)!);
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(parseResponses(Buffer.concat(received)).map((r) => r.body)).toEqual(bodies);
    }
    // The slow answers were asked for, and dropped when they came.
    expect(laneSaw).toEqual(['a', 'slow', 'a', 'slow', 'b', 'slow']);
  });

  it('does not time out a connection while its answer is pending', async () => {
    const { talk } = await serve({ keepAliveTimeoutMs: 200 });
    const { responses } = await talk([laneRequest('slow-long')], 1);
    expect(responses.map((r) => r.body)).toEqual(['lane slow-long']);
  });

  it('answers a client that does not read, once it reads, in order and without losing its connection', async () => {
    const { talk } = await serve();
    const socket = await openSocket({ paused: true });
    socket.write(Array.from({ length: 300 }, () => laneRequest('big')).join('') + laneRequest('last'));
    // Six megabytes of answers against a client that is not reading: the server has to wait.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received: Buffer[] = [];
    const all = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (Buffer.concat(received).toString('latin1').endsWith('lane last')) resolve();
      }),
    );
    socket.resume();
    await all;
    const responses = parseResponses(Buffer.concat(received));
    expect(responses).toHaveLength(301);
    expect(responses.slice(0, 300).every((r) => r.body.length === 20_000)).toBe(true);
    // Still reading after the drain.
    expect((await talk([laneRequest('again')], 1)).responses[0]!.body).toBe('lane again');
    socket.write(laneRequest('again'));
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  });

  it('refuses to write a header value that would write another header', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { talk } = await serve();
    const { responses } = await talk([laneRequest('inject')], 1);
    expect(responses[0]!.status).toBe(500);
    expect(responses[0]!.headers['set-cookie']).toBeUndefined();
  });

  it('parses a hostile head in linear time: long runs of spaces cannot stall the event loop', async () => {
    const { talk } = await serve();
    // With a backtracking header pattern each of these took over 100 ms of one core.
    const spaces = ' '.repeat(16_000);
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      await talk([laneRequest('a', `X-Pad: a${spaces}b\r\n`)], 1);
      await talk([laneRequest('a', `X-Pad:${spaces}\u0001\r\n`)], 1);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('stops promptly with requests pipelined behind an answer in flight', async () => {
    await serve({ keepAliveTimeoutMs: 60_000 });
    const socket = await openSocket();
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closedSocket = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(laneRequest('slow-long'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    socket.write(laneRequest('behind'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const stopping = server!.close();
    server = undefined;
    await stopping;
    await closedSocket;
    expect(parseResponses(Buffer.concat(received)).map((r) => [r.body, r.headers.connection])).toEqual([['lane slow-long', 'close']]);
  });

  it('cuts off a client with more than 32 unanswered requests, as startServer does on node:http', async () => {
    const { laneSaw, handOffs, talk } = await serve();
    const requests = Array.from({ length: 200 }, (_, i) => laneRequest(`async-${i}`)).join('');
    const { responses, closed } = await talk([requests], 200);
    // No client that reads its answers has that many outstanding; one that does not would
    // otherwise make the server hold them all.
    expect(closed).toBe(true);
    expect(responses).toEqual([]);
    expect(laneSaw).toHaveLength(33);
    expect(handOffs).toEqual([]);
  });

  it('stops reading from a client that does not read, and answers the rest once it does', async () => {
    const { laneSaw } = await serve();
    const socket = await openSocket({ paused: true });
    // 128-byte requests in 32 KiB writes, so no read splits a head (which would hand off).
    const one = laneRequest('sync-big', 'X-Pad: ');
    const request = laneRequest('sync-big', `X-Pad: ${'p'.repeat(126 - one.length)}\r\n`);
    expect(request).toHaveLength(128);
    for (let i = 0; i < 8; i++) socket.write(request.repeat(256));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // 2,048 answers of 20 KB would be 40 MB; the lane stops at what the socket can hold.
    expect(laneSaw.length).toBeLessThan(1_000);
    const received: Buffer[] = [];
    let bytes = 0;
    const all = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        bytes += chunk.length;
        if (bytes >= 2_048 * 20_000) resolve();
      }),
    );
    socket.resume();
    await all;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(parseResponses(Buffer.concat(received))).toHaveLength(2_048);
  });

  it('delivers every answer it made to a half-closed connection when stopped, the last with Connection: close', async () => {
    const { laneSaw } = await serve({ keepAliveTimeoutMs: 60_000 });
    const socket = await openSocket({ paused: true });
    // Eight megabytes of answers: more than the kernel buffers hold for a client not reading.
    socket.end(laneRequest('big').repeat(400));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = server!.close();
    server = undefined;
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume();
    await closed;
    await stopping;
    const responses = parseResponses(Buffer.concat(received));
    // The lane stops making answers at a full buffer; those it made all arrive, whole.
    expect(responses.length).toBeGreaterThan(0);
    expect(responses).toHaveLength(laneSaw.length);
    expect(responses.every((r) => r.body.length === 20_000)).toBe(true);
    expect(responses.at(-1)!.headers.connection).toBe('close');
  });

  it('lets a stop finish when the last answer came later and the client does not read', async () => {
    await serve({ keepAliveTimeoutMs: 300 });
    const socket = await openSocket({ paused: true });
    socket.write(laneRequest('big').repeat(300) + laneRequest('slow-big'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = server!.close();
    server = undefined;
    // The unread answers cannot be delivered; the keep-alive clock ends the connection.
    await stopping;
    expect(socket.destroyed || socket.readableEnded || socket.listenerCount('data') === 0).toBe(true);
  });

  it.each(['big', 'async-big'])('holds at most a write buffer and one answer for a client that pipelines (%s) and never reads', async (kind) => {
    const { laneSaw, laneSockets, handOffs } = await serve();
    const socket = await openSocket({ paused: true });
    // 128-byte requests in 32 KiB writes, so no read splits a head (which would hand off).
    const one = laneRequest(kind, 'X-Pad: ');
    const request = laneRequest(kind, `X-Pad: ${'p'.repeat(126 - one.length)}\r\n`);
    expect(request).toHaveLength(128);
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, laneSockets[0]?.writableLength ?? 0)), 1);
    // 80 MB of answers asked for, far past what the kernel's buffers take.
    for (let i = 0; i < 16; i++) {
      socket.write(request.repeat(256));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    clearInterval(watch);
    const serverSide = laneSockets[0]!;
    const asked = laneSaw.length;
    expect(handOffs).toEqual([]);
    // The bound installLane documents: the socket's high-water mark and one answer.
    const bound = serverSide.writableHighWaterMark + 20_200;
    expect(Math.max(peak, serverSide.writableLength)).toBeLessThanOrEqual(bound);
    expect(asked).toBeLessThan(16 * 256);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(laneSaw).toHaveLength(asked);
  });

  it('closes connections past maxConnections at once, and keeps serving the others', async () => {
    const { talk } = await serve({ maxConnections: 2, keepAliveTimeoutMs: 60_000 });
    const first = await openSocket();
    await openSocket();
    const third = await openSocket();
    const started = performance.now();
    await new Promise<void>((resolve) => third.once('close', () => resolve()));
    expect(performance.now() - started).toBeLessThan(1_000);
    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await talk([laneRequest('again')], 1)).responses[0]!.body).toBe('lane again');
  });

  it('leaves node:http to notice at once that a client of a handed-off stream went away', async () => {
    let aborted: () => void = () => {};
    const gone = new Promise<void>((resolve) => (aborted = resolve));
    const app = new Hono().get('/events', (c) =>
      streamSSE(c, async (stream) => {
        stream.onAbort(aborted);
        await stream.writeSSE({ event: 'ping', data: '{}' });
        // No more writes: only the client's FIN can tell the stream it is gone.
        await gone;
      }),
    );
    server = await startServer({ fetch: app.fetch, port: 0, lane: { route: 'POST /v1/queue', answer: () => ({ status: 200, headers: {}, body: '' }) } });
    const socket = await openSocket();
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.end();
    await gone;
  });
});

describe('installLane', () => {
  const lane = { route: 'POST /v1/queue', answer: (): Answer => ({ status: 200, headers: {}, body: '' }) };
  const limits = { maxHeaderBytes: 16_384, keepAliveTimeoutMs: 5_000, headersTimeoutMs: 5_000 };

  it.each([
    ['an https server', () => createHttpsServer(() => {})],
    ['an http2 server', () => createHttp2Server(() => {})],
    ['a subclass of the node:http server', () => new (class extends HttpServer {})(() => {})],
    ['a net server', () => createNetServer(() => {})],
  ] as [string, () => NetServer][])('refuses %s: it replaces node:http internals those do not have', (_, create) => {
    expect(() => installLane(create() as HttpServer, lane, limits)).toThrow(TypeError);
  });

  it.each(['post /v1/queue', 'POST /v1/queue?x=1', 'POST /v1/../queue', 'POST v1/queue', 'POST /v1/Queue'])('refuses the route %j: the lane compares it byte for byte', (route) => {
    expect(() => installLane(createHttpServer(() => {}), { ...lane, route }, limits)).toThrow(TypeError);
  });

  it('refuses a node:http server with listeners of its own, and takes a plain one', () => {
    const extra = createHttpServer(() => {});
    extra.on('connection', () => {});
    expect(() => installLane(extra, lane, limits)).toThrow(TypeError);
    expect(() => installLane(createHttpServer(() => {}), lane, limits)).not.toThrow();
  });
});
