/**
 * `TokenStore`: where a user's OAuth tokens live, per (user, connection). A connection is one
 * OAuth client's namespace (`google`, `microsoft`, …), so one person can hold several grants.
 *
 * Writes are compare-and-set on a version, so a rotated refresh token can never be overwritten by
 * a slower writer holding an older one. Each user also has a small index record naming their
 * connections: a `Store` cannot list keys, and GDPR export/erasure must find every grant.
 */
import { IntegrationError } from '../core/errors.js';
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';

/** A token set as the authorization server granted it. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds when the access token expires, if the server said. */
  expiresAt?: number;
  /** Scopes actually granted (may be fewer than requested). */
  scopes: string[];
  tokenType: string;
  /** Epoch milliseconds when this grant or refresh was obtained. */
  obtainedAt: number;
}

/** A token set with its store version, for compare-and-set saves. */
export interface StoredTokens {
  tokens: OAuthTokens;
  version: number;
}

/** What `exportPerson` returns per connection: facts about the grant, never the credentials. */
export interface TokenExport {
  connection: string;
  scopes: string[];
  obtainedAt: string;
  expiresAt?: string;
  hasRefreshToken: boolean;
}

/** Where a client keeps users' tokens, per user and connection. */
export interface TokenStore {
  /** The tokens held for `userId` on `connection`, with their version. */
  get(userId: string, connection: string): Promise<StoredTokens | undefined>;
  /** Compare-and-set: `expectedVersion` `null` writes only if absent. Returns the new version or `false`. */
  save(userId: string, connection: string, tokens: OAuthTokens, expectedVersion: number | null): Promise<number | false>;
  /** Forget the tokens of `userId` on `connection`; `true` if there were some. */
  delete(userId: string, connection: string): Promise<boolean>;
  /** GDPR access request: every grant held for `userId`, without token values. */
  exportPerson(userId: string): Promise<TokenExport[]>;
  /** GDPR erasure: delete every grant held for `userId`; returns how many were deleted. */
  erasePerson(userId: string): Promise<number>;
}

/** Turns token values into what is written to the `Store` and back. */
export interface TokenCodec {
  encode(tokens: OAuthTokens, storeKey: string): Promise<unknown>;
  decode(stored: unknown, storeKey: string): Promise<OAuthTokens>;
}

const ID = /^[^\s]{1,200}$/;

export function assertUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || !ID.test(userId)) {
    throw new IntegrationError('invalid_input', 'userId must be a non-empty string of at most 200 characters without spaces', {
      details: { field: 'userId' },
    });
  }
}

function assertConnection(connection: unknown): asserts connection is string {
  if (typeof connection !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(connection)) {
    throw new IntegrationError('invalid_input', 'connection must be 1-64 characters of A-Z a-z 0-9 . _ -', {
      details: { field: 'connection' },
    });
  }
}

export interface TokenStoreOverOptions {
  store: Store;
  codec: TokenCodec;
  /** Key prefix in the underlying store. Default `tokens`. */
  prefix?: string;
}

export function createTokenStoreOver({ store, codec, prefix = 'tokens' }: TokenStoreOverOptions): TokenStore {
  const tokenKey = (userId: string, connection: string) => `${prefix}:${connection}:${userId}`;
  const indexKey = (userId: string) => `${prefix}:index:${userId}`;

  const readIndex = async (userId: string) => store.get<string[]>(indexKey(userId));

  // Add or remove a connection from the user's index with a CAS loop (two connections of the same
  // user may be saved at the same moment by different processes).
  const updateIndex = async (userId: string, change: (names: Set<string>) => void) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await readIndex(userId);
      const names = new Set(Array.isArray(current?.value) ? current.value : []);
      const before = names.size;
      change(names);
      if (names.size === before && current) return;
      const ok =
        names.size === 0 && current
          ? await store.delete(indexKey(userId)).then(() => 1)
          : await store.compareAndSet(indexKey(userId), current?.version ?? null, [...names].sort());
      if (ok !== false) return;
    }
    throw new IntegrationError('conflict', 'could not update the token index: too much contention', { retryable: true });
  };

  const get = async (userId: string, connection: string): Promise<StoredTokens | undefined> => {
    assertUserId(userId);
    assertConnection(connection);
    const key = tokenKey(userId, connection);
    const entry = await store.get(key);
    if (!entry) return undefined;
    return { tokens: await codec.decode(entry.value, key), version: entry.version };
  };

  return {
    get,
    async save(userId, connection, tokens, expectedVersion) {
      assertUserId(userId);
      assertConnection(connection);
      const key = tokenKey(userId, connection);
      // Index first: a grant must never exist that erasePerson cannot find.
      await updateIndex(userId, (names) => names.add(connection));
      return store.compareAndSet(key, expectedVersion, await codec.encode(tokens, key));
    },
    async delete(userId, connection) {
      assertUserId(userId);
      assertConnection(connection);
      const existed = await store.delete(tokenKey(userId, connection));
      await updateIndex(userId, (names) => names.delete(connection));
      return existed;
    },
    async exportPerson(userId) {
      assertUserId(userId);
      const out: TokenExport[] = [];
      for (const connection of (await readIndex(userId))?.value ?? []) {
        const stored = await get(userId, connection);
        if (!stored) continue;
        const { tokens } = stored;
        const item: TokenExport = {
          connection,
          scopes: tokens.scopes,
          obtainedAt: new Date(tokens.obtainedAt).toISOString(),
          hasRefreshToken: tokens.refreshToken !== undefined,
        };
        if (tokens.expiresAt !== undefined) item.expiresAt = new Date(tokens.expiresAt).toISOString();
        out.push(item);
      }
      return out;
    },
    async erasePerson(userId) {
      assertUserId(userId);
      let erased = 0;
      for (const connection of (await readIndex(userId))?.value ?? []) {
        if (await store.delete(tokenKey(userId, connection))) erased++;
      }
      await store.delete(indexKey(userId));
      return erased;
    },
  };
}

const plainCodec: TokenCodec = {
  async encode(tokens) {
    return tokens;
  },
  async decode(stored) {
    return stored as OAuthTokens;
  },
};

/**
 * Tokens in this process's memory only: the default when no `tokenStore` is given. It cannot be
 * pointed at a database on purpose; anything that persists tokens goes through
 * `createEncryptedTokenStore`.
 *
 * @example
 * const tokenStore = createInMemoryTokenStore();
 * const client = createOAuthClient({ preset: 'google', clientId, redirectUri, features: ['calendar.read'], stateSecret, tokenStore });
 * await tokenStore.get('ada', 'google'); // after the callback: { tokens, version }
 */
export function createInMemoryTokenStore(options: { now?: () => number } = {}): TokenStore {
  return createTokenStoreOver({ store: createMemoryStore(options), codec: plainCodec });
}
