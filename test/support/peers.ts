/**
 * Real peers (Redis, PostgreSQL) for tests. A test that needs one asks `peer(...)` before it
 * registers: when the peer is absent it prints why it skips, and under `CI=true` the absence is a
 * failure instead (CI starts both servers, so a skip there would hide a broken setup).
 */
import { execFileSync } from 'node:child_process';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A prefix unique to this test file run, so parallel files and runs never share keys or tables. */
export function uniqueName(label: string): string {
  return `${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

const cache = new Map<string, string | false>();

/**
 * Probe a peer synchronously (vitest registers tests synchronously), in a child process so the
 * probe uses the same client library as the tests. Returns `false` when it answered, or the reason
 * to skip. Throws under CI.
 */
export function peerSkipReason(kind: 'redis' | 'postgres'): string | false {
  const known = cache.get(kind);
  if (known !== undefined) return known;
  const probe =
    kind === 'redis'
      ? `const { Redis } = require('ioredis'); const r = new Redis(process.argv[1], { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 }); let first; r.on('error', (e) => { first ??= e; });
         r.connect().then(() => r.ping()).then(() => { r.disconnect(); process.exit(0); }, (e) => { console.error((first ?? e).message); process.exit(1); });`
      : `const { Client } = require('pg'); const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
         c.connect().then(() => c.query('select 1')).then(() => c.end()).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`;
  const url = kind === 'redis' ? REDIS_URL : POSTGRES_URL;
  let reason: string | false = false;
  try {
    execFileSync(process.execPath, ['-e', probe, url], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '')
      .trim()
      .split('\n')[0];
    reason = `${kind} is not reachable at ${url.replace(/\/\/[^@/]*@/, '//***@')} (${stderr || 'no answer'}); start it or set ${kind === 'redis' ? 'REDIS_URL' : 'POSTGRES_URL'}`;
  }
  if (reason && process.env.CI === 'true') {
    throw new Error(`CI=true and a required test peer is missing: ${reason}`);
  }
  if (reason) console.warn(`[skip] ${reason}`);
  cache.set(kind, reason);
  return reason;
}
