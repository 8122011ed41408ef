// A live dashboard a service serves itself: one small page (no framework, no CDN) fed over SSE
// with a snapshot per second, computed once per second however many people watch.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { Problem } from './problem.ts';

/** What the page draws: the service's figures in a shape the page knows (assets/dashboard/page.js). */
export interface DashboardView {
  readonly service: string;
  /** When this process started: the page sees a restart when it changes. */
  readonly startedAt: number;
  readonly at: number;
  /** Headline figures. `players` is the one the page follows across a restart (rebuild progress). */
  readonly cards: readonly { readonly key: string; readonly label: string; readonly value: number | string | null; readonly hint?: string; readonly state?: 'ok' | 'warn' | 'bad' }[];
  readonly tables: readonly { readonly title: string; readonly columns: readonly string[]; readonly rows: readonly (readonly (number | string | null)[])[] }[];
  /** Bar charts: one bar per bucket (`labels`), one series per row. */
  readonly histograms: readonly { readonly title: string; readonly labels: readonly string[]; readonly series: readonly { readonly name: string; readonly counts: readonly number[] }[] }[];
  /** Rebuild after a restart: the page shows it while present. */
  readonly warmup?: { readonly warmingUp: boolean; readonly elapsedMs: number; readonly minMs: number; readonly maxMs: number; readonly back: number; readonly lastInterval: number; readonly endsBelow: number };
}

export interface DashboardOptions {
  readonly title: string;
  readonly view: () => DashboardView | Promise<DashboardView>;
  /** When set, the figures need `Authorization: Bearer <adminToken>` (the page asks for it). */
  readonly adminToken?: string | undefined;
  readonly intervalMs?: number;
  /** Viewers at once; more get 503 (each costs a stream, not a snapshot). */
  readonly maxViewers?: number;
  /** True once the process is stopping: streams end within an interval, so the server can close. */
  readonly draining?: () => boolean;
}

/** A viewer whose connection takes no snapshot for this long is cut off, freeing its place. */
const STALLED_WRITE_MS = 30_000;

// The page needs nothing but its own files and its own stream.
const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
};

const ASSETS = new URL('../assets/dashboard/', import.meta.url);
const asset = (name: string) => readFileSync(new URL(name, ASSETS), 'utf8');

/**
 * GET /dashboard (the page), /dashboard/page.js, /dashboard/page.css and /dashboard/events (SSE:
 * a `snapshot` event with the view as JSON every `intervalMs`; the first at once).
 *
 * @example
 * app.route('/', dashboardRoutes({ title: 'Matchmaker', view: () => matchmakerView(mm, Date.now()), adminToken }));
 */
export function dashboardRoutes(options: DashboardOptions): Hono {
  const page = asset('page.html').replaceAll('{{title}}', escapeHtml(options.title)).replace('{{auth}}', options.adminToken === undefined ? 'open' : 'token');
  const script = asset('page.js');
  const style = asset('page.css');
  const feed = new SnapshotFeed(options.view, options.intervalMs ?? 1_000);
  const maxViewers = options.maxViewers ?? 32;
  const expected = options.adminToken === undefined ? undefined : digest(options.adminToken);

  function authorize(c: Context): void {
    if (expected === undefined) return;
    const header = c.req.header('authorization') ?? '';
    const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    if (given.length === 0 || given.length > 512 || !timingSafeEqual(digest(given), expected)) {
      throw new Problem(401, 'admin-token-required', 'Admin token required', 'send Authorization: Bearer <ADMIN_TOKEN>', { 'www-authenticate': 'Bearer' });
    }
  }

  const draining = options.draining ?? (() => false);
  const asFile = (type: string, body: string) => (c: Context) => c.body(body, 200, { ...PAGE_HEADERS, 'content-type': type });
  return new Hono()
    .get('/dashboard', asFile('text/html; charset=utf-8', page))
    .get('/dashboard/page.js', asFile('text/javascript; charset=utf-8', script))
    .get('/dashboard/page.css', asFile('text/css; charset=utf-8', style))
    .get('/dashboard/events', async (c) => {
      authorize(c);
      // HEAD runs this route with the body thrown away: a stream nobody reads would hold a place for good.
      if (c.req.method === 'HEAD') return c.body(null, 200, { 'content-type': 'text/event-stream' });
      if (draining()) throw new Problem(503, 'shutting-down', 'Shutting down', 'this process is stopping', { 'retry-after': '1' });
      if (feed.viewers >= maxViewers) throw new Problem(503, 'too-many-viewers', 'Too many dashboard viewers', `at most ${maxViewers} at once`, { 'retry-after': '5' });
      const first = await feed.latest();
      return streamSSE(c, async (stream) => {
        let wake = () => {};
        let next: string | undefined = first;
        const leave = feed.join((json) => {
          next = json;
          wake();
        });
        let closed = false;
        stream.onAbort(() => {
          closed = true;
          wake();
        });
        try {
          while (!closed && !draining()) {
            if (next === undefined) {
              await new Promise<void>((resolve) => (wake = resolve));
              continue;
            }
            const data = next;
            next = undefined;
            if (!(await written(stream.writeSSE({ event: 'snapshot', data })))) {
              stream.abort();
              break;
            }
          }
        } finally {
          leave();
        }
      });
    });
}

