/**
 * `switchyard/stores/postgres`: a durable, shared `Store` in one PostgreSQL table, through `pg`.
 *
 * Atomicity comes from single statements: `INSERT … ON CONFLICT` for first-writer-wins and
 * conditional `UPDATE … WHERE version = $n` for compare-and-set. Versions come from a sequence, so
 * they are never reused. Expired rows count as absent on every read and write (the database clock
 * decides), and `deleteExpired()` removes them for good; run it from a cron job.
 *
 * @packageDocumentation
 */
import { IntegrationError } from '../../core/errors.js';
import {
  assertKey,
  assertKeyList,
  assertTtl,
  assertVersion,
  checkBatch,
  encodeValue,
  type Store,
  type StoreEntry,
  type StoreWriteOptions,
} from '../store.js';
import { assertTableName, migrationSql, queries, type Queries } from './sql.js';

export { migrationSql as postgresStoreMigrationSql } from './sql.js';

/** What the store needs from a `pg.Pool` (or a compatible pool): `query`, and `end` when it owns it. */
export interface PgPoolLike {
  /** Run one parameterized statement. */
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  /** Close the pool (called by `close()` only when the store created it). */
  end(): Promise<void>;
}

/** Options of `createPostgresStore` whichever way it connects. */
export interface PostgresStoreCommonOptions {
  /**
   * Table name, optionally schema-qualified (`app.switchyard_store`). Default `switchyard_store`.
   * Lower-case letters, digits and underscores, at most 48 per part: it is spliced into SQL.
   */
  tableName?: string;
}

/** Options of `createPostgresStore`: your `pool`, or a `connectionString` for a pool the store owns. */
export type PostgresStoreOptions =
  /** A `pg.Pool` you built (and will end yourself: `close()` leaves it open). */
  | (PostgresStoreCommonOptions & { pool: PgPoolLike; connectionString?: never })
  /** A `postgres://` connection string; the store creates a pool and `close()` ends it. */
  | (PostgresStoreCommonOptions & { connectionString: string; pool?: never; maxConnections?: number });

/** A `Store` in PostgreSQL, plus table maintenance. */
export interface PostgresStore extends Store {
  readonly tableName: string;
  /** Create the table, its sequence and its expiry index if they are missing. Safe to run concurrently. */
  migrate(): Promise<void>;
  /** Delete expired rows (at most `limit` per call, default 10,000); returns how many went. */
  deleteExpired(limit?: number): Promise<number>;
}

const DEFAULT_TABLE = 'switchyard_store';
// 48 characters at most, so `<table>_expires_at_idx` and `<table>_version_seq` stay within
// PostgreSQL's 63-byte identifiers instead of being silently truncated.

