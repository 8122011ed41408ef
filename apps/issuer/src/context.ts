// What every route gets: the app's dependencies plus what createApp builds from them once.
import type { Context } from 'hono';
import type { SharedConfig } from '@ticketbooth/config';
import type { Logger, Undocumented } from '@ticketbooth/http';
import type { KeyRing, SessionClaims, Verifier } from '@ticketbooth/tickets';
import type { LoginLimits } from './attempt-limits.ts';
import type { AppSettings } from './config.ts';
import type { IssuerMetrics } from './metrics.ts';
import type { PasswordHasher } from './passwords.ts';
import type { User, UserStore } from './store/user-store.ts';

export interface AppDeps {
  readonly shared: SharedConfig;
  readonly settings: AppSettings;
  readonly store: UserStore;
  /** Live ring: key-file reloads change it in place. */
  readonly keys: KeyRing;
  readonly passwords: PasswordHasher;
  /** Login attempt limits; PostgreSQL ones are shared by every issuer on the database. Default: in this process's memory. */
  readonly loginLimits?: LoginLimits;
  readonly now: () => number;
  /** Fresh unique ids (user ids, random jti). */
  readonly randomId: () => string;
  /** JSON lines: one per request, and unexpected errors with their request id. Default: errors only, on stdout. */
  readonly logger?: Logger;
  /** True once the process is stopping: /readyz answers 503 to probes on connections still open while requests in flight finish. */
  readonly isDraining?: () => boolean;
  /** Registers process-wide metrics (event loop, memory) too; off in tests. */
  readonly processMetrics?: boolean;
  /** The matchmakers' published keys, which sign the match tokens results name; without them POST /v1/results answers 503. */
  readonly matchKeys?: MatchKeys;
  /** Called for every routed response whose status or problem code /openapi.json does not list (tests make it throw). */
  readonly onUndocumented?: (finding: Undocumented) => void;
}

export interface MatchKeys {
  readonly ring: KeyRing;
  /** Loads the keys again for a token naming an unknown kid (rate-limited); true when the ring changed. */
  refetchForUnknownKid(): Promise<boolean>;
}

export interface IssuerContext extends AppDeps {
  readonly sessions: Verifier<'session'>;
  /** Verifies party invites (purpose invite, the session audience). */
  readonly invites: Verifier<'invite'>;
  /** Verifies previous tickets, accepting ones expired up to one ticket lifetime ago. */
  readonly previousTickets: Verifier<'ticket'>;
  /** Verifies the match tokens results name, and the assignments that show them settled, when the matchmakers' keys are known. */
  readonly matches: { readonly match: Verifier<'match'>; readonly assignment: Verifier<'assignment'> } | undefined;
  readonly loginLimits: LoginLimits;
  readonly metrics: IssuerMetrics;
  readonly clientAddress: (c: Context) => string;
}

export interface ActiveSession {
  readonly user: User;
  readonly claims: Readonly<SessionClaims>;
  /** The user's rating in `mode`, read with the user when the route asked for it (undefined value: none stored). */
  readonly rating?: { readonly mode: string; readonly value: number | undefined; readonly sigma?: number };
}

export type IssuerEnv = { Variables: { session: ActiveSession; requestId: string } };
