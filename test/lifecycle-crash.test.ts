// SIGKILL the matchmaker in each phase of a match's life: while proposed (one member accepted),
// while a game server is being allocated, and once assigned. The restarted process knows
// nothing; the members present what they hold (match token, acceptance, assignment) and each
// phase comes back as it was: the same match, the same server, nobody matched twice.
import { createClient, type TicketGrant } from '@ticketbooth/client';
import { DEMO_CONFIG } from '@ticketbooth/config';
import { startAllocator, type RunningAllocator } from '@ticketbooth/tools';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPlayers, poolSizes, startCluster, waitFor, type Cluster } from './support/cluster.ts';

const RESUBMIT_MS = 300;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { status: number; body: any };

async function post(url: string, ticket: string, body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${ticket}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const submit = (cluster: Cluster, grant: TicketGrant) => post(`${cluster.matchmaker.url}/v1/queue`, grant.ticket);
const present = (cluster: Cluster, grant: TicketGrant, holding: { match: string; accepted?: boolean; assignment?: string }) =>
  post(`${cluster.matchmaker.url}/v1/matches/current`, grant.ticket, holding);

/** Two duel players with one ticket each, both queued. */
async function queuedPair(cluster: Cluster) {
  const players = await createPlayers(cluster, 2, 'duel');
  const grants = await Promise.all(
    players.map((p) => createClient({ issuerUrl: cluster.issuer.url, fetch: p.fetch }).requestTicket(p.session, { mode: 'duel', region: 'eu' })),
  );
  for (const grant of grants) expect((await submit(cluster, grant)).body.status).toBe('searching');
  return { players, grants };
}

/** Polls the ticket until its answer has `status`; `others` resubmit meanwhile, as clients do (or their entries go stale). */
async function answerIs(cluster: Cluster, grant: TicketGrant, status: string, timeoutMs = 15_000, others: TicketGrant[] = []): Promise<Answer['body']> {
  let last: unknown;
  try {
    return await waitFor(status, async () => {
      await Promise.all(others.map((other) => submit(cluster, other)));
      const { body } = await submit(cluster, grant);
      last = body;
      return body.status === status ? body : undefined;
    }, timeoutMs, 100);
  } catch (error) {
    throw new Error(`${(error as Error).message}; last answer: ${JSON.stringify(last)}`);
  }
}

async function formedMatches(url: string): Promise<number> {
  const body = (await (await fetch(`${url}/v1/pools`)).json()) as { pools: Array<{ matchesFormed: number }> };
  return body.pools.reduce((sum, p) => sum + p.matchesFormed, 0);
}

async function killAndRestart(cluster: Cluster): Promise<void> {
  await cluster.matchmaker.kill();
  expect((await cluster.matchmaker.exited).signal).toBe('SIGKILL');
  // The default warm-up: holders present within about one interval, before matching starts.
  await cluster.startMatchmaker({ WARMUP_MS: '' });
}

describe('a matchmaker SIGKILLed in each phase of a match', () => {
  const clusters: Cluster[] = [];
  let allocator: RunningAllocator | undefined;
  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await allocator?.close();
  });

  it('while proposed, one member having accepted: the accept phase is rebuilt and the match becomes ready', async () => {
    const cluster = await startCluster({
      resubmitMs: RESUBMIT_MS,
      warmupMs: 500,
      sharedConfig: { ...DEMO_CONFIG, modes: { ...DEMO_CONFIG.modes, duel: { ...DEMO_CONFIG.modes.duel, accept: { timeoutMs: 30_000 } } } },
    });
    clusters.push(cluster);
    const { grants } = await queuedPair(cluster);
    const [alice, bob] = grants as [TicketGrant, TicketGrant];
    const proposed = await answerIs(cluster, alice, 'proposed', 15_000, [bob]);
    const match = proposed.match.token as string;
    expect((await post(`${cluster.matchmaker.url}/v1/matches/accept`, alice.ticket, { match })).body).toMatchObject({ status: 'proposed', accepted: true });

    await killAndRestart(cluster);
    // Bob resubmits first (he never heard of the match): queued again, as far as this process knows.
    expect((await submit(cluster, bob)).body.status).toBe('searching');
    // Alice presents the match with her acceptance: the match is back, Bob is taken out of the pool.
    expect((await present(cluster, alice, { match, accepted: true })).body).toMatchObject({ status: 'proposed', accepted: true, match: { id: proposed.match.id } });
    expect((await submit(cluster, bob)).body).toMatchObject({ status: 'proposed', accepted: false, match: { id: proposed.match.id } });
    const ready = await post(`${cluster.matchmaker.url}/v1/matches/accept`, bob.ticket, { match });
    expect(ready.body).toMatchObject({ status: 'ready', allocating: false, match: { id: proposed.match.id } });
    expect(typeof ready.body.assignment.token).toBe('string');

    // Past the warm-up and several ticks: still that match, nobody queued, nothing formed anew.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await submit(cluster, alice)).body).toMatchObject({ status: 'ready', match: { id: proposed.match.id } });
    expect(await poolSizes(cluster.matchmaker.url)).toBe(0);
    expect(await formedMatches(cluster.matchmaker.url)).toBe(0);
  });

  it('while allocating, then once assigned: the allocator is called again with the same match id, and then not at all', async () => {
    // Slow enough that the kill lands while the first call is in flight, even on a loaded machine.
    allocator = await startAllocator({ delayMs: 4_000 });
    const cluster = await startCluster({ resubmitMs: RESUBMIT_MS, warmupMs: 500, extraMatchmakerEnv: { ALLOCATOR_URL: allocator.url, ALLOCATOR_TIMEOUT_MS: '10000' } });
    clusters.push(cluster);
    const { grants } = await queuedPair(cluster);
    const [alice, bob] = grants as [TicketGrant, TicketGrant];
    const ready = await answerIs(cluster, alice, 'ready', 15_000, [bob]);
    expect(ready.allocating).toBe(true);
    const id = ready.match.id as string;
    const match = ready.match.token as string;
    await waitFor('the first allocation call', async () => (allocator!.calls(id) === 1 ? true : undefined), 5_000);

    await killAndRestart(cluster);
    expect((await present(cluster, alice, { match })).body).toMatchObject({ status: 'ready', allocating: true, match: { id } });
    const assigned = await answerIs(cluster, bob, 'assigned', 20_000);
    expect(assigned.match.id).toBe(id);
    expect(assigned.assignment.connect).toBe(allocator.allocations.get(id)!.connect);
    expect(allocator.calls(id)).toBe(2);
    expect((await submit(cluster, alice)).body).toMatchObject({ status: 'assigned', assignment: { connect: assigned.assignment.connect } });

    // Assigned, and killed again: a member holding the assignment settles the match at once.
    await killAndRestart(cluster);
    expect((await present(cluster, bob, { match, assignment: assigned.assignment.token })).body).toMatchObject({
      status: 'assigned',
      assignment: { connect: assigned.assignment.connect },
    });
    expect((await submit(cluster, alice)).body).toMatchObject({ status: 'assigned', match: { id } });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await submit(cluster, alice)).body).toMatchObject({ status: 'assigned', match: { id } });
    expect(allocator.calls(id)).toBe(2);
    expect(await poolSizes(cluster.matchmaker.url)).toBe(0);
    expect(await formedMatches(cluster.matchmaker.url)).toBe(0);
  });
});
