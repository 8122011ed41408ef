// Child process (load core): N players replaying pre-signed tickets at the resubmit cadence,
// as the SDK does (jittered interval after an answer, capped backoff after a failure), over a
// few keep-alive sockets rather than one per player. Controlled over IPC (replay.ts).
//
// It speaks HTTP/1.1 on raw sockets with pre-serialized requests: the players stand for
// remote clients, and every core-second the driver spends is one the matchmaker on the same
// machine does not get. A request at a time per socket, as a client without pipelining.
import { connect, type Socket } from 'node:net';
import { DEFAULT_BACKOFF, backoffDelay, jitter } from '@ticketbooth/client';
import { createSigningKey } from '@ticketbooth/tickets';
import { benchTicket } from '@ticketbooth/matchmaker/bench/bench-support.ts';

export interface DriverStart {
  /** The matchmaker, or a shard behind a proxy (`http://proxy/shards/a`): requests go to <url>/v1/queue. */
  readonly url: string;
  readonly secret: string;
  readonly players: number;
  readonly intervalMs: number;
  readonly sockets: number;
  /**
   * Tickets signed this long before the start (default 0), their searches begun earlier still:
   * players who were searching before the services started, as after a crash or a failover.
   */
  readonly issuedAgoMs?: number;
}

export interface DriverStats {
  readonly sent: number;
  readonly answered: number;
  readonly failed: number;
  /** Distinct players answered 200 since the last mark. */
  readonly backSinceMark: number;
  readonly inFlight: number;
}

const SLOT_MS = 10;
const RECONNECT_MS = 100;
let requests: Buffer[] = [];
let attempts = new Uint8Array(0);
let back = new Uint8Array(0);
const stats = { sent: 0, answered: 0, failed: 0, backSinceMark: 0, inFlight: 0 };
/** Time wheel: players due in each 10 ms slot. */
const due = new Map<number, number[]>();
let running = false;

function schedule(player: number, atMs: number): void {
  const slot = Math.floor(atMs / SLOT_MS);
  const list = due.get(slot);
  if (list) list.push(player);
  else due.set(slot, [player]);
}

/**
 * The end of one response in `data` from `start`: [status, next offset], or undefined while
 * incomplete. Our servers answer with Content-Length; anything else is a protocol error.
 */
function responseAt(data: Buffer, start: number): [number, number] | undefined {
  const headEnd = data.indexOf('\r\n\r\n', start, 'latin1');
  if (headEnd === -1) return undefined;
  const head = data.toString('latin1', start, headEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length === null) throw new Error('response without content-length');
  const end = headEnd + 4 + Number(length[1]);
  return end <= data.length ? [status, end] : undefined;
}

function start(job: DriverStart): void {
  const key = createSigningKey(job.secret);
  const now = Date.now();
  const { hostname, port, pathname } = new URL(job.url);
  const host = `${hostname}:${port}`;
  const path = `${pathname.replace(/\/+$/, '')}/v1/queue`;
  const signedAt = now - (job.issuedAgoMs ?? 0);
  requests = Array.from({ length: job.players }, (_, i) =>
    Buffer.from(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${benchTicket(key, i, signedAt)}\r\nContent-Length: 0\r\n\r\n`, 'latin1'),
  );
  attempts = new Uint8Array(job.players);
  back = new Uint8Array(job.players);
  const random = Math.random;

  // Players whose turn came while every socket was busy wait here, in order.
  const backlog: number[] = [];
  let head = 0;
  const idle: Connection[] = [];
  let connected = 0;

  function settle(player: number, ok: boolean): void {
    stats.inFlight--;
    if (ok) {
      stats.answered++;
      attempts[player] = 0;
      if (back[player] === 0) {
        back[player] = 1;
        stats.backSinceMark++;
      }
      schedule(player, Date.now() + jitter(job.intervalMs, random));
    } else {
      stats.failed++;
      const attempt = attempts[player]!;
      attempts[player] = Math.min(30, attempt + 1);
      schedule(player, Date.now() + backoffDelay(attempt, DEFAULT_BACKOFF, random));
    }
  }

  class Connection {
    #socket: Socket | undefined;
    #player = -1;
    #pending: Buffer | undefined;

    constructor() {
      this.#open();
    }

    #open(): void {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true });
      this.#socket = socket;
      let up = false;
      socket.on('connect', () => {
        up = true;
        connected++;
        this.#free();
      });
      socket.on('data', (chunk: Buffer) => this.#read(chunk));
      socket.on('error', () => {});
      socket.on('close', () => {
        if (up) connected--;
        this.#socket = undefined;
        this.#pending = undefined;
        const i = idle.indexOf(this);
        if (i !== -1) idle.splice(i, 1);
        if (this.#player !== -1) settle(this.#player, false);
        this.#player = -1;
        if (running) setTimeout(() => this.#open(), RECONNECT_MS);
      });
    }

    send(player: number): void {
      this.#player = player;
      stats.sent++;
      stats.inFlight++;
      this.#socket!.write(requests[player]!);
    }

    #read(chunk: Buffer): void {
      // Bytes nobody asked for, or a response we cannot delimit: drop the connection, and
      // its close fails the player in flight, if any, who then backs off.
      if (this.#player === -1) return void this.#socket?.destroy();
      const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
      let found: [number, number] | undefined;
      try {
        found = responseAt(data, 0);
      } catch {
        return void this.#socket?.destroy();
      }
      if (found === undefined) {
        this.#pending = data;
        return;
      }
      if (found[1] !== data.length) return void this.#socket?.destroy();
      this.#pending = undefined;
      const player = this.#player;
      this.#player = -1;
      settle(player, found[0] === 200);
      this.#free();
    }

    #free(): void {
      if (head < backlog.length) this.send(backlog[head++]!);
      else idle.push(this);
    }
  }

  function pump(): void {
    // Server down: each player due now would have its own connection refused, and back off.
    if (connected === 0) {
      while (head < backlog.length) {
        stats.sent++;
        stats.inFlight++;
        settle(backlog[head++]!, false);
      }
    }
    while (idle.length > 0 && head < backlog.length) idle.pop()!.send(backlog[head++]!);
    if (head > 65_536) {
      backlog.splice(0, head);
      head = 0;
    }
  }

  // Everyone's first submission spread evenly over one interval, as a steady crowd would be.
  for (let i = 0; i < job.players; i++) schedule(i, now + (i / job.players) * job.intervalMs);
  running = true;
  for (let i = 0; i < job.sockets; i++) new Connection();
  let slot = Math.floor(now / SLOT_MS);
  const timer = setInterval(() => {
    if (!running) return clearInterval(timer);
    const current = Math.floor(Date.now() / SLOT_MS);
    for (; slot <= current; slot++) {
      const players = due.get(slot);
      if (!players) continue;
      due.delete(slot);
      for (const player of players) backlog.push(player);
    }
    pump();
  }, SLOT_MS);
}

process.on('message', (message: { start?: DriverStart; mark?: true; stats?: true; stop?: true }) => {
  if (message.start) {
    start(message.start);
    process.send!({ started: true });
  } else if (message.mark) {
    back.fill(0);
    stats.backSinceMark = 0;
    process.send!({ marked: true });
  } else if (message.stats) process.send!({ stats: { ...stats } satisfies DriverStats });
  else if (message.stop) {
    running = false;
    process.exit(0);
  }
});
