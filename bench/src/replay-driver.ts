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
  /**
   * Lifetime of the tickets (default 5 min, the product's): a run longer than that from the
   * start (a large pool takes minutes to fill and rebuild) needs longer ones, and the
   * matchmaker's TICKET_TTL_MS to match, or its players turn to 401s halfway.
   */
  readonly ticketLifetimeMs?: number;
  /**
   * When set, players the server has not answered yet (new to it: their ticket needs a full
   * Ed25519 verify) go over this many sockets of their own, and answered ones over `sockets`:
   * a queued player's cheap resubmission then never waits behind other players' verifies, as
   * with real clients, each on its own connection. Without it, one lane: with 64 sockets and
   * hundreds of thousands of new tickets, queued players wait behind them until they go stale.
   */
  readonly newTicketSockets?: number;
}

export interface DriverStats {
  readonly sent: number;
  readonly answered: number;
  readonly failed: number;
  /** Failures by HTTP status, or `socket` (refused, reset, closed with a request in flight). */
  readonly failedBy: Readonly<Record<string, number>>;
  /** Distinct players answered 200 since the last mark. */
  readonly backSinceMark: number;
  readonly inFlight: number;
}

const SLOT_MS = 10;
const RECONNECT_MS = 100;
let requests: Buffer[] = [];
let attempts = new Uint8Array(0);
let back = new Uint8Array(0);
/** Answered 200 by the current server, and not failed since: its next request is cheap. */
let warm = new Uint8Array(0);
const stats = { sent: 0, answered: 0, failed: 0, failedBy: {} as Record<string, number>, backSinceMark: 0, inFlight: 0 };
/** Time wheel: players due in each 10 ms slot. */
const due = new Map<number, number[]>();
let running = false;
let onMark = () => {};

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
    Buffer.from(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${benchTicket(key, i, signedAt, job.ticketLifetimeMs)}\r\nContent-Length: 0\r\n\r\n`, 'latin1'),
  );
  attempts = new Uint8Array(job.players);
  back = new Uint8Array(job.players);
  warm = new Uint8Array(job.players);
  const random = Math.random;

  // Players whose turn came while every socket of their lane was busy wait here, in order.
  interface Lane {
    backlog: number[];
    head: number;
    readonly idle: Connection[];
  }
  const lane = (): Lane => ({ backlog: [], head: 0, idle: [] });
  const warmLane = lane();
  const twoLanes = (job.newTicketSockets ?? 0) > 0;
  const newLane = twoLanes ? lane() : warmLane;
  const lanes = twoLanes ? [warmLane, newLane] : [warmLane];
  let connected = 0;

  /** `status` 0: no answer (refused, reset, closed). */
  function settle(player: number, status: number): void {
    const ok = status === 200;
    stats.inFlight--;
    if (!ok) {
      const key = status === 0 ? 'socket' : String(status);
      stats.failedBy[key] = (stats.failedBy[key] ?? 0) + 1;
    }
    warm[player] = ok ? 1 : 0;
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

    constructor(readonly lane: Lane) {
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
        const i = this.lane.idle.indexOf(this);
        if (i !== -1) this.lane.idle.splice(i, 1);
        if (this.#player !== -1) settle(this.#player, 0);
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
      settle(player, found[0]);
      this.#free();
    }

    #free(): void {
      const { lane } = this;
      if (lane.head < lane.backlog.length) this.send(lane.backlog[lane.head++]!);
      else lane.idle.push(this);
    }
  }

  function pump(): void {
    for (const l of lanes) {
      // Server down: each player due now would have its own connection refused, and back off.
      if (connected === 0) {
        while (l.head < l.backlog.length) {
          stats.sent++;
          stats.inFlight++;
          settle(l.backlog[l.head++]!, 0);
        }
      }
      while (l.idle.length > 0 && l.head < l.backlog.length) l.idle.pop()!.send(l.backlog[l.head++]!);
      if (l.head > 65_536) {
        l.backlog.splice(0, l.head);
        l.head = 0;
      }
    }
  }

  running = true;
  for (let i = 0; i < job.sockets; i++) new Connection(warmLane);
  if (twoLanes) for (let i = 0; i < job.newTicketSockets!; i++) new Connection(newLane);
  // Everyone's first submission spread evenly over one interval, as a steady crowd would be,
  // from when the tickets are signed (which takes a while for many) and the sockets are up.
  const firstAt = Date.now() + 1_000;
  for (let i = 0; i < job.players; i++) schedule(i, firstAt + (i / job.players) * job.intervalMs);
  onMark = () => {
    // Waiting for a queued player's lane, but new to the server now.
    if (!twoLanes) return;
    for (let i = warmLane.head; i < warmLane.backlog.length; i++) newLane.backlog.push(warmLane.backlog[i]!);
    warmLane.backlog = [];
    warmLane.head = 0;
  };
  let slot = Math.floor(now / SLOT_MS);
  const timer = setInterval(() => {
    if (!running) return clearInterval(timer);
    const current = Math.floor(Date.now() / SLOT_MS);
    for (; slot <= current; slot++) {
      const players = due.get(slot);
      if (!players) continue;
      due.delete(slot);
      for (const player of players) (warm[player] === 1 ? warmLane : newLane).backlog.push(player);
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
    // A new server: nobody is queued there yet.
    warm.fill(0);
    onMark();
    stats.backSinceMark = 0;
    // The latest resubmission already scheduled (jittered interval): nobody answered before
    // the mark comes back sooner than that, however fast the server.
    let last = 0;
    for (const slot of due.keys()) last = Math.max(last, slot);
    process.send!({ marked: Math.max(0, (last + 1) * SLOT_MS - Date.now()) });
  } else if (message.stats) process.send!({ stats: { ...stats } satisfies DriverStats });
  else if (message.stop) {
    running = false;
    process.exit(0);
  }
});
