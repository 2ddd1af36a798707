/**
 * Replay protection: remember every delivered id for a while, and refuse a second delivery of the
 * same id. Built on `Store.setIfAbsent`, which is atomic in every store, so of two concurrent
 * deliveries of one id exactly one passes — across processes too with the Redis or PostgreSQL store.
 */
import { IntegrationErrorBase } from '../core/error-base.js';
import { MAX_KEY_LENGTH, type Store } from '../stores/store.js';
import { sha256Hex } from './crypto.js';
import { WebhookVerificationError } from './errors.js';

/** Options of `createReplayGuard`. */
export interface ReplayGuardOptions {
  /** Where ids are remembered. Default: a map in this process (one process only). */
  store?: Store;
  /**
   * How long an id is remembered, seconds. Default 86 400 (one day). It must cover at least twice
   * the verifier's timestamp tolerance, or a captured request could be replayed once its id expired.
   */
  ttlSeconds?: number;
}

/** Records accepted delivery ids so a second delivery of one is rejected as `replayed`. */
export interface ReplayGuard {
  readonly ttlSeconds: number;
  /** Record `id` for `provider`; throws `replayed` when it was already recorded within the window. */
  claim(provider: string, id: string): Promise<void>;
  /**
   * Forget `id`: call it when your handler failed after verification, so the provider's retry of
   * the same delivery is accepted instead of being rejected as a replay.
   */
  release(provider: string, id: string): Promise<void>;
}

/** How long a replay guard remembers an id by default: one day, in seconds. */
export const DEFAULT_REPLAY_TTL_SECONDS = 86_400;
const PREFIX = 'webhooks:replay:';

/**
 * Remember accepted delivery ids in a `Store` and reject a second delivery of one as `replayed`.
 *
 * @example
 * const replayGuard = createReplayGuard({ store: createRedisStore({ url: process.env.REDIS_URL! }) });
 */
export function createReplayGuard(options: ReplayGuardOptions = {}): ReplayGuard {
  const store = options.store ?? memoryIds();
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_REPLAY_TTL_SECONDS;
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new IntegrationErrorBase('invalid_config', 'createReplayGuard: ttlSeconds must be a positive number of seconds', {
      details: { field: 'ttlSeconds' },
    });
  }
  if (typeof store?.setIfAbsent !== 'function' || typeof store.delete !== 'function') {
    throw new IntegrationErrorBase('invalid_config', 'createReplayGuard: store must implement the Store interface (setIfAbsent, delete)', {
      details: { field: 'store' },
    });
  }

  return {
    ttlSeconds,
    async claim(provider, id) {
      const key = await keyFor(provider, id);
      const first = await store.setIfAbsent(key, 1, { ttlSeconds });
      if (!first) {
        throw new WebhookVerificationError(
          'replayed',
          `this ${provider} delivery was already accepted within the last ${ttlSeconds} s; answer 2xx without processing it again`,
          { provider, details: { id } },
        );
      }
    },
    async release(provider, id) {
      await store.delete(await keyFor(provider, id));
    },
  };
}

async function keyFor(provider: string, id: string): Promise<string> {
  if (typeof id !== 'string' || id.length === 0) {
    throw new WebhookVerificationError('invalid_input', 'the delivery has no id to check for replays', {
      provider,
      details: { field: 'id' },
    });
  }
  const key = `${PREFIX}${provider}:${id}`;
  // Ids are short in practice; a hostile or unusual one is hashed rather than overflowing the store's key limit.
  return key.length <= MAX_KEY_LENGTH ? key : `${PREFIX}${provider}:sha256:${await sha256Hex(id)}`;
}

/**
 * The default place ids are remembered: a `Map` of expiry times in this process, with only the two
 * `Store` operations a guard uses. Not `createMemoryStore()`, which would add the whole store (JSON
 * values, versions, compare-and-set and their validation) to every webhooks bundle for nothing.
 * Expired ids are dropped when touched and swept every few thousand claims, as the memory store does.
 */
function memoryIds(): Pick<Store, 'setIfAbsent' | 'delete'> {
  const expiries = new Map<string, number>();
  let claims = 0;
  return {
    async setIfAbsent(key, _value, options) {
      const now = Date.now();
      if ((expiries.get(key) ?? 0) > now) return false;
      if (++claims >= 4096) {
        claims = 0;
        for (const [k, until] of expiries) if (until <= now) expiries.delete(k);
      }
      expiries.set(key, now + (options?.ttlSeconds ?? 0) * 1000);
      return true;
    },
    async delete(key) {
      return expiries.delete(key);
    },
  };
}
