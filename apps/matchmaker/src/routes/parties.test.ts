// Party tickets over HTTP: one entry per player whichever ticket came last, a displaced party
// ticket refused with 409 party-changed, and a party matched whole.
import { describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../../test/support.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const body = async (res: Response) => (await res.json()) as Record<string, any>;
const members = (...subs: string[]) => subs.map((sub) => ({ sub, rating: 1500 }));

describe('party tickets at the matchmaker', () => {
  it('a party of 3 and 5 solos form one 4v4, the party in one team; any member holding the party ticket hears it', async () => {
    const h = createHarness();
    const party = h.ticket('lead', { mode: 'squad', party: members('m1', 'm2') });
    expect((await body(await h.submit(party))).status).toBe('searching');
    for (const solo of ['s1', 's2', 's3', 's4', 's5']) expect((await body(await h.submit(h.ticket(solo, { mode: 'squad' })))).status).toBe('searching');
    expect(h.matchmaker.playersIn()).toBe(8);
    h.advance(2_000);
    expect(h.matchmaker.tick()).toBe(1);
    const matched = await body(await h.submit(party));
    expect(matched.status).toBe('ready');
    const teams = (matched.match.teams as { sub: string }[][]).map((team) => team.map((p) => p.sub));
    expect(teams.flat().sort()).toEqual(['lead', 'm1', 'm2', 's1', 's2', 's3', 's4', 's5']);
    expect(teams.find((team) => team.includes('lead'))).toEqual(expect.arrayContaining(['lead', 'm1', 'm2']));
    expect(h.matchmaker.playersIn()).toBe(0);
  });

  it("a member's newer solo ticket displaces the party entry: the party ticket then gets 409 party-changed and changes nothing", async () => {
    const h = createHarness();
    const party = h.ticket('lead', { mode: 'squad', party: members('m1', 'm2') });
    await h.submit(party);
    h.advance(500);
    expect((await body(await h.submit(h.ticket('m2', { mode: 'squad' })))).status).toBe('searching');
    expect(h.matchmaker.playersIn()).toBe(1);
    const refused = await h.submit(party);
    expect(refused.status).toBe(409);
    expect(await problemOf(refused)).toMatchObject({ code: 'party-changed', status: 409 });
    expect(h.matchmaker.playersIn()).toBe(1);
  });

  it("a newer party ticket takes its members out of their solo entries; a member's older solo ticket is refused", async () => {
    const h = createHarness();
    const solo = h.ticket('m1', { mode: 'squad' });
    await h.submit(solo);
    h.advance(500);
    await h.submit(h.ticket('lead', { mode: 'squad', party: members('m1') }));
    expect(h.matchmaker.playersIn()).toBe(2);
    expect(await problemOf(await h.submit(solo))).toMatchObject({ code: 'party-changed' });
    expect(h.matchmaker.playersIn()).toBe(2);
  });

  it('leaving with the party ticket takes the whole party out', async () => {
    const h = createHarness();
    const party = h.ticket('lead', { mode: 'squad', party: members('m1', 'm2') });
    await h.submit(party);
    expect((await h.leave(party)).status).toBe(204);
    expect(h.matchmaker.playersIn()).toBe(0);
  });
});
