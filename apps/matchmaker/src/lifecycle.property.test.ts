// Players who accept, decline or ignore proposals, clocks that run past deadlines, and
// SIGKILL-like restarts at any point: whatever happens, no player is settled in two matches,
// and once things go quiet every player is settled, out, or searching: nobody is lost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHarness, sharedWithAccept } from '../test/support.ts';

const PLAYERS = ['p0', 'p1', 'p2', 'p3', 'p4'];
const ACCEPT_MS = 5_000;

type Step =
  | { readonly kind: 'round' }
  | { readonly kind: 'answer'; readonly player: number; readonly accept: boolean }
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'crash' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'round' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), player: fc.integer({ min: 0, max: PLAYERS.length - 1 }), accept: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 4_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

/** What a client holds, as the SDK would: its ticket, the match it was told of, its acceptance and assignment. */
interface Client {
  readonly ticket: string;
  held?: { token: string; id: string; accepted: boolean; assignment?: string };
  out: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type View = any;

async function run(steps: readonly Step[]): Promise<void> {
  let h = createHarness({}, sharedWithAccept(ACCEPT_MS));
  const clients: Client[] = PLAYERS.map((sub) => ({ ticket: h.ticket(sub, { lifetimeMs: 60_000 }), out: false }));
  /** Settled match ids per player, as any answer told it. */
  const settledIn = new Map<string, Set<string>>();

  const learn = (client: Client, view: View): void => {
    if (view.status === 'searching') return;
    if (view.status === 'cancelled') {
      client.held = undefined;
      if (!view.requeued) client.out = true;
      return;
    }
    const known = client.held !== undefined && client.held.id === view.match.id ? client.held : undefined;
    const held: NonNullable<Client['held']> = known ?? { token: String(view.match.token), id: String(view.match.id), accepted: false };
    client.held = held;
    if (view.status === 'proposed') held.accepted = view.accepted;
    if (view.status === 'ready') {
      held.accepted = true;
      held.assignment = view.assignment?.token;
      for (const member of view.match.teams.flat()) {
        const ids = settledIn.get(member.sub) ?? new Set<string>();
        ids.add(view.match.id);
        settledIn.set(member.sub, ids);
        expect(ids.size, `${member.sub} settled in two matches`).toBe(1);
      }
    }
  };

  const act = async (client: Client): Promise<void> => {
    if (client.out) return;
    const res = client.held
      ? await h.reannounce(client.ticket, client.held.token, { accepted: client.held.accepted, ...(client.held.assignment ? { assignment: client.held.assignment } : {}) })
      : await h.submit(client.ticket);
    if (res.status !== 200) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
    learn(client, await res.json());
  };

  const apply = async (s: Step): Promise<void> => {
    switch (s.kind) {
      case 'round':
        for (const client of clients) await act(client);
        return;
      case 'answer': {
        const client = clients[s.player]!;
        if (client.out || client.held === undefined) return;
        const res = await h.respond(client.ticket, client.held.token, s.accept ? 'accept' : 'decline');
        // Refusals (already accepted, cancelled, settled) are answers too; they must change nothing.
        if (res.status === 200) learn(client, await res.json());
        else expect(res.status).toBe(409);
        return;
      }
      case 'time':
        h.advance(s.ms);
        h.matchmaker.tick();
        return;
      case 'crash':
        h.advance(500);
        h = createHarness({}, sharedWithAccept(ACCEPT_MS), { restartOf: h });
        return;
    }
  };

  for (const s of steps) await apply(s);
  // Quiet: everyone who still holds a proposal accepts it, rounds and ticks until nothing changes.
  for (let i = 0; i < 12; i++) {
    for (const client of clients) if (client.held && !client.held.accepted && !client.out) await apply({ kind: 'answer', player: clients.indexOf(client), accept: true });
    await apply({ kind: 'round' });
    await apply({ kind: 'time', ms: 1_000 });
  }
  await apply({ kind: 'round' });
  for (const [i, client] of clients.entries()) {
    const sub = PLAYERS[i]!;
    const settled = client.held !== undefined && settledIn.get(sub)?.has(client.held.id) === true;
    const searching = client.held === undefined && h.matchmaker.queued(sub) !== undefined;
    expect(settled || client.out || searching, `${sub} is lost: ${JSON.stringify(client.held)}`).toBe(true);
  }
}

describe('match lifecycle under any order of answers, deadlines and restarts', () => {
  it('never settles a player in two matches, and loses nobody', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => run(steps)),
      { numRuns: 150 },
    );
  });
});
