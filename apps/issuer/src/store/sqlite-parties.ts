// The PartyStore half of the SQLite store: statements prepared once on the store's connection.
import type Database from 'better-sqlite3';
import { AlreadyInPartyError, type JoinOutcome, type LeaveOutcome, type NewParty, type Party, type PartyStore } from './party-store.ts';

interface PartyRow {
  id: string;
  mode: string;
  leader_id: string;
  version: number;
  changed_at: number;
  created_at: number;
}

interface MemberRow {
  user_id: string;
  joined_at: number;
}

export function sqlitePartyStore(db: Database.Database): PartyStore {
  const partyById = db.prepare('SELECT * FROM parties WHERE id = ?');
  const partyIdOf = db.prepare('SELECT party_id FROM party_members WHERE user_id = ?').pluck();
  const membersOf = db.prepare('SELECT user_id, joined_at FROM party_members WHERE party_id = ? ORDER BY id');
  const memberCount = db.prepare('SELECT count(*) FROM party_members WHERE party_id = ?').pluck();
  const insertParty = db.prepare(
    'INSERT INTO parties (id, mode, leader_id, version, changed_at, created_at) VALUES (@id, @mode, @leaderId, 1, @at, @at)',
  );
  const insertMember = db.prepare('INSERT INTO party_members (party_id, user_id, joined_at) VALUES (?, ?, ?)');
  const deleteMember = db.prepare('DELETE FROM party_members WHERE party_id = ? AND user_id = ?');
  const bumpVersion = db.prepare('UPDATE parties SET version = version + 1, changed_at = ? WHERE id = ?');
  const deleteParty = db.prepare('DELETE FROM parties WHERE id = ?');

  function readParty(id: string): Party | undefined {
    const row = partyById.get(id) as PartyRow | undefined;
    if (row === undefined) return undefined;
    const members = (membersOf.all(id) as MemberRow[]).map((m) => ({ userId: m.user_id, joinedAt: m.joined_at }));
    return {
      id: row.id,
      mode: row.mode,
      leaderId: row.leader_id,
      version: row.version,
      changedAt: row.changed_at,
      createdAt: row.created_at,
      members,
    };
  }

  // IMMEDIATE takes the write lock before the first read, so another process cannot
  // change the party between the checks and the write.
  const create = db.transaction((party: NewParty) => {
    if (partyIdOf.get(party.leaderId) !== undefined) throw new AlreadyInPartyError(party.leaderId);
    insertParty.run(party);
    insertMember.run(party.id, party.leaderId, party.at);
    return readParty(party.id)!;
  });
  const join = db.transaction((partyId: string, userId: string, at: number, maxSize: number): JoinOutcome => {
    if (partyById.get(partyId) === undefined) return 'not-found';
    if (partyIdOf.get(userId) !== undefined) return 'already-in-party';
    if ((memberCount.get(partyId) as number) >= maxSize) return 'full';
    insertMember.run(partyId, userId, at);
    bumpVersion.run(at, partyId);
    return 'joined';
  });
  const leave = db.transaction((partyId: string, userId: string, at: number): LeaveOutcome => {
    const row = partyById.get(partyId) as PartyRow | undefined;
    if (row === undefined) return 'not-found';
    if (row.leader_id === userId) {
      deleteParty.run(partyId);
      return 'disbanded';
    }
    if (deleteMember.run(partyId, userId).changes === 0) return 'not-a-member';
    bumpVersion.run(at, partyId);
    return 'left';
  });

  // One read transaction: the party row and its members from the same snapshot.
  const read = db.transaction(readParty);
  const readPartyOf = db.transaction((userId: string) => {
    const partyId = partyIdOf.get(userId) as string | undefined;
    return partyId === undefined ? undefined : readParty(partyId);
  });

  return {
    createParty: async (party) => create.immediate(party),
    getParty: async (id) => read(id),
    partyOf: async (userId) => readPartyOf(userId),
    joinParty: async (partyId, userId, at, maxSize) => join.immediate(partyId, userId, at, maxSize),
    leaveParty: async (partyId, userId, at) => leave.immediate(partyId, userId, at),
    disbandParty: async (id) => deleteParty.run(id).changes > 0,
  };
}
