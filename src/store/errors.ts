/** Recognises a unique-constraint violation on SQLite (better-sqlite3) and PostgreSQL (pg). */
export function isUniqueViolation(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
