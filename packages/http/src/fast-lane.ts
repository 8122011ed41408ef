// One hot request answered on the raw socket, every other request left to node:http.
import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ReadParser, type HandOffReason } from './lane-read.ts';
import { AnswerWriter, internalError, respond, type Answer } from './lane-write.ts';

export type { HandOffReason } from './lane-read.ts';
export type { Answer } from './lane-write.ts';

export interface FastLane {
  /** The request line it answers, without the version: `POST /v1/queue`. */
  readonly route: string;
  /**
   * Must not throw: refusals are answers too. Pipelined requests are answered in request order.
   * The lane always passes the connection's socket; a Hono route has the same one in
   * `c.env.incoming.socket`. An answer with a `connection: close` header is the connection's
   * last, as node:http makes it. `forwarded` is the request's X-Forwarded-For, for a service
   * behind a proxy (see clientAddress).
   */
  answer(authorization: string | undefined, socket?: Socket, forwarded?: string): Answer | Promise<Answer>;
  /** Once for each connection the lane gives to node:http, with why (for metrics). */
  onHandOff?(reason: HandOffReason): void;
}

export interface LaneLimits {
  readonly maxHeaderBytes: number;
  /** Between requests, as node:http's keepAliveTimeout; 0 sends no Keep-Alive header. */
  readonly keepAliveTimeoutMs: number;
  /** For idle connections instead, when keep-alive is 0 (node:http would then keep them open). */
  readonly headersTimeoutMs: number;
}

/**
 * Requests a connection may have unanswered, on the lane and in node:http (startServer cuts
 * those off the same way): no client that reads its answers has more, and one that stops
 * reading would otherwise make node:http hold every request it sends.
 */
export const MAX_UNANSWERED = 32;

// A method and a path @hono/node-server uses as they are (no query, dot segment or escape).
const LANE_ROUTE = /^[A-Z]+ \/(?:[a-z0-9_~-]+\/)*[a-z0-9_~-]*$/;

/**
 * Takes over a server's connections and answers `lane.route` itself, without an
 * IncomingMessage, a ServerResponse, or a fetch Request and Response: for a request
 * that is nearly all the traffic, those cost more than the work behind it.
 *
 * The lane decides per read: it answers a read only if it is whole lane requests
 * (complete, body-less HTTP/1.1 requests for its route with plain headers and a Host the
 * app takes as it is). The first read that is anything else goes to node:http, with the
 * requests whose answers are still pending in front of it, for the rest of the connection's
 * life; node:http reads those again and the lane's answers become its responses. So every
 * edge of the protocol, and what a client can see, is node:http's.
 *
 * A client that sends without reading costs the lane at most the socket's write high-water
 * mark (16 KiB on Node 20, 64 KiB from Node 22) plus one answer in the write buffer, and at
 * most MAX_UNANSWERED pending answers (one more cuts the connection off): then it reads no
 * more until the client does. After a hand-off node:http's own bound applies (it stops
 * reading once responses queue past the high-water mark, after the read it is parsing).
 */
export function installLane(server: Server, lane: FastLane, limits: LaneLimits): { closeIdle(): void } {
  if (!(server instanceof Server) || Object.getPrototypeOf(server) !== Server.prototype) {
    throw new TypeError(`installLane takes a node:http Server, not ${server?.constructor?.name ?? typeof server} (https, http2 and subclasses differ in the internals it replaces)`);
  }
  if (!LANE_ROUTE.test(lane.route)) throw new TypeError(`lane route ${JSON.stringify(lane.route)} is not a method and a plain path the Hono adapter takes as it is`);
  const connectionListeners = server.rawListeners('connection') as ((socket: Socket) => void)[];
  const requestListeners = server.rawListeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (connectionListeners.length !== 1 || requestListeners.length !== 1) {
    throw new TypeError('installLane expects a server with only node:http connection and request listeners');
  }
  const appRequest = requestListeners[0]!;
  server.removeListener('connection', connectionListeners[0]!);
  server.removeListener('request', appRequest);
  const keepAlive = limits.keepAliveTimeoutMs;
  const shared: LaneServer = {
    server,
    lane,
    httpConnection: connectionListeners[0]!,
    reads: new ReadParser(Buffer.from(`${lane.route} HTTP/1.1\r\n`, 'latin1'), limits.maxHeaderBytes),
    writer: new AnswerWriter(keepAlive > 0 ? `Keep-Alive: timeout=${Math.floor(keepAlive / 1000)}\r\n` : ''),
    idleTimeoutMs: keepAlive > 0 ? keepAlive : limits.headersTimeoutMs,
    idle: new Map(),
    carried: new Map(),
    closing: false,
  };

  server.on('request', function laneOrApp(this: Server, req: IncomingMessage, res: ServerResponse) {
    const carried = shared.carried.size === 0 ? undefined : shared.carried.get(req.socket);
    if (carried === undefined) return appRequest.call(this, req, res);
    const pending = carried.shift()!;
    if (carried.length === 0) shared.carried.delete(req.socket);
    if (pending.answer !== undefined) respond(res, pending.answer);
    else pending.deliver = (answer) => respond(res, answer);
  });

  server.on('connection', (socket: Socket) => {
    if (shared.closing) shared.httpConnection.call(server, socket);
    else new LaneConnection(socket, shared);
  });

  return {
    /** After the server stopped listening: ends lane connections not waiting on an answer. */
    closeIdle() {
      shared.closing = true;
      // Answers already written still go out; connections waiting on one end after it.
      for (const stop of [...shared.idle.values()]) stop();
      shared.idle.clear();
    },
  };
}

