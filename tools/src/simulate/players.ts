// One simulated player's life: account, rating, session, then the client's queue loop.
import { TicketboothError, createClient, type Fetch, type Match, type QueueStatus, type Session } from '@ticketbooth/client';
import type { SimPlayer } from './population.ts';
import { CLIENT_ADDRESS_HEADER } from './services.ts';

export interface PreparedPlayer {
  readonly player: SimPlayer;
  readonly sub: string;
  readonly session: Session;
  readonly fetch: Fetch;
}

/** A fetch that presents this player's own (made-up, private-range) address to the issuer. */
function fetchAs(index: number): Fetch {
  const address = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  return (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), [CLIENT_ADDRESS_HEADER]: address } });
}

const PASSWORD = 'simulated-player-password';

export async function preparePlayer(player: SimPlayer, issuerUrl: string, adminToken: string | undefined): Promise<PreparedPlayer> {
  const playerFetch = fetchAs(player.index);
  const client = createClient({ issuerUrl, fetch: playerFetch });
  const account = await client.register(player.username, PASSWORD);
  if (adminToken) {
    const response = await playerFetch(`${issuerUrl}/v1/admin/users/${encodeURIComponent(account.id)}/ratings/${player.mode}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rating: player.rating }),
    });
    if (!response.ok) throw new TicketboothError(response.status, 'rating-not-set', await response.text());
  }
  const session = await client.login(player.username, PASSWORD);
  return { player, sub: account.id, session, fetch: playerFetch };
}

export interface QueueResult {
  readonly match?: Match;
  readonly timeToMatchMs?: number;
  /** The search reached its mode's longest wait: an end state, not an error. */
  readonly timedOut?: boolean;
  readonly error?: string;
}

export async function queuePlayer(
  prepared: PreparedPlayer,
  issuerUrl: string,
  signal: AbortSignal,
  onStatus: (status: QueueStatus) => void,
): Promise<QueueResult> {
  const client = createClient({ issuerUrl, fetch: prepared.fetch });
  const started = Date.now();
  try {
    const match = await client.queue(prepared.session, { mode: prepared.player.mode, region: prepared.player.region }, { signal, onStatus });
    return { match, timeToMatchMs: Date.now() - started };
  } catch (error) {
    if (signal.aborted) return {};
    if (error instanceof TicketboothError && error.code === 'timed_out') return { timedOut: true };
    return { error: error instanceof TicketboothError ? error.code : (error as Error).name };
  }
}
