// The ResultStore half of the PostgreSQL store. A result is inserted first (the match id is
// the key: of concurrent reports one inserts, the others read its row), then the members'
// rating rows are locked in id order, so two results for the same players apply one after
// the other, across issuers, without deadlocks.
import type pg from 'pg';
import type { Skill } from '../skill.ts';
import { inTransaction } from './postgres-transaction.ts';
import { NameTakenError, UnknownPlayerError, type GameServer, type MatchResult, type ResultStore } from './result-store.ts';

interface ServerRow {
  id: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
}

interface ResultRow {
  match_id: string;
  game_server_id: string;
  mode: string;
  digest: string;
  outcome: string;
  reported_at: string;
}

const SERVER_COLUMNS = 'id, name, created_at, revoked_at';
// BIGINT arrives as a string; our millisecond times fit a double exactly.
const toServer = (row: ServerRow): GameServer => ({ id: row.id, name: row.name, createdAt: Number(row.created_at), revokedAt: row.revoked_at === null ? null : Number(row.revoked_at) });
const toResult = (row: ResultRow): MatchResult => ({
  matchId: row.match_id,
  gameServerId: row.game_server_id,
  mode: row.mode,
  digest: row.digest,
  outcome: row.outcome,
  reportedAt: Number(row.reported_at),
});

async function readSkills(db: pg.Pool | pg.PoolClient, userIds: readonly string[], mode: string, fresh: Skill, lock: boolean): Promise<Skill[]> {
  const { rows } = await db.query<{ user_id: string; rating: number; sigma: number | null }>(
    `SELECT user_id, rating, sigma FROM ratings WHERE mode = $1 AND user_id = ANY($2::text[]) ORDER BY user_id${lock ? ' FOR UPDATE' : ''}`,
    [mode, [...userIds]],
  );
  const byId = new Map(rows.map((r) => [r.user_id, { mu: r.rating, sigma: r.sigma ?? fresh.sigma }]));
  return userIds.map((id) => byId.get(id) ?? fresh);
}

export function postgresResultStore(pool: pg.Pool): ResultStore {
  return {
    async addGameServer(server) {
      try {
        const { rows } = await pool.query<ServerRow>(
          `INSERT INTO game_servers (id, name, secret_digest, created_at) VALUES ($1, $2, $3, $4) RETURNING ${SERVER_COLUMNS}`,
          [server.id, server.name, server.secretDigest, server.at],
        );
        return toServer(rows[0]!);
      } catch (error) {
        const { code, constraint } = error as { code?: string; constraint?: string };
        if (code === '23505' && constraint === 'game_servers_name_key') throw new NameTakenError(server.name);
        throw error;
      }
    },
    async gameServerBySecret(digest) {
      const row = (await pool.query<ServerRow>(`SELECT ${SERVER_COLUMNS} FROM game_servers WHERE secret_digest = $1`, [digest])).rows[0];
      return row === undefined ? undefined : toServer(row);
    },
    listGameServers: async () => (await pool.query<ServerRow>(`SELECT ${SERVER_COLUMNS} FROM game_servers ORDER BY created_at, name`)).rows.map(toServer),
    async revokeGameServer(idOrName, at) {
      const { rows } = await pool.query<ServerRow>(
        // By id when one has it, else by name: a name that looks like another server's id revokes only one.
        `UPDATE game_servers SET revoked_at = coalesce(revoked_at, $1)
         WHERE id = coalesce((SELECT id FROM game_servers WHERE id = $2), (SELECT id FROM game_servers WHERE name = $2))
         RETURNING ${SERVER_COLUMNS}`,
        [at, idOrName],
      );
      return rows[0] === undefined ? undefined : toServer(rows[0]);
    },
    skillsOf: (userIds, mode, fresh) => readSkills(pool, userIds, mode, fresh, false),
    recordResult: (result, members, fresh, update) =>
      inTransaction(pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO match_results (match_id, game_server_id, mode, digest, outcome, reported_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (match_id) DO NOTHING`,
          [result.matchId, result.gameServerId, result.mode, result.digest, result.outcome, result.reportedAt],
        );
        if (inserted.rowCount === 0) {
          const row = (await client.query<ResultRow>('SELECT * FROM match_results WHERE match_id = $1', [result.matchId])).rows[0]!;
          return { recorded: false, result: toResult(row) };
        }
        // Rows for players with none yet, so every member's row can be locked.
        const sorted = [...members].sort();
        await client.query(
          `INSERT INTO ratings (user_id, mode, rating, sigma, updated_at)
           SELECT id, $2, $3, $4, $5 FROM unnest($1::text[]) AS id ORDER BY id
           ON CONFLICT (user_id, mode) DO NOTHING`,
          [sorted, result.mode, fresh.mu, fresh.sigma, result.reportedAt],
        );
        const after = update(await readSkills(client, members, result.mode, fresh, true));
        await client.query(
          `UPDATE ratings r SET rating = u.mu, sigma = u.sigma, updated_at = $4
           FROM unnest($1::text[], $2::float8[], $3::float8[]) AS u(id, mu, sigma)
           WHERE r.user_id = u.id AND r.mode = $5`,
          [[...members], after.map((s) => s.mu), after.map((s) => s.sigma), result.reportedAt, result.mode],
        );
        return { recorded: true, result };
      }).catch((error: unknown) => {
        // A member who is not a user: the rating rows' foreign key; the transaction rolled back.
        if ((error as { code?: string }).code === '23503') throw new UnknownPlayerError();
        throw error;
      }),
  };
}
