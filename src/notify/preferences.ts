/**
 * Per-person, per-channel preferences ("no SMS, email is fine"), in a `Store`. Separate from the
 * suppression list on purpose: preferences are the person's choice, keyed by the host's person id;
 * suppressions are facts about an address (it bounced, it complained), keyed by the address.
 */
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';
import { CHANNELS, type Channel } from './types.js';
import { invalid } from './validate.js';

/** A person's choice per channel: `false` turns a channel off; an absent channel is allowed. */
export type ChannelPreferences = Partial<Record<Channel, boolean>>;

/** Per-person channel preferences in a `Store`; made by `createPreferences`. */
export interface Preferences {
  /** The person's stored preferences (`{}` when none were set). A personId outside 1 to 200 characters is `invalid_input`. */
  get(personId: string): Promise<ChannelPreferences>;
  /** Merge: `{ sms: false }` turns SMS off and leaves the others as they were. */
  set(personId: string, preferences: ChannelPreferences): Promise<ChannelPreferences>;
  /** A channel the person never turned off is allowed. */
  allows(personId: string, channel: Channel): Promise<boolean>;
  /** GDPR access request: the person's stored preferences (empty when none were set). */
  exportPerson(personId: string): Promise<ChannelPreferences>;
  /** GDPR erasure: forget the person's preferences (every channel allowed again); returns 1 or 0. */
  erasePerson(personId: string): Promise<number>;
}

/**
 * Per-person, per-channel preferences ("no SMS, email is fine"), keyed by the host's person id.
 * `fallback` skips a channel the notification's `personId` turned off; the unsubscribe handler
 * turns one off. An unknown channel or a non-boolean value is `invalid_input`.
 *
 * @example
 * const preferences = createPreferences({ store });
 * await preferences.set('user_42', { sms: false });
 * await preferences.allows('user_42', 'sms'); // false
 * await preferences.allows('user_42', 'email'); // true: never turned off
 */
export function createPreferences(options: { store?: Store; keyPrefix?: string } = {}): Preferences {
  const store = options.store ?? createMemoryStore();
  const prefix = options.keyPrefix ?? 'notify:prefs:';
  const key = (personId: string) => {
    if (typeof personId !== 'string' || personId.length === 0 || personId.length > 200)
      throw invalid('personId', 'personId must be a string of 1 to 200 characters');
    return `${prefix}${personId}`;
  };
  const get = async (personId: string) => (await store.get<ChannelPreferences>(key(personId)))?.value ?? {};
  return {
    get,
    async set(personId, preferences) {
      for (const [channel, value] of Object.entries(preferences ?? {})) {
        if (!(CHANNELS as readonly string[]).includes(channel)) throw invalid('preferences', `unknown channel ${channel}`);
        if (typeof value !== 'boolean') throw invalid('preferences', `preferences.${channel} must be true or false`);
      }
      const merged = { ...(await get(personId)), ...preferences };
      await store.set(key(personId), merged);
      return merged;
    },
    async allows(personId, channel) {
      return (await get(personId))[channel] !== false;
    },
    exportPerson: get,
    // Preferences are keyed by person id already, so the record is its own per-person index.
    async erasePerson(personId) {
      return (await store.delete(key(personId))) ? 1 : 0;
    },
  };
}
