// Child process (load core): N players replaying pre-signed tickets at the resubmit cadence,
// as the SDK does (jittered interval after an answer, capped backoff after a failure), over a
// few keep-alive sockets rather than one per player. Controlled over IPC by rebuild.ts.
import { Agent, request } from 'node:http';
import { DEFAULT_BACKOFF, backoffDelay, jitter } from '@ticketbooth/client';
import { createSigningKey } from '@ticketbooth/tickets';
import { benchTicket } from '@ticketbooth/matchmaker/bench/bench-support.ts';

export interface DriverStart {
  readonly url: string;
  readonly secret: string;
  readonly players: number;
  readonly intervalMs: number;
  readonly sockets: number;
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
const MAX_IN_FLIGHT = 512;
let tokens: string[] = [];
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

function start(job: DriverStart): void {
  const key = createSigningKey(job.secret);
  const now = Date.now();
  tokens = Array.from({ length: job.players }, (_, i) => benchTicket(key, i, now));
  attempts = new Uint8Array(job.players);
  back = new Uint8Array(job.players);
  const target = new URL('/v1/queue', job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.sockets });
  const random = Math.random;

  // Players whose turn came while MAX_IN_FLIGHT requests were out wait here, in order, as they
  // would in a socket queue, without a request object held per player.
  const backlog: number[] = [];
  let head = 0;
  function pump(): void {
    while (stats.inFlight < MAX_IN_FLIGHT && head < backlog.length) submit(backlog[head++]!);
    if (head > 65_536) {
      backlog.splice(0, head);
      head = 0;
    }
  }

  function submit(player: number): void {
    stats.sent++;
    stats.inFlight++;
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      stats.inFlight--;
      queueMicrotask(pump);
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
    };
    const req = request(target, { method: 'POST', agent, headers: { authorization: `Bearer ${tokens[player]}`, 'content-length': 0 } }, (res) => {
      res.resume();
      res.once('end', () => settle(res.statusCode === 200));
      res.once('error', () => settle(false));
    });
    req.once('error', () => settle(false));
    req.end();
  }

  // Everyone's first submission spread evenly over one interval, as a steady crowd would be.
  for (let i = 0; i < job.players; i++) schedule(i, now + (i / job.players) * job.intervalMs);
  running = true;
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
