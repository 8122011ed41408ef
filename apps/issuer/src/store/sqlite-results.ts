// The ResultStore half of the SQLite store: a result and the skills it moves in one IMMEDIATE
// transaction, so issuers sharing the file apply results one after another.
import type Database from 'better-sqlite3';
import type { Skill } from '../skill.ts';
import { NameTakenError, UnknownPlayerError, type GameServer, type MatchResult, type NewGameServer, type ResultStore } from './result-store.ts';

interface ServerRow {
  id: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

interface ResultRow {
  match_id: string;
  game_server_id: string;
  mode: string;
  digest: string;
  outcome: string;
  reported_at: number;
}

const toServer = (row: ServerRow): GameServer => ({ id: row.id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at });
const toResult = (row: ResultRow): MatchResult => ({
  matchId: row.match_id,
  gameServerId: row.game_server_id,
  mode: row.mode,
  digest: row.digest,
  outcome: row.outcome,
  reportedAt: row.reported_at,
});

export function sqliteResultStore(db: Database.Database): ResultStore {
  const insertServer = db.prepare(
    'INSERT INTO game_servers (id, name, secret_digest, created_at) VALUES (@id, @name, @secretDigest, @at) RETURNING id, name, created_at, revoked_at',
  );
  const serverBySecret = db.prepare('SELECT id, name, created_at, revoked_at FROM game_servers WHERE secret_digest = ?');
  const allServers = db.prepare('SELECT id, name, created_at, revoked_at FROM game_servers ORDER BY created_at, name');
  const revoke = db.prepare(
    // By id when one has it, else by name: a name that looks like another server's id revokes only one.
    `UPDATE game_servers SET revoked_at = coalesce(revoked_at, ?)
     WHERE id = coalesce((SELECT id FROM game_servers WHERE id = ?), (SELECT id FROM game_servers WHERE name = ?))
     RETURNING id, name, created_at, revoked_at`,
  );
  const skillOf = db.prepare('SELECT rating AS mu, sigma FROM ratings WHERE user_id = ? AND mode = ?');
  const resultOf = db.prepare('SELECT * FROM match_results WHERE match_id = ?');
  const insertResult = db.prepare(
    'INSERT INTO match_results (match_id, game_server_id, mode, digest, outcome, reported_at) VALUES (@matchId, @gameServerId, @mode, @digest, @outcome, @reportedAt)',
  );
  const upsertSkill = db.prepare(
    `INSERT INTO ratings (user_id, mode, rating, sigma, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id, mode) DO UPDATE SET rating = excluded.rating, sigma = excluded.sigma, updated_at = excluded.updated_at`,
  );

  const skillsOf = (userIds: readonly string[], mode: string, fresh: Skill): Skill[] =>
    userIds.map((id) => {
      const row = skillOf.get(id, mode) as { mu: number; sigma: number | null } | undefined;
      return row === undefined ? fresh : { mu: row.mu, sigma: row.sigma ?? fresh.sigma };
    });

  const record = db.transaction((result: MatchResult, members: readonly string[], fresh: Skill, update: (skills: readonly Skill[]) => readonly Skill[]) => {
    const existing = resultOf.get(result.matchId) as ResultRow | undefined;
    if (existing !== undefined) return { recorded: false, result: toResult(existing) };
    insertResult.run(result);
    const after = update(skillsOf(members, result.mode, fresh));
    members.forEach((id, i) => upsertSkill.run(id, result.mode, after[i]!.mu, after[i]!.sigma, result.reportedAt));
    return { recorded: true, result };
  });

  return {
    async addGameServer(server: NewGameServer) {
      try {
        return toServer(insertServer.get(server) as ServerRow);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && String(error).includes('game_servers.name')) throw new NameTakenError(server.name);
        throw error;
      }
    },
    gameServerBySecret: async (digest) => {
      const row = serverBySecret.get(digest) as ServerRow | undefined;
      return row === undefined ? undefined : toServer(row);
    },
    listGameServers: async () => (allServers.all() as ServerRow[]).map(toServer),
    revokeGameServer: async (idOrName, at) => {
      const row = revoke.get(at, idOrName, idOrName) as ServerRow | undefined;
      return row === undefined ? undefined : toServer(row);
    },
    skillsOf: async (userIds, mode, fresh) => skillsOf(userIds, mode, fresh),
    async recordResult(result, members, fresh, update) {
      try {
        return record.immediate(result, members, fresh, update);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new UnknownPlayerError();
        throw error;
      }
    },
  };
}
