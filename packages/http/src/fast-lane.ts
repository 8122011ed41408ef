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
  readonly keepAliveTimeoutMs: number;
}

// A header line as RFC 9110 spells it, with no obs-fold and no control bytes in the value.
const HEADER_LINE = /([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*\r\n/y;

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
  const keepAlive = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(limits.keepAliveTimeoutMs / 1000)}\r\n`;
  const idle = new Set<Socket>();
  let closing = false;
  let dateSecond = 0;
  let dateHeader = '';

  function head(answer: Answer, bodyBytes: number): string {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== dateSecond) {
      dateSecond = second;
      dateHeader = `Date: ${new Date(now).toUTCString()}\r\n`;
    }
    let text = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Unknown'}\r\n`;
    for (const name in answer.headers) text += `${name}: ${answer.headers[name]}\r\n`;
    return `${text}content-length: ${bodyBytes}\r\n${dateHeader}${closing ? 'Connection: close\r\n' : keepAlive}\r\n`;
  }

  function serialize(answer: Answer): string {
    return head(answer, Buffer.byteLength(answer.body)) + answer.body;
  }

  server.on('connection', (socket: Socket) => {
    if (closing) {
      httpConnection.call(server, socket);
      return;
    }
    idle.add(socket);
    const onError = () => socket.destroy();
    const onTimeout = () => socket.destroy();
    const onClose = () => idle.delete(socket);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.setTimeout(limits.keepAliveTimeoutMs, onTimeout);
    socket.on('data', onData);

    function handOff(rest: Buffer): void {
      idle.delete(socket);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.removeListener('timeout', onTimeout);
      socket.removeListener('drain', onDrain);
      socket.setTimeout(0);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      httpConnection.call(server, socket);
      socket.resume();
    }

    function onData(chunk: Buffer): void {
      if (serve(chunk, 0) === 'paused') socket.pause();
    }

    function onDrain(): void {
      socket.resume();
    }

    /**
     * Answers the complete requests in `chunk` from `at`. Says 'paused' when the socket must
     * stay paused: an answer is pending (later requests wait for it, so answers leave in
     * request order), or the client sends without reading and our write buffer is full.
     */
    function serve(chunk: Buffer, at: number): 'paused' | 'reading' | 'gone' {
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
          idle.delete(socket);
          void answer.catch(internalError).then((settled) => {
            if (socket.destroyed) return;
            socket.write(serialize(settled));
            if (closing) return void socket.end();
            idle.add(socket);
            if (serve(chunk, at) === 'reading') socket.resume();
          });
          return 'paused';
        }
        out += serialize(answer);
        if (closing) {
          socket.end(out);
          return 'gone';
        }
      }
      if (out !== '') socket.write(out);
      if (at < chunk.length) {
        handOff(at === 0 ? chunk : chunk.subarray(at));
        return 'gone';
      }
      if (!socket.writableNeedDrain) return 'reading';
      socket.once('drain', onDrain);
      return 'paused';
    }

    /** The authorization header (or undefined) of a lane request, false for anything else. */
    function laneRequest(chunk: Buffer, at: number, end: number): string | undefined | false {
      if (end - at > limits.maxHeaderBytes || end + 2 < at + requestLine.length) return false;
      if (chunk.compare(requestLine, 0, requestLine.length, at, at + requestLine.length) !== 0) return false;
      const text = chunk.toString('latin1', at + requestLine.length, end + 2);
      let authorization: string | undefined;
      let host = false;
      HEADER_LINE.lastIndex = 0;
      while (HEADER_LINE.lastIndex < text.length) {
        const line = HEADER_LINE.exec(text);
        if (line === null) return false;
        const name = line[1]!.toLowerCase();
        const value = line[2]!;
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
            if (value !== '0') return false;
            break;
          case 'connection':
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
      for (const socket of idle) socket.destroy();
      idle.clear();
    },
  };
}

function internalError(error: unknown): Answer {
  return errorAnswer(error, (e) => console.error('fast lane answer failed:', e));
}