/** What every connection of one server shares. */
interface LaneServer {
  readonly server: Server;
  readonly lane: FastLane;
  readonly httpConnection: (socket: Socket) => void;
  readonly reads: ReadParser;
  readonly writer: AnswerWriter;
  readonly idleTimeoutMs: number;
  /** Lane connections with nothing pending or unread: the ones a stop may end at once. */
  readonly idle: Map<Socket, () => void>;
  /** Handed-off connections whose first requests node:http answers with the lane's answers. */
  readonly carried: Map<Socket, Pending[]>;
  closing: boolean;
}

/** A request the lane took whose answer is not written yet. */
interface Pending {
  /** The request's bytes, for node:http to read again if the connection is handed off. */
  readonly bytes: Buffer;
  answer: Answer | undefined;
  /** After a hand-off: writes the answer as node:http's response to the same request. */
  deliver: ((answer: Answer) => void) | undefined;
}

/** One connection on the lane, until its end or its hand-off to node:http. */
class LaneConnection {
  // Requests whose answers are not written yet, in request order; the first waits on the app.
  private pending: Pending[] = [];
  private awaitingDrain = false;
  private paused = false;
  private readonly stop = () => this.finish('');
  private readonly onData = (chunk: Buffer) => this.read(chunk);
  private readonly onDrain = () => {
    this.awaitingDrain = false;
    this.flush();
  };
  private readonly onDestroy = () => this.socket.destroy();
  private readonly onClose = () => this.forget();
  // As node:http with httpAllowHalfOpen off (an SSE client that goes away must be noticed at
  // once): a client's FIN ends the connection now; answers still pending are never sent.
  private readonly onEnd = () => {
    this.forget();
    this.socket.end();
  };

  constructor(
    private readonly socket: Socket,
    private readonly shared: LaneServer,
  ) {
    shared.idle.set(socket, this.stop);
    socket.on('error', this.onDestroy);
    socket.on('close', this.onClose);
    socket.on('end', this.onEnd);
    socket.on('timeout', this.onDestroy);
    socket.setTimeout(shared.idleTimeoutMs);
    socket.on('data', this.onData);
  }

  private read(chunk: Buffer): void {
    const count = this.shared.reads.parse(chunk);
    if (typeof count === 'string') return this.handOff(chunk, count);
    this.answerRead(chunk, count);
  }

  /** Answers the `count` lane requests of a read: all of them asked for, as node:http would. */
  private answerRead(chunk: Buffer, count: number): void {
    const { lane, reads, writer } = this.shared;
    const socket = this.socket;
    let out = '';
    let from = 0;
    for (let i = 0; i < count; i++) {
      const end = reads.ends[i]!;
      let answer: Answer | Promise<Answer>;
      try {
        answer = lane.answer(reads.authorizations[i], socket, reads.forwarded[i]);
      } catch (error) {
        answer = internalError(error);
      }
      if (this.pending.length === 0 && !(answer instanceof Promise)) {
        out += writer.render(answer, this.shared.closing);
        if (writer.last) return this.finish(out);
        // A client that sends without reading: write at a full buffer, and stop if it stays full.
        if (out.length + socket.writableLength >= socket.writableHighWaterMark) {
          socket.write(out);
          out = '';
          if (socket.writableNeedDrain) return this.waitForDrain(chunk.subarray(end));
        }
      } else {
        this.wait(chunk.subarray(from, end), answer);
        if (socket.destroyed) return;
      }
      from = end;
    }
    if (out !== '') socket.write(out);
    if (socket.writableNeedDrain) this.waitForDrain(undefined);
  }

