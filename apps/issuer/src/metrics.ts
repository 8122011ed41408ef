// Prometheus metrics, one Registry per app instance so tests and several apps never share counters.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type LoginOutcome = 'ok' | 'invalid_credentials' | 'rate_limited' | 'banned';

export interface IssuerMetrics {
  readonly registry: Registry;
  readonly logins: Counter<'outcome'>;
  readonly ticketsIssued: Counter<'mode' | 'region'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly passwordSeconds: Histogram<'operation'>;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): IssuerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'ticketbooth_issuer_' });
  return {
    registry,
    logins: new Counter({
      name: 'ticketbooth_issuer_logins_total',
      help: 'Login attempts by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    ticketsIssued: new Counter({
      name: 'ticketbooth_issuer_tickets_issued_total',
      help: 'Tickets signed, by pool',
      labelNames: ['mode', 'region'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'ticketbooth_issuer_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    passwordSeconds: new Histogram({
      name: 'ticketbooth_issuer_password_hash_seconds',
      help: 'argon2id time per operation',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
  };
}
