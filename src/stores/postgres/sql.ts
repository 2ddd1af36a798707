/**
 * The SQL of the PostgreSQL store. `$3` is always the TTL in seconds (NULL for none); expiry uses
 * the database clock (`now()`, the statement's start time in autocommit), so every client agrees.
 * Table names are validated identifiers before they reach here.
 */
import { IntegrationError } from '../../core/errors.js';

/** A lower-case SQL identifier, optionally `schema.table`: nothing that needs quoting, nothing to inject. */
export const TABLE_NAME = /^([a-z_][a-z0-9_]{0,47}\.)?[a-z_][a-z0-9_]{0,47}$/;

/** Refuse a table name that is not a plain identifier before it is spliced into SQL. */
export function assertTableName(tableName: unknown): asserts tableName is string {
  if (typeof tableName !== 'string' || !TABLE_NAME.test(tableName)) {
    throw new IntegrationError('invalid_config', 'tableName must be a lower-case SQL identifier, optionally schema.table', {
      details: { field: 'tableName' },
    });
  }
}

/**
 * The migration: one sequence (versions, never reused), one table, one partial index for the
 * cleanup. Idempotent, and serialized by an advisory lock because concurrent `CREATE … IF NOT
 * EXISTS` can still collide in the catalog. The table name must be a lower-case identifier
 * (optionally `schema.table`), as `createPostgresStore` requires; anything else is `invalid_config`.
 *
 * @example
 * writeFileSync('migrations/001_switchyard_store.sql', postgresStoreMigrationSql('switchyard_store'));
 */
export function migrationSql(tableName: string): string {
  assertTableName(tableName);
  // An index lives in its table's schema, so its name is the bare table name, never qualified.
  const index = `${tableName.split('.').pop()}_expires_at_idx`;
  return `
BEGIN;
SELECT pg_advisory_xact_lock(hashtext('switchyard_store_migration:${tableName}'));
CREATE SEQUENCE IF NOT EXISTS ${tableName}_version_seq;
CREATE TABLE IF NOT EXISTS ${tableName} (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  version    bigint NOT NULL,
  expires_at timestamptz
);
CREATE INDEX IF NOT EXISTS ${index} ON ${tableName} (expires_at) WHERE expires_at IS NOT NULL;
COMMIT;`;
}

export interface Queries {
  get: string;
  set: string;
  insertIfAbsent: string;
  updateIfVersion: string;
  delete: string;
  deleteIfVersion: string;
  deleteExpired: string;
  /** `$1` a text[] of keys. */
  getMany: string;
  /** `$1` a text[] of distinct keys, `$2` a text[] of JSON values, `$3` the TTL. */
  setMany: string;
}

export function queries(t: string): Queries {
  const live = `(${t}.expires_at IS NULL OR ${t}.expires_at > now())`;
  const expiry = `CASE WHEN $3::float8 IS NULL THEN NULL ELSE now() + $3::float8 * interval '1 second' END`;
  const insert = `INSERT INTO ${t} (key, value, version, expires_at) VALUES ($1, $2, nextval('${t}_version_seq'), ${expiry})`;
  const replace = 'SET value = EXCLUDED.value, version = EXCLUDED.version, expires_at = EXCLUDED.expires_at';
  return {
    get: `SELECT value, version, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms FROM ${t} WHERE key = $1 AND ${live}`,
    set: `${insert} ON CONFLICT (key) DO UPDATE ${replace} RETURNING version`,
    // Inserts, or replaces a row that has expired; a live row makes it return nothing. Under
    // concurrency the ON CONFLICT path re-checks the WHERE on the latest row version.
    insertIfAbsent: `${insert} ON CONFLICT (key) DO UPDATE ${replace} WHERE NOT ${live} RETURNING version`,
    updateIfVersion: `UPDATE ${t} SET value = $2, version = nextval('${t}_version_seq'), expires_at = ${expiry}
      WHERE key = $1 AND version = $4 AND ${live} RETURNING version`,
    delete: `DELETE FROM ${t} WHERE key = $1 RETURNING ${live} AS live`,
    deleteIfVersion: `DELETE FROM ${t} WHERE key = $1 AND version = $2 AND ${live} RETURNING version`,
    deleteExpired: `DELETE FROM ${t} WHERE ctid IN (SELECT ctid FROM ${t} WHERE expires_at <= now() LIMIT $1)`,
    getMany: `SELECT key, value, version, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms FROM ${t} WHERE key = ANY($1::text[]) AND ${live}`,
    // One statement, so the batch is all-or-nothing; keys are distinct (checked before), which
    // ON CONFLICT DO UPDATE requires of the rows of one statement.
    setMany: `INSERT INTO ${t} (key, value, version, expires_at)
      SELECT b.key, b.value, nextval('${t}_version_seq'), ${expiry} FROM unnest($1::text[], $2::text[]) AS b(key, value)
      ON CONFLICT (key) DO UPDATE ${replace} RETURNING key, version`,
  };
}