/** One snapshot per interval while anyone watches, shared by every viewer; nothing when nobody does. */
class SnapshotFeed {
  readonly #listeners = new Set<(json: string) => void>();
  #timer: NodeJS.Timeout | undefined;
  #latest: Promise<string> | undefined;

  constructor(
    private readonly view: () => DashboardView | Promise<DashboardView>,
    private readonly intervalMs: number,
  ) {}

  get viewers(): number {
    return this.#listeners.size;
  }

  /** The snapshot to send a new viewer at once. */
  latest(): Promise<string> {
    return (this.#latest ??= this.#take());
  }

  join(listener: (json: string) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => {
        // A view that failed is skipped: the next interval tries again (the route's first one answers 500).
        this.#take().then(
          (json) => {
            for (const each of this.#listeners) each(json);
          },
          () => {},
        );
      }, this.intervalMs);
      this.#timer.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        this.#latest = undefined;
      }
    };
  }

  #take(): Promise<string> {
    const taken = Promise.resolve()
      .then(() => this.view())
      .then((view) => JSON.stringify(view));
    this.#latest = taken.catch((error: unknown) => {
      this.#latest = undefined;
      throw error;
    });
    return this.#latest;
  }
}

/** Whether `write` finished within STALLED_WRITE_MS (a viewer that stopped reading never lets it). */
async function written(write: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<false>((resolve) => (timer = setTimeout(resolve, STALLED_WRITE_MS, false)));
  try {
    return await Promise.race([write.then(() => true), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * How much a counter grew in the last minute (or since its first sample, when younger): a count
 * people can check, not a rate extrapolated from a few seconds.
 */
export class RateWindow {
  readonly #samples: { at: number; count: number }[] = [];
  /** `since`: when the counter was 0 (its process's start), so its first minute counts from there. */
  readonly #seed: { at: number; count: number } | undefined;
  constructor(since?: number, private readonly windowMs = 60_000) {
    if (since !== undefined) this.#samples.push((this.#seed = { at: since, count: 0 }));
  }

  /** Records the counter's value now; returns its growth since the oldest sample within the window. */
  lastMinute(at: number, count: number): number {
    this.#samples.push({ at, count });
    while (this.#samples.length > 1 && at - this.#samples[0]!.at > this.windowMs) this.#samples.shift();
    return count - this.#samples[0]!.count;
  }

  /**
   * What the last count covers when less than the window: counting starts at the first view (or
   * the process's start), so a page opened on an old process says so for its first minute.
   */
  shortWindowHint(at: number): string | undefined {
    const oldest = this.#samples[0]!;
    const coveredS = Math.round((at - oldest.at) / 1000);
    if (at - oldest.at >= this.windowMs - 1_000) return undefined;
    return oldest === this.#seed ? `since this process started, ${coveredS} s ago` : `over the last ${coveredS} s: counted since the dashboard was opened`;
  }
}
