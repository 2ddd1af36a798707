/**
 * What the keyed hash costs on the send path: every send checks the suppression list, which now
 * computes an HMAC-SHA-256 (Web Crypto) before the store read. Anchor: a bare memory-store read of
 * the same kind of key, i.e. what the check cost with plain-address keys. Also: the extra read of
 * `migrateLegacyEntries`, and a GDPR export/erase of one person across three sources.
 */
import { createPrivacyRegistry } from '../src/index.js';
import { createPreferences, createSuppressionList } from '../src/notify/index.js';
import { createMemoryStore } from '../src/stores/index.js';
import { measure, report } from './harness.js';

const store = createMemoryStore();
const hashKey = 'bench-suppression-hash-key-0123456789abcdef';
const hashed = createSuppressionList({ store, hashKey });
const migrating = createSuppressionList({ store, hashKey, migrateLegacyEntries: true });
const preferences = createPreferences({ store });
await hashed.add('email', 'suppressed@example.com', { reason: 'complaint', personId: 'p1' });
await preferences.set('p1', { sms: false });
const privacy = createPrivacyRegistry({ sources: { 'notify.suppression': hashed, 'notify.preferences': preferences } });

const anchor = await measure('memory store get (plain-address key, before)', () => store.get('notify:suppressed:email:ada@example.com'));
const rows = [
  await measure('suppression.get, keyed hash (not suppressed)', () => hashed.get('email', 'ada@example.com')),
  await measure('suppression.get, keyed hash (suppressed)', () => hashed.get('email', 'suppressed@example.com')),
  await measure('suppression.get with migrateLegacyEntries (not suppressed)', () => migrating.get('email', 'ada@example.com')),
  await measure('privacy.exportPerson (2 sources)', () => privacy.exportPerson('p1')),
];
report('privacy: suppression check with a keyed hash (memory store)', anchor, rows);