/**
 * A durable `Store` shared by many processes, in one PostgreSQL table through pg (a `connectionString` or your pool).
 *
 * @example
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const config = validate(options);
  const q: Queries = queries(config.tableName);
  const ownsPool = config.pool === undefined;
  let poolPromise: Promise<PgPoolLike> | undefined;
  const pool = (): Promise<PgPoolLike> => {
    poolPromise ??= config.pool ? Promise.resolve(config.pool) : connect(config.connectionString as string, config.maxConnections);
    return poolPromise;
  };
  const query = async (text: string, values: unknown[]) => {
    const p = await pool();
    try {
      return await p.query(text, values);
    } catch (error) {
      throw toStoreError(error, config.tableName);
    }
  };
  const ttlArg = (opts: StoreWriteOptions | undefined) => assertTtl(opts) ?? null;
  const versionOf = (rows: Record<string, unknown>[]): number | false => (rows[0] ? Number(rows[0].version) : false);

  return {
    tableName: config.tableName,
    async get<T>(key: string): Promise<StoreEntry<T> | undefined> {
      assertKey(key);
      const { rows } = await query(q.get, [key]);
      const row = rows[0];
      if (!row) return undefined;
      const entry: StoreEntry<T> = { value: JSON.parse(row.value as string) as T, version: Number(row.version) };
      if (row.expires_at_ms != null) entry.expiresAt = Number(row.expires_at_ms);
      return entry;
    },
    async getMany<T>(keys: readonly string[]): Promise<(StoreEntry<T> | undefined)[]> {
      assertKeyList(keys);
      if (keys.length === 0) return [];
      const { rows } = await query(q.getMany, [keys]);
      const byKey = new Map(rows.map((row) => [row.key as string, row]));
      return keys.map((key) => {
        const row = byKey.get(key);
        if (!row) return undefined;
        const entry: StoreEntry<T> = { value: JSON.parse(row.value as string) as T, version: Number(row.version) };
        if (row.expires_at_ms != null) entry.expiresAt = Number(row.expires_at_ms);
        return entry;
      });
    },
    async set(key, value, opts) {
      assertKey(key);
      const json = encodeValue(value);
      const { rows } = await query(q.set, [key, json, ttlArg(opts)]);
      return versionOf(rows) as number;
    },
    async setMany(entries, opts) {
      const json = checkBatch(entries, opts);
      if (entries.length === 0) return [];
      const { rows } = await query(q.setMany, [entries.map((e) => e.key), json, ttlArg(opts)]);
      const versions = new Map(rows.map((row) => [row.key as string, Number(row.version)]));
      return entries.map((e) => versions.get(e.key) as number);
    },
    async setIfAbsent(key, value, opts) {
      assertKey(key);
      const json = encodeValue(value);
      const { rows } = await query(q.insertIfAbsent, [key, json, ttlArg(opts)]);
      return rows.length > 0;
    },
    async compareAndSet(key, expectedVersion, value, opts) {
      assertKey(key);
      assertVersion(expectedVersion);
      const json = encodeValue(value);
      const ttl = ttlArg(opts);
      const { rows } =
        expectedVersion === null
          ? await query(q.insertIfAbsent, [key, json, ttl])
          : await query(q.updateIfVersion, [key, json, ttl, expectedVersion]);
      return versionOf(rows);
    },
    async compareAndDelete(key, expectedVersion) {
      assertKey(key);
      assertVersion(expectedVersion);
      if (expectedVersion === null) return false;
      const { rows } = await query(q.deleteIfVersion, [key, expectedVersion]);
      return rows.length > 0;
    },
    async delete(key) {
      assertKey(key);
      const { rows } = await query(q.delete, [key]);
      return rows[0]?.live === true;
    },
    async migrate() {
      const p = await pool();
      try {
        await p.query(migrationSql(config.tableName));
      } catch (error) {
        throw toStoreError(error, config.tableName);
      }
    },
    async deleteExpired(limit = 10_000) {
      if (!Number.isSafeInteger(limit) || limit <= 0) {
        throw new IntegrationError('invalid_input', 'limit must be a positive integer', { details: { field: 'limit' } });
      }
      const { rowCount } = await query(q.deleteExpired, [limit]);
      return rowCount ?? 0;
    },
    async close() {
      if (!ownsPool || !poolPromise) return;
      const p = await poolPromise.catch(() => undefined);
      poolPromise = undefined;
      await p?.end().catch(() => undefined);
    },
  };
}

interface ValidConfig {
  tableName: string;
  pool?: PgPoolLike;
  connectionString?: string;
  maxConnections?: number;
}

function validate(options: PostgresStoreOptions): ValidConfig {
  if (typeof options !== 'object' || options === null) {
    throw new IntegrationError('invalid_config', 'createPostgresStore needs { pool } or { connectionString }', {
      details: { field: 'options' },
    });
  }
  const o = options as { pool?: unknown; connectionString?: unknown; tableName?: unknown; maxConnections?: unknown };
  const tableName = o.tableName ?? DEFAULT_TABLE;
  assertTableName(tableName);
  if ((o.pool === undefined) === (o.connectionString === undefined)) {
    throw new IntegrationError('invalid_config', 'createPostgresStore needs exactly one of { pool } or { connectionString }', {
      details: { field: o.pool === undefined ? 'connectionString' : 'pool' },
    });
  }
  if (o.pool !== undefined) {
    const p = o.pool as Partial<PgPoolLike>;
    if (typeof p.query !== 'function') {
      throw new IntegrationError('invalid_config', 'pool must be a pg.Pool (or have a compatible query method)', {
        details: { field: 'pool' },
      });
    }
    return { tableName, pool: o.pool as PgPoolLike };
  }
  if (typeof o.connectionString !== 'string' || !/^postgres(ql)?:\/\//.test(o.connectionString)) {
    // Never echo the string: it may carry a password.
    throw new IntegrationError('invalid_config', 'connectionString must be a postgres:// or postgresql:// URL', {
      details: { field: 'connectionString' },
    });
  }
  if (o.maxConnections !== undefined && !(Number.isSafeInteger(o.maxConnections) && (o.maxConnections as number) > 0)) {
    throw new IntegrationError('invalid_config', 'maxConnections must be a positive integer', { details: { field: 'maxConnections' } });
  }
  return { tableName, connectionString: o.connectionString, maxConnections: o.maxConnections as number | undefined };
}

async function connect(connectionString: string, max = 10): Promise<PgPoolLike> {
  let mod: { Pool?: unknown; default?: { Pool?: unknown } };
  try {
    mod = (await import('pg')) as unknown as typeof mod;
  } catch (cause) {
    throw new IntegrationError('invalid_config', 'createPostgresStore({ connectionString }) needs the optional peer "pg": npm install pg', {
      cause,
      details: { field: 'connectionString' },
    });
  }
  // pg is CommonJS: under ESM its classes hang off the default export.
  const Pool = (mod.Pool ?? mod.default?.Pool) as new (config: object) => PgPoolLike;
  return new Pool({ connectionString, max });
}

function toStoreError(error: unknown, table: string): IntegrationError {
  if (error instanceof IntegrationError) return error;
  const code = (error as { code?: unknown })?.code;
  if (code === '42P01') {
    return new IntegrationError(
      'invalid_config',
      `table ${table} does not exist: run store.migrate() (or postgresStoreMigrationSql) first`,
      {
        provider: 'postgres',
        cause: error,
        details: { field: 'tableName' },
      },
    );
  }
  return new IntegrationError('unavailable', 'PostgreSQL store query failed', { provider: 'postgres', cause: error });
}
