// One hot request answered on the raw socket, every other request left to node:http.
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorAnswer } from './errors.ts';

/** A whole answer, serialized the same way by the lane and by a Hono route. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface FastLane {
  /** The request line it answers, without the version: `POST /v1/queue`. */
  readonly route: string;
  /** Must not throw: refusals are answers too. Promises are answered in request order. */
  answer(authorization: string | undefined): Answer | Promise<Answer>;
}

export interface LaneLimits {
  readonly maxHeaderBytes: number;
  /** Between requests, as node:http's keepAliveTimeout; 0 sends no Keep-Alive header. */
  readonly keepAliveTimeoutMs: number;
  /** For idle connections instead, when keep-alive is 0 (node:http would then keep them open). */
  readonly headersTimeoutMs: number;
}

// RFC 9110: a field name is a token; a value is tabs, visible ASCII and obs-text.
const TOKEN_CHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const VALUE_CHARS = '\\t\\x20-\\x7e\\x80-\\xff';
// A header line with no obs-fold and no control bytes in the value. One greedy class per
// part and a literal after each, so a hostile line costs linear time.
const HEADER_LINE = new RegExp(`(${TOKEN_CHAR}+):([${VALUE_CHARS}]*)\\r\\n`, 'y');
const TOKEN = new RegExp(`^${TOKEN_CHAR}+$`);
const UNSAFE_VALUE = new RegExp(`[^${VALUE_CHARS}]`);

/**
 * Takes over a server's connections and answers `lane.route` itself, without an
 * IncomingMessage, a ServerResponse, or a fetch Request and Response: for a request
 * that is nearly all the traffic, those cost more than the work behind it.
 *
 * The lane only answers what it fully understands: complete, body-less HTTP/1.1
 * requests for its route with plain headers. The first request that is anything else
 * (another route, a body, an odd header, a head split over reads) hands the connection,
 * with its unread bytes, to node:http for the rest of its life, so every edge of the
 * protocol is still node:http's.
 */
