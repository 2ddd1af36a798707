import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { createPostgresStore, postgresStoreMigrationSql, type PostgresStoreOptions } from '../../src/stores/postgres/index.js';
import { describeStoreConformance } from '../conformance/store.js';
import { POSTGRES_URL, peerSkipReason, uniqueName } from '../support/peers.js';

const skip = peerSkipReason('postgres');
// A table of our own per run, so parallel test files and earlier runs never collide.
const tableName = uniqueName('sy_test').toLowerCase();
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

beforeAll(async () => {
  if (skip) return;
  const store = createPostgresStore({ pool: admin, tableName });
  // Twice, and concurrently: the migration must be idempotent and safe to race.
  await Promise.all([store.migrate(), store.migrate()]);
  await store.migrate();
});
afterAll(async () => {
  if (!skip) await admin.query(`DROP TABLE IF EXISTS ${tableName}; DROP SEQUENCE IF EXISTS ${tableName}_version_seq`);
  await admin.end();
});

describeStoreConformance('postgres ({ connectionString })', () => createPostgresStore({ connectionString: POSTGRES_URL, tableName }), {
  skip,
  nativeBatch: true,
});

const pools: pg.Pool[] = [];
describeStoreConformance(
  'postgres ({ pool })',
  () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
    pools.push(pool);
    return createPostgresStore({ pool, tableName });
  },
  { skip, nativeBatch: true },
);

describe.skipIf(Boolean(skip))('createPostgresStore', () => {
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('deleteExpired removes expired rows for good and leaves live ones', async () => {
    const store = createPostgresStore({ pool: admin, tableName });
    await store.set('gc:old', 1, { ttlSeconds: 0.05 });
    await store.set('gc:live', 2, { ttlSeconds: 60 });
    await store.set('gc:forever', 3);
    await new Promise((r) => setTimeout(r, 150));
    expect(await store.deleteExpired()).toBeGreaterThanOrEqual(1);
    const { rows } = await admin.query(`SELECT key FROM ${tableName} WHERE key LIKE 'gc:%' ORDER BY key`);
    expect(rows.map((r) => r.key)).toEqual(['gc:forever', 'gc:live']);
    await expect(store.deleteExpired(0)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('keeps the JSON text exactly as written', async () => {
    const store = createPostgresStore({ pool: admin, tableName });
    await store.set('exact', { b: 1, a: 2 });
    const { rows } = await admin.query(`SELECT value FROM ${tableName} WHERE key = 'exact'`);
    expect(rows[0]?.value).toBe('{"b":1,"a":2}');
  });

  it('works with a schema-qualified table name', async () => {
    const schema = uniqueName('sy_schema').toLowerCase();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const store = createPostgresStore({ pool: admin, tableName: `${schema}.store` });
      await store.migrate();
      expect(await store.setIfAbsent('k', { ok: true }, { ttlSeconds: 60 })).toBe(true);
      expect((await store.get('k'))?.value).toEqual({ ok: true });
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('says to run the migration when the table is missing', async () => {
    const store = createPostgresStore({ pool: admin, tableName: 'sy_does_not_exist' });
    await expect(store.get('x')).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringContaining('migrate') });
  });

  it('maps a dead server to a retryable unavailable error without leaking the password', async () => {
    const store = createPostgresStore({ connectionString: 'postgres://u:hunter2secret@127.0.0.1:1/x', tableName });
    const error = await store.get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).code).toBe('unavailable');
    expect((error as IntegrationError).retryable).toBe(true);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    await store.close?.();
  });
});

describe('postgres store without a server', () => {
  it('exports the migration SQL for migration tools', () => {
    const sql = postgresStoreMigrationSql('app.idem');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS app.idem');
    expect(sql).toContain('CREATE SEQUENCE IF NOT EXISTS app.idem_version_seq');
    expect(sql).toContain('idem_expires_at_idx ON app.idem');
  });

  it.each(['x; DROP TABLE users', 'Store', "idem'--", 'a.b.c', ''])(
    'refuses to splice the table name %j into the migration SQL',
    (name) => {
      expect(() => postgresStoreMigrationSql(name)).toThrow(
        expect.objectContaining({ code: 'invalid_config', details: { field: 'tableName' } }),
      );
    },
  );

  it.each<[string, unknown]>([
    ['nothing', undefined],
    ['both pool and connectionString', { pool: { query() {} }, connectionString: 'postgres://x' }],
    ['neither', { tableName: 'x' }],
    ['a non-postgres URL', { connectionString: 'mysql://root:pw@example.com/db' }],
    ['a pool without query', { pool: {} }],
    ['an injectable table name', { connectionString: 'postgres://x', tableName: 'x; DROP TABLE users' }],
    ['an upper-case table name', { connectionString: 'postgres://x', tableName: 'Store' }],
    ['a table name PostgreSQL would truncate', { connectionString: 'postgres://x', tableName: 'x'.repeat(49) }],
    ['a bad maxConnections', { connectionString: 'postgres://x', maxConnections: 0 }],
  ])('rejects %s with invalid_config', (_, options) => {
    let error: unknown;
    try {
      createPostgresStore(options as PostgresStoreOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).code).toBe('invalid_config');
    expect((error as IntegrationError).message).not.toContain('example.com');
  });
});
