// The PartyStore half of the PostgreSQL store. Every change locks the party's row first
// (SELECT ... FOR UPDATE), so changes to one party run one after another across issuers.
import type pg from 'pg';
import { AlreadyInPartyError, type JoinOutcome, type LeaveOutcome, type Party, type PartyStore } from './party-store.ts';
import { inTransaction } from './postgres-transaction.ts';

interface PartyRow {
  id: string;
  mode: string;
  leader_id: string;
  version: number;
  changed_at: string;
  created_at: string;
  members: { userId: string; joinedAt: number }[];
}

// One statement, so the party and its members come from one snapshot.
const SELECT_PARTY = `
  SELECT p.id, p.mode, p.leader_id, p.version, p.changed_at, p.created_at,
    (SELECT json_agg(json_build_object('userId', m.user_id, 'joinedAt', m.joined_at) ORDER BY m.id)
       FROM party_members m WHERE m.party_id = p.id) AS members
  FROM parties p`;

function toParty(row: PartyRow): Party {
  return {
    id: row.id,
    mode: row.mode,
    leaderId: row.leader_id,
    version: row.version,
    // BIGINT arrives as a string; our millisecond times fit a double exactly.
    changedAt: Number(row.changed_at),
    createdAt: Number(row.created_at),
    members: row.members,
  };
}

async function readParty(db: pg.Pool | pg.PoolClient, where: string, value: string): Promise<Party | undefined> {
  const row = (await db.query<PartyRow>(`${SELECT_PARTY} WHERE ${where}`, [value])).rows[0];
  return row === undefined ? undefined : toParty(row);
}

/** Locks the party's row for the rest of the transaction; undefined when there is no such party. */
async function lockParty(client: pg.PoolClient, id: string): Promise<{ leader_id: string } | undefined> {
  return (await client.query<{ leader_id: string }>('SELECT leader_id FROM parties WHERE id = $1 FOR UPDATE', [id])).rows[0];
}

/** Inserts a member unless they are in a party already, racing inserts included (the unique user_id). */
async function addMember(client: pg.PoolClient, partyId: string, userId: string, at: number): Promise<boolean> {
  const { rowCount } = await client.query(
    'INSERT INTO party_members (party_id, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING',
    [partyId, userId, at],
  );
  return rowCount === 1;
}

const bumpVersion = (client: pg.PoolClient, partyId: string, at: number) =>
  client.query('UPDATE parties SET version = version + 1, changed_at = $1 WHERE id = $2', [at, partyId]);

export function postgresPartyStore(pool: pg.Pool): PartyStore {
  return {
    createParty: (party) =>
      inTransaction(pool, async (client) => {
        await client.query('INSERT INTO parties (id, mode, leader_id, version, changed_at, created_at) VALUES ($1, $2, $3, 1, $4, $4)', [
          party.id,
          party.mode,
          party.leaderId,
          party.at,
        ]);
        // Throwing rolls the party back too.
        if (!(await addMember(client, party.id, party.leaderId, party.at))) throw new AlreadyInPartyError(party.leaderId);
        return (await readParty(client, 'p.id = $1', party.id))!;
      }),
    getParty: (id) => readParty(pool, 'p.id = $1', id),
    partyOf: (userId) => readParty(pool, 'p.id = (SELECT party_id FROM party_members WHERE user_id = $1)', userId),
    joinParty: (partyId, userId, at, maxSize) =>
      inTransaction(pool, async (client): Promise<JoinOutcome> => {
        if ((await lockParty(client, partyId)) === undefined) return 'not-found';
        // Counted under the lock: a concurrent join of this party waits for our commit, then counts us.
        const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM party_members WHERE party_id = $1', [partyId]);
        const inParty = await client.query('SELECT 1 FROM party_members WHERE user_id = $1', [userId]);
        if (inParty.rowCount !== 0) return 'already-in-party';
        if (rows[0]!.n >= maxSize) return 'full';
        if (!(await addMember(client, partyId, userId, at))) return 'already-in-party';
        await bumpVersion(client, partyId, at);
        return 'joined';
      }),
    leaveParty: (partyId, userId, at) =>
      inTransaction(pool, async (client): Promise<LeaveOutcome> => {
        const party = await lockParty(client, partyId);
        if (party === undefined) return 'not-found';
        if (party.leader_id === userId) {
          await client.query('DELETE FROM parties WHERE id = $1', [partyId]);
          return 'disbanded';
        }
        const { rowCount } = await client.query('DELETE FROM party_members WHERE party_id = $1 AND user_id = $2', [partyId, userId]);
        if (rowCount === 0) return 'not-a-member';
        await bumpVersion(client, partyId, at);
        return 'left';
      }),
    disbandParty: async (id) => ((await pool.query('DELETE FROM parties WHERE id = $1', [id])).rowCount ?? 0) > 0,
  };
}
