/**
 * No double send across processes: two fallback instances with their own Redis (or PostgreSQL)
 * connections, as two workers would have, race on the same key and replay after a "restart".
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { createFakeNotifier, fallback } from '../../src/notify/index.js';
import type { Store } from '../../src/stores/index.js';
import { POSTGRES_URL, peerSkipReason, uniqueName } from '../support/peers.js';
import { connectStore } from '../support/stores.js';

const notification = { email: { to: 'ada@example.com', subject: 'Booked', text: 'See you' }, sms: { to: '+14155550100', body: 'See you' } };

describe.each(['redis', 'postgres'] as const)('fallback on %s', (kind) => {
  const skip = peerSkipReason(kind);
  const stores: Store[] = [];
  const tables: string[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close?.();
    if (tables.length === 0) return;
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}; DROP SEQUENCE IF EXISTS ${t}_version_seq`);
    await admin.end();
  });
  it.skipIf(skip !== false)('two workers racing on one key send once; a restarted worker replays', async () => {
    const ns = uniqueName('notify');
    const email = createFakeNotifier({ provider: 'mail', channels: ['email'] });
    const sms = createFakeNotifier({ provider: 'text', channels: ['sms'] });
    if (kind === 'postgres') {
      const admin = connectStore(kind, ns) as Store & { migrate(): Promise<void>; drop?(): Promise<void> };
      stores.push(admin);
      await admin.migrate();
      tables.push(ns);
    }
    const workers = [0, 1].map(() => {
      const store = connectStore(kind, ns);
      stores.push(store);
      return fallback([email, sms], { store });
    });
    const results = await Promise.allSettled(workers.map((w) => w.send(notification, { idempotencyKey: 'booking-42' })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results)
      if (r.status === 'rejected') expect(isIntegrationError(r.reason) && r.reason.code).toBe('idempotency_in_progress');
    const restarted = connectStore(kind, ns);
    stores.push(restarted);
    const replay = await fallback([email, sms], { store: restarted }).send(notification, { idempotencyKey: 'booking-42' });
    expect(replay).toMatchObject({ channel: 'email', replayed: true });
    expect(email.sent).toHaveLength(1);
    expect(sms.sent).toHaveLength(0);
  });
});
