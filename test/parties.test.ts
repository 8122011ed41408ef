// Parties end to end, real processes: friends form a party at the issuer with their own
// sessions, every member's client queues with the same party ticket, a party of 3 and 5 solos
// form one 4v4 with the party in one team, and a member who queues solo takes the party out.
import { createClient, type Match, type TicketboothClient } from '@ticketbooth/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlayers, poolSizes, startCluster, waitFor, type Cluster, type TestPlayer } from './support/cluster.ts';

const RESUBMIT_MS = 300;

const clientOf = (cluster: Cluster, player: TestPlayer): TicketboothClient => createClient({ issuerUrl: cluster.issuer.url, fetch: player.fetch });

/** The leader makes a party for `mode`; every other player joins it with the invite. */
async function formParty(cluster: Cluster, leader: TestPlayer, members: TestPlayer[], mode: string) {
  const { party, invite } = await clientOf(cluster, leader).createParty(leader.session, mode);
  for (const member of members) await clientOf(cluster, member).joinParty(member.session, party.id, invite.token);
  return party.id;
}

describe('parties, end to end', () => {
  const clusters: Cluster[] = [];
  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((c) => c.stop()));
  });

  it('a party of 3 and 5 solos form one 4v4: every member receives the same match, the party in one team', async () => {
    const cluster = await startCluster({ resubmitMs: RESUBMIT_MS, warmupMs: 500 });
    clusters.push(cluster);
    const players = await createPlayers(cluster, 8, 'squad', (i) => 1500 + i * 5);
    const [leader, m1, m2, ...solos] = players as [TestPlayer, TestPlayer, TestPlayer, ...TestPlayer[]];
    const partyId = await formParty(cluster, leader, [m1, m2], 'squad');
    // The party's members all get the very same ticket: any of their clients keeps it queued.
    const tickets = await Promise.all([leader, m1, m2].map((p) => clientOf(cluster, p).requestTicket(p.session, { mode: 'squad', region: 'eu', party: partyId })));
    expect(new Set(tickets.map((t) => t.ticket)).size).toBe(1);

    const signal = AbortSignal.timeout(30_000);
    const queued = (p: TestPlayer, party?: string) => clientOf(cluster, p).queue(p.session, { mode: 'squad', region: 'eu', ...(party ? { party } : {}) }, { signal });
    const matches: Match[] = await Promise.all([...[leader, m1, m2].map((p) => queued(p, partyId)), ...solos.map((p) => queued(p))]);

    expect(new Set(matches.map((m) => m.id)).size).toBe(1);
    const teams = matches[0]!.teams.map((team) => team.map((p) => p.sub));
    expect(teams.map((team) => team.length)).toEqual([4, 4]);
    expect(teams.flat().sort()).toEqual(players.map((p) => p.id).sort());
    expect(teams.find((team) => team.includes(leader.id))).toEqual(expect.arrayContaining([leader.id, m1.id, m2.id]));
    expect(await poolSizes(cluster.matchmaker.url)).toBe(0);
  });

  it("a member's solo ticket displaces the party entry, and the party ticket is then refused with 409 party-changed", async () => {
    const cluster = await startCluster({ resubmitMs: RESUBMIT_MS, warmupMs: 500 });
    clusters.push(cluster);
    const [leader, member] = (await createPlayers(cluster, 2, 'squad')) as [TestPlayer, TestPlayer];
    const partyId = await formParty(cluster, leader, [member], 'squad');
    const leaderClient = clientOf(cluster, leader);
    const partyTicket = await leaderClient.requestTicket(leader.session, { mode: 'squad', region: 'eu', party: partyId });
    expect(await leaderClient.submit(partyTicket)).toMatchObject({ status: 'searching', playersInPool: 2 });

    // The member queues on their own: a newer ticket of theirs, the party entry goes.
    const memberClient = clientOf(cluster, member);
    const solo = await memberClient.requestTicket(member.session, { mode: 'squad', region: 'eu' });
    expect(await memberClient.submit(solo)).toMatchObject({ status: 'searching', playersInPool: 1 });
    const refused = await leaderClient.submit(partyTicket).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 409, code: 'party-changed' });
    await waitFor('one player queued', async () => ((await poolSizes(cluster.matchmaker.url)) === 1 ? true : undefined), 5_000);
  });
});
