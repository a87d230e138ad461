/** The part of pg's Pool the lookup uses (TypeORM keeps the pool on its driver as `master`). */
export interface PostgresPool {
  query(config: { name: string; text: string; values: unknown[]; query_timeout: number }): Promise<{ rows: unknown[] }>;
}

/** The per-request lookup of sessions.service.ts in PostgreSQL's placeholders. */
const LIVE_SESSION_SQL =
  'SELECT u.username, u.name, u.role, u.status, u.created_at, u.updated_at, u.last_login_at, ' +
  's.revoked_at, s.expires_at, s.last_used_at ' +
  'FROM sessions s INNER JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2';

/**
 * The session lookup on PostgreSQL, straight on pg's pool: a named statement is parsed and
 * planned once per connection, then only executed. pool.query releases a client that failed
 * (timeout, lost connection) with the error, so the pool drops it instead of reusing it.
 */
export async function postgresLiveSessionRow(
  pool: PostgresPool,
  sessionId: string,
  userId: string,
  timeoutMs: number,
): Promise<Record<string, unknown> | undefined> {
  const result = await pool.query({
    name: 'live_session',
    text: LIVE_SESSION_SQL,
    values: [sessionId, userId],
    query_timeout: timeoutMs,
  });
  return result.rows[0] as Record<string, unknown> | undefined;
}