  private wait(bytes: Buffer, answer: Answer | Promise<Answer>): void {
    if (this.pending.length >= MAX_UNANSWERED) {
      this.socket.destroy();
      return;
    }
    if (this.pending.length === 0) {
      this.shared.idle.delete(this.socket);
      // The keep-alive clock is for idle connections, not for one waiting on us.
      this.socket.setTimeout(0);
    }
    if (!(answer instanceof Promise)) {
      this.pending.push({ bytes, answer, deliver: undefined });
      return;
    }
    const entry: Pending = { bytes, answer: undefined, deliver: undefined };
    this.pending.push(entry);
    answer
      .catch(internalError)
      .then((settled) => {
        entry.answer = settled;
        if (entry.deliver !== undefined) entry.deliver(settled);
        else if (this.pending[0] === entry) this.flush();
      })
      .catch(() => this.socket.destroy());
  }

  /** Writes the answers now due, in request order, then reads on if nothing holds it back. */
  private flush(): void {
    const { socket, pending } = this;
    if (socket.destroyed || this.awaitingDrain) return;
    let out = '';
    while (pending.length > 0 && pending[0]!.answer !== undefined) {
      out += this.shared.writer.render(pending.shift()!.answer!, this.shared.closing);
      if (this.shared.writer.last) return this.finish(out);
      if (out.length + socket.writableLength >= socket.writableHighWaterMark) {
        socket.write(out);
        out = '';
        if (socket.writableNeedDrain) break;
      }
    }
    if (out !== '') socket.write(out);
    // Back on the clock unless the app still owes an answer: a client that does not read
    // must not hold a stop.
    socket.setTimeout(pending.length > 0 && pending[0]!.answer === undefined ? 0 : this.shared.idleTimeoutMs);
    if (socket.writableNeedDrain) this.waitForDrain(undefined);
    else this.proceed();
  }

  /**
   * Reads nothing more until the client has read what is written, as node:http pauses: what is
   * not answered yet goes back in front of the socket's buffer, so a FIN stays behind it.
   */
  private waitForDrain(rest: Buffer | undefined): void {
    if (!this.awaitingDrain) {
      this.awaitingDrain = true;
      this.socket.once('drain', this.onDrain);
    }
    this.shared.idle.delete(this.socket);
    this.setPaused(true);
    if (rest !== undefined && rest.length > 0) this.socket.unshift(rest);
  }

  /** Reads on once nothing holds the connection back. */
  private proceed(): void {
    if (this.awaitingDrain || this.socket.writableEnded) return;
    if (this.pending.length === 0) this.shared.idle.set(this.socket, this.stop);
    this.setPaused(false);
  }

  private setPaused(pause: boolean): void {
    if (pause === this.paused) return;
    this.paused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }

  private handOff(rest: Buffer, reason: HandOffReason): void {
    const { socket, shared } = this;
    this.detach();
    socket.removeListener('error', this.onDestroy);
    socket.removeListener('close', this.onClose);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('timeout', this.onDestroy);
    socket.removeListener('drain', this.onDrain);
    socket.setTimeout(0);
    socket.pause();
    if (this.pending.length > 0) {
      // node:http reads these requests again, and they get the answers the lane asked for.
      rest = Buffer.concat([...this.pending.map((entry) => entry.bytes), rest]);
      shared.carried.set(socket, this.pending);
      socket.once('close', () => shared.carried.delete(socket));
      this.forget();
    }
    if (rest.length > 0) socket.unshift(rest);
    // If the client's FIN came with these bytes, node:http gets its 'end' right after them.
    shared.httpConnection.call(shared.server, socket);
    socket.resume();
    try {
      shared.lane.onHandOff?.(reason);
    } catch (error) {
      console.error('fast lane hand-off callback failed:', error);
    }
  }

  /** The last answer on this connection: written, then the socket closes once it is sent. */
  private finish(out: string): void {
    this.detach();
    this.forget();
    if (this.socket.writableEnded) return;
    this.socket.end(out);
    this.socket.destroySoon();
  }

  private detach(): void {
    this.shared.idle.delete(this.socket);
    this.socket.removeListener('data', this.onData);
  }

  private forget(): void {
    this.shared.idle.delete(this.socket);
    this.pending = [];
  }
}
