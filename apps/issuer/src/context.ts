// What every route gets: the app's dependencies plus what createApp builds from them once.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { SharedConfig } from '@ticketbooth/config';
import type { Logger } from '@ticketbooth/http';
import type { KeyRing, SessionClaims, Verifier } from '@ticketbooth/tickets';
import type { AppSettings } from './config.ts';
import type { IssuerMetrics } from './metrics.ts';
import type { PasswordHasher } from './passwords.ts';
import type { SlidingWindow } from './rate-limit.ts';
import type { User, UserStore } from './store/user-store.ts';

export interface AppDeps {
  readonly shared: SharedConfig;
  readonly settings: AppSettings;
  readonly store: UserStore;
  /** Live ring: key-file reloads change it in place. */
  readonly keys: KeyRing;
  readonly passwords: PasswordHasher;
  readonly now: () => number;
  /** Fresh unique ids (user ids, random jti). */
  readonly randomId: () => string;
  /** JSON lines: one per request, and unexpected errors with their request id. Default: errors only, on stdout. */
  readonly logger?: Logger;
  /** True once the process is stopping: /readyz answers 503 to probes on connections still open while requests in flight finish. */
  readonly isDraining?: () => boolean;
  /** Registers process-wide metrics (event loop, memory) too; off in tests. */
  readonly processMetrics?: boolean;
}

export interface IssuerContext extends AppDeps {
  readonly sessions: Verifier<'session'>;
  /** Verifies party invites (purpose invite, the session audience). */
  readonly invites: Verifier<'invite'>;
  /** Verifies previous tickets, accepting ones expired up to one ticket lifetime ago. */
  readonly previousTickets: Verifier<'ticket'>;
  readonly loginLimits: { readonly byUsername: SlidingWindow; readonly byAddress: SlidingWindow };
  readonly metrics: IssuerMetrics;
  readonly clientAddress: (c: Context) => string;
}

export interface ActiveSession {
  readonly user: User;
  readonly claims: Readonly<SessionClaims>;
}

export type IssuerEnv = { Variables: { session: ActiveSession; requestId: string } };

/** The client's address: a trusted proxy's header when configured, else the socket's peer. */
export function clientAddressResolver(header: string | undefined): (c: Context) => string {
  return function clientAddress(c) {
    if (header !== undefined) {
      const value = c.req.header(header)?.split(',')[0]?.trim();
      if (value) return value;
    }
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      // No socket behind this request (in-process app.request): all such callers share one bucket.
      return 'unknown';
    }
  };
}
