// What the issuer's dashboard shows (GET /dashboard): tickets signed per pool, logins by
// outcome, and how fast it answers, from its own metrics (no store query per snapshot).
import { RateWindow, type DashboardView } from '@ticketbooth/http';
import type { IssuerMetrics } from './metrics.ts';

interface Sample {
  readonly labels: Record<string, string | number | undefined>;
  readonly value: number;
  readonly metricName?: string;
}

const hint = (text: string | undefined) => (text === undefined ? {} : { hint: text });
const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

/**
 * A view builder for dashboardRoutes, called once a second: rates are kept between calls.
 *
 * @example
 * dashboardRoutes({ title: 'Issuer', view: issuerView(metrics, Date.now, startedAt) })
 */
export function issuerView(metrics: IssuerMetrics, now: () => number, startedAt: number): () => Promise<DashboardView> {
  const rates = new Map<string, RateWindow>();
  const lastMinute = (key: string, at: number, count: number) => {
    let rate = rates.get(key);
    if (rate === undefined) rates.set(key, (rate = new RateWindow(startedAt)));
    return rate.lastMinute(at, count);
  };
  return async () => {
    const at = now();
    const tickets = (await metrics.ticketsIssued.get()).values as Sample[];
    const logins = (await metrics.logins.get()).values as Sample[];
    const http = (await metrics.httpDuration.get()).values as Sample[];
    const ticketTotal = tickets.reduce((sum, s) => sum + s.value, 0);
    const loginsBy = (outcome: string) => logins.find((s) => s.labels.outcome === outcome)?.value ?? 0;
    const refused = loginsBy('invalid_credentials') + loginsBy('rate_limited') + loginsBy('banned');
    // Requests by route from the latency histogram's counts; p50/p95 are read off its buckets.
    const routes = new Map<string, { count: number; errors: number; buckets: Map<number, number> }>();
    for (const sample of http) {
      const key = sample.labels.route === '/*' ? 'no route (404)' : `${sample.labels.method} ${sample.labels.route}`;
      let route = routes.get(key);
      if (route === undefined) routes.set(key, (route = { count: 0, errors: 0, buckets: new Map() }));
      if (sample.metricName?.endsWith('_count')) {
        route.count += sample.value;
        if (Number(sample.labels.status) >= 500) route.errors += sample.value;
      } else if (sample.metricName?.endsWith('_bucket') && sample.labels.le !== '+Inf') {
        const le = Number(sample.labels.le);
        route.buckets.set(le, (route.buckets.get(le) ?? 0) + sample.value);
      }
    }
    return {
      service: 'issuer',
      startedAt,
      at,
      cards: [
        { key: 'tickets', label: 'Tickets signed', value: ticketTotal, hint: 'since this process started' },
        { key: 'tickets-rate', label: 'Tickets in the last minute', value: lastMinute('tickets', at, ticketTotal), ...hint(rates.get('tickets')!.shortWindowHint(at)) },
        { key: 'logins', label: 'Logins in the last minute', value: lastMinute('logins', at, loginsBy('ok')) },
        { key: 'refused', label: 'Logins refused in the last minute', value: lastMinute('refused', at, refused), hint: 'wrong password, limited or banned' },
        { key: 'uptime', label: 'Up', value: `${Math.round((at - startedAt) / 1000)} s`, state: 'ok' },
      ],
      tables: [
        {
          title: 'Tickets by pool',
          columns: ['Pool', 'Signed', 'Last minute'],
          rows: tickets
            .map((s) => {
              const pool = s.labels.region === undefined || s.labels.region === '' ? String(s.labels.mode) : `${s.labels.mode}/${s.labels.region}`;
              return [pool, s.value, lastMinute(`pool ${pool}`, at, s.value)] as (string | number | null)[];
            })
            .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        },
        {
          title: 'Requests by route',
          columns: ['Route', 'Answered', '5xx', 'p50 within (ms)', 'p95 within (ms)'],
          rows: [...routes]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, route]) => [key, route.count, route.errors, quantileMs(route.buckets, route.count, 0.5), quantileMs(route.buckets, route.count, 0.95)]),
        },
      ],
      histograms: [
        {
          title: 'Logins',
          labels: ['ok', 'wrong password', 'rate limited', 'banned'],
          series: [{ name: 'since start', counts: [loginsBy('ok'), loginsBy('invalid_credentials'), loginsBy('rate_limited'), loginsBy('banned')] }],
        },
      ],
    };
  };
}

/** The upper bound (ms) of the first cumulative bucket holding the q-quantile; null without requests. */
function quantileMs(buckets: Map<number, number>, count: number, q: number): number | null {
  if (count === 0) return null;
  for (const [le, cumulative] of [...buckets].sort(([a], [b]) => a - b)) if (cumulative >= q * count) return round(le * 1000);
  return null;
}
