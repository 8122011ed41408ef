export { DEFAULT_BACKOFF, backoffDelay, jitter, type BackoffPolicy } from './backoff.ts';
export { autoAccept, createClient, type ClientOptions, type Confirm, type QueueOptions, type TicketExtras, type TicketboothClient } from './client.ts';
export { TicketboothError, type TransportCode } from './errors.ts';
export { matchFormedAt } from './formed-at.ts';
export type { Fetch } from './http.ts';
export type * from './types.ts';