export function installLane(server: Server, lane: FastLane, limits: LaneLimits): { closeIdle(): void } {
  const listeners = server.rawListeners('connection') as ((socket: Socket) => void)[];
  if (listeners.length !== 1) throw new TypeError('expected one connection listener (node:http)');
  const httpConnection = listeners[0]!;
  server.removeListener('connection', httpConnection);
  const requestLine = Buffer.from(`${lane.route} HTTP/1.1\r\n`, 'latin1');
  const keepAlive = `Connection: keep-alive\r\n${limits.keepAliveTimeoutMs > 0 ? `Keep-Alive: timeout=${Math.floor(limits.keepAliveTimeoutMs / 1000)}\r\n` : ''}`;
  const idleTimeoutMs = limits.keepAliveTimeoutMs > 0 ? limits.keepAliveTimeoutMs : limits.headersTimeoutMs;
  // Lane connections with no answer pending: the ones a stop may end at once.
  const idle = new Map<Socket, () => void>();
  let closing = false;
  let dateSecond = 0;
  let dateHeader = '';

  function serialize(answer: Answer): string {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== dateSecond) {
      dateSecond = second;
      dateHeader = `Date: ${new Date(now).toUTCString()}\r\n`;
    }
    const status = answer.status;
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`status ${status}`);
    let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    for (const name in answer.headers) {
      const value = answer.headers[name]!;
      // As ServerResponse checks: a header must not write another, or bytes a client cannot read.
      if (!TOKEN.test(name) || UNSAFE_VALUE.test(value)) throw new TypeError(`header ${JSON.stringify(name)} is not writable`);
      text += `${name}: ${value}\r\n`;
    }
    const body = answer.body;
    return `${text}content-length: ${Buffer.byteLength(body)}\r\n${dateHeader}${closing ? 'Connection: close\r\n' : keepAlive}\r\n${body}`;
  }

  /** The bytes of an answer, or of a 500 problem when the answer itself is broken. */
  function render(answer: Answer): string {
    try {
      return serialize(answer);
    } catch (error) {
      return serialize(internalError(error));
    }
  }

  server.on('connection', (socket: Socket) => {
    if (closing) {
      httpConnection.call(server, socket);
      return;
    }
    let pending = false;
    let ended = false;
    const stop = () => finish('');
    idle.set(socket, stop);
    const onError = () => socket.destroy();
    const onTimeout = () => socket.destroy();
    const onClose = () => idle.delete(socket);
    // node:http servers allow half-open sockets: a client's FIN is ours to answer.
    const onEnd = () => {
      ended = true;
      if (pending) return;
      idle.delete(socket);
      socket.end();
    };
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('end', onEnd);
    socket.on('timeout', onTimeout);
    socket.setTimeout(idleTimeoutMs);
    socket.on('data', onData);

    function handOff(rest: Buffer): void {
      idle.delete(socket);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.removeListener('end', onEnd);
      socket.removeListener('timeout', onTimeout);
      socket.removeListener('drain', onDrain);
      socket.setTimeout(0);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      // If the client's FIN came with these bytes, node:http gets its 'end' right after them
      // and, as it does for any half-close (httpAllowHalfOpen is off: an SSE client that goes
      // away must be noticed at once), aborts a request its handler has not answered yet.
      httpConnection.call(server, socket);
      socket.resume();
    }

    function onDrain(): void {
      socket.resume();
    }

    /**
     * Answers the complete requests in `chunk`. An answer still pending pauses the socket
     * with the rest of the chunk put back in front of its buffer: later requests wait for
     * it, so answers leave in request order, and the client's FIN stays behind them.
     */
    function onData(chunk: Buffer): void {
      let at = 0;
      let out = '';
      while (at < chunk.length) {
        const end = chunk.indexOf('\r\n\r\n', at, 'latin1');
        if (end < 0) break;
        const authorization = laneRequest(chunk, at, end);
        if (authorization === false) break;
        at = end + 4;
        let answer: Answer | Promise<Answer>;
        try {
          answer = lane.answer(authorization);
        } catch (error) {
          answer = internalError(error);
        }
        if (answer instanceof Promise) {
          if (out !== '') socket.write(out);
          socket.pause();
          if (at < chunk.length) socket.unshift(chunk.subarray(at));
          wait(answer);
          return;
        }
        out += render(answer);
        if (closing) return finish(out);
      }
      if (out !== '') socket.write(out);
      if (at < chunk.length) handOff(at === 0 ? chunk : chunk.subarray(at));
      else if (socket.writableNeedDrain) {
        // A client that sends without reading must not grow our write buffer without bound.
        socket.pause();
        socket.once('drain', onDrain);
      }
    }

    function wait(answer: Promise<Answer>): void {
      pending = true;
      idle.delete(socket);
      // The keep-alive clock is for idle connections, not for one waiting on us.
      socket.setTimeout(0);
      answer
        .catch(internalError)
        .then((settled) => {
          pending = false;
          if (socket.destroyed) return;
          const out = render(settled);
          // Back on the clock: a last answer to a client that does not read must not hold a stop.
          socket.setTimeout(idleTimeoutMs);
          if (closing || ended) return finish(out);
          socket.write(out);
          idle.set(socket, stop);
          if (socket.writableNeedDrain) socket.once('drain', onDrain);
          else socket.resume();
        })
        .catch(() => socket.destroy());
    }

    /** The last answer on this connection: written, then the socket closes once it is sent. */
    function finish(out: string): void {
      idle.delete(socket);
      socket.removeListener('data', onData);
      if (socket.writableEnded) return;
      socket.end(out);
      socket.destroySoon();
    }

    /** The authorization header (or undefined) of a lane request, false for anything else. */
    function laneRequest(chunk: Buffer, at: number, end: number): string | undefined | false {
      if (end - at > limits.maxHeaderBytes || end + 2 < at + requestLine.length) return false;
      if (chunk.compare(requestLine, 0, requestLine.length, at, at + requestLine.length) !== 0) return false;
      const text = chunk.toString('latin1', at + requestLine.length, end + 2);
      let authorization: string | undefined;
      let host = false;
      let contentLength = false;
      HEADER_LINE.lastIndex = 0;
      while (HEADER_LINE.lastIndex < text.length) {
        const line = HEADER_LINE.exec(text);
        if (line === null) return false;
        const name = line[1]!.toLowerCase();
        const value = trimWhitespace(line[2]!);
        switch (name) {
          case 'authorization':
            if (authorization !== undefined) return false;
            authorization = value;
            break;
          case 'host':
            if (host) return false;
            host = true;
            break;
          case 'content-length':
            // llhttp refuses a repeated one; so does the lane, by leaving it to llhttp.
            if (value !== '0' || contentLength) return false;
            contentLength = true;
            break;
          case 'connection':
          case 'proxy-connection':
            if (value.toLowerCase() !== 'keep-alive') return false;
            break;
          case 'transfer-encoding':
          case 'expect':
          case 'upgrade':
            return false;
        }
      }
      return host ? authorization : false;
    }
  });

  return {
    /** After the server stopped listening: ends lane connections not waiting on an answer. */
    closeIdle() {
      closing = true;
      // Answers already written still go out; connections waiting on one end after it.
      for (const stop of [...idle.values()]) stop();
      idle.clear();
    },
  };
}

/** Optional whitespace around a field value: spaces and tabs only, as RFC 9110 (not String#trim). */
function trimWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function internalError(error: unknown): Answer {
  return errorAnswer(error, (e) => {
    try {
      console.error('fast lane answer failed:', e);
    } catch {
      // An error that cannot even be printed still gets its 500.
    }
  });
}
