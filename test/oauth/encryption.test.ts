/**
 * Encryption at rest: what the underlying Store holds is useless without the key; key rotation keeps
 * old records readable and re-encrypts on write; any change to a record is detected.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { createEncryptedTokenStore, type OAuthTokens } from '../../src/oauth/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = new Uint8Array(32).fill(2);
const TOKENS: OAuthTokens = {
  accessToken: 'ya29.access-token-that-must-never-be-readable-0001',
  refreshToken: '1//refresh-token-that-must-never-be-readable-0001',
  expiresAt: Date.UTC(2026, 0, 1),
  scopes: ['https://www.googleapis.com/auth/calendar.events.readonly'],
  tokenType: 'Bearer',
  obtainedAt: Date.UTC(2025, 11, 31),
};

/** A Store that also lets the test read and write raw values, as an attacker with the database would. */
function rawStore(): Store & { raw: Map<string, unknown> } {
  const inner = createMemoryStore();
  const raw = new Map<string, unknown>();
  return {
    ...inner,
    raw,
    async set(key, value, o) {
      raw.set(key, value);
      return inner.set(key, value, o);
    },
    async compareAndSet(key, version, value, o) {
      const result = await inner.compareAndSet(key, version, value, o);
      if (result !== false) raw.set(key, value);
      return result;
    },
    async delete(key) {
      raw.delete(key);
      return inner.delete(key);
    },
  };
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isIntegrationError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('createEncryptedTokenStore', () => {
  it('round-trips tokens while the underlying store holds only an AES-256-GCM envelope', async () => {
    const store = rawStore();
    const tokens = createEncryptedTokenStore({ store, keys: { k1: K1 }, currentKeyId: 'k1' });
    const version = await tokens.save('ada', 'google', TOKENS, null);
    expect(version).toBeTypeOf('number');
    expect((await tokens.get('ada', 'google'))?.tokens).toEqual(TOKENS);
    const dump = JSON.stringify([...store.raw]);
    for (const secret of [TOKENS.accessToken, TOKENS.refreshToken as string, 'must-never-be-readable', 'calendar.events']) {
      expect(dump).not.toContain(secret);
    }
    const envelope = store.raw.get('tokens:google:ada') as Record<string, unknown>;
    expect(Object.keys(envelope).sort()).toEqual(['alg', 'ct', 'iv', 'kid', 'v']);
    expect(envelope).toMatchObject({ v: 1, alg: 'A256GCM', kid: 'k1' });
    // A fresh IV per write: the same tokens never produce the same ciphertext.
    await tokens.save('ada', 'google', TOKENS, version as number);
    expect((store.raw.get('tokens:google:ada') as Record<string, unknown>).ct).not.toBe(envelope.ct);
  });

  it('cannot be read with another key', async () => {
    const store = rawStore();
    await createEncryptedTokenStore({ store, keys: { k1: K1 }, currentKeyId: 'k1' }).save('ada', 'google', TOKENS, null);
    const thief = createEncryptedTokenStore({ store, keys: { k1: K2 }, currentKeyId: 'k1' });
    const error = await rejection(thief.get('ada', 'google'));
    expect(error.code).toBe('signature_invalid');
    expect(error.details).toMatchObject({ reason: 'token_decryption_failed', kid: 'k1' });
  });

  it('keeps old records readable after rotation and re-encrypts them with the current key on write', async () => {
    const store = rawStore();
    const old = createEncryptedTokenStore({ store, keys: { k1: K1 }, currentKeyId: 'k1' });
    await old.save('ada', 'google', TOKENS, null);
    const rotated = createEncryptedTokenStore({ store, keys: { k1: K1, k2: K2 }, currentKeyId: 'k2' });
    const read = await rotated.get('ada', 'google');
    expect(read?.tokens).toEqual(TOKENS);
    expect((store.raw.get('tokens:google:ada') as { kid: string }).kid).toBe('k1');
    await rotated.save('ada', 'google', { ...TOKENS, accessToken: 'ya29.after-rotation-0000000000' }, read?.version as number);
    expect((store.raw.get('tokens:google:ada') as { kid: string }).kid).toBe('k2');
    // Once every record is rewritten the old key can go.
    const retired = createEncryptedTokenStore({ store, keys: { k2: K2 }, currentKeyId: 'k2' });
    expect((await retired.get('ada', 'google'))?.tokens.accessToken).toBe('ya29.after-rotation-0000000000');
    // A record still under a removed key is a configuration problem, said clearly.
    await old.save('bob', 'google', TOKENS, null);
    const error = await rejection(retired.get('bob', 'google'));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('"k1"');
  });

  it('rejects any tampering: ciphertext, IV, key id, envelope shape, or a record moved to another user', async () => {
    const store = rawStore();
    const tokens = createEncryptedTokenStore({ store, keys: { k1: K1, k2: K2 }, currentKeyId: 'k1' });
    await tokens.save('ada', 'google', TOKENS, null);
    await tokens.save('eve', 'google', { ...TOKENS, accessToken: 'ya29.eve-0000000000000' }, null);
    const original = store.raw.get('tokens:google:ada') as Record<string, string>;
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const variants: Array<[string, unknown, string]> = [
      ['ciphertext byte', { ...original, ct: flip(original.ct as string, 5) }, 'signature_invalid'],
      ['tag byte', { ...original, ct: flip(original.ct as string, (original.ct as string).length - 3) }, 'signature_invalid'],
      ['iv', { ...original, iv: flip(original.iv as string, 2) }, 'signature_invalid'],
      ['other known kid', { ...original, kid: 'k2' }, 'signature_invalid'],
      ['truncated', { ...original, ct: (original.ct as string).slice(0, 10) }, 'signature_invalid'],
      ['plaintext', TOKENS, 'signature_invalid'],
      ['not an object', 'hello', 'signature_invalid'],
      ['unknown kid', { ...original, kid: 'k9' }, 'invalid_config'],
    ];
    for (const [name, value, code] of variants) {
      await store.set('tokens:google:ada', value);
      const error = await rejection(tokens.get('ada', 'google'));
      expect(error.code, name).toBe(code);
      expect(JSON.stringify(error.toJSON())).not.toContain('must-never-be-readable');
    }
    // Eve copies her own valid envelope over Ada's record: authenticated data is the key, so it fails.
    await store.set('tokens:google:ada', store.raw.get('tokens:google:eve'));
    expect((await rejection(tokens.get('ada', 'google'))).code).toBe('signature_invalid');
  });

  it('refuses bad key configuration without echoing key material', async () => {
    const store = createMemoryStore();
    const secretish = 'c2hvcnQta2V5LXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    const cases: Array<[unknown, string]> = [
      [{ store, keys: {}, currentKeyId: 'k' }, 'keys'],
      [{ store, keys: { k: secretish }, currentKeyId: 'k' }, 'keys.k'],
      [{ store, keys: { k: new Uint8Array(16) }, currentKeyId: 'k' }, 'keys.k'],
      [{ store, keys: { k: K1 }, currentKeyId: 'other' }, 'currentKeyId'],
      [{ store, keys: { 'bad kid!': K1 }, currentKeyId: 'bad kid!' }, 'keys'],
      [{ keys: { k: K1 }, currentKeyId: 'k' }, 'store'],
      [{ store, keys: { k: K1 }, currentKeyId: 'k', cacheSize: -1 }, 'cacheSize'],
    ];
    for (const [options, field] of cases) {
      let caught: unknown;
      try {
        createEncryptedTokenStore(options as never);
      } catch (error) {
        caught = error;
      }
      expect(isIntegrationError(caught) && caught.code).toBe('invalid_config');
      expect((caught as { details: { field: string } }).details.field).toBe(field);
      expect((caught as Error).message).not.toContain(secretish);
    }
  });

  it('exports and erases everything held for a person, across connections, without exporting token values', async () => {
    const store = rawStore();
    const tokens = createEncryptedTokenStore({ store, keys: { k1: K1 }, currentKeyId: 'k1' });
    await tokens.save('ada', 'google', TOKENS, null);
    await tokens.save('ada', 'microsoft', { ...TOKENS, refreshToken: undefined } as OAuthTokens, null);
    await tokens.save('bob', 'google', TOKENS, null);
    const exported = await tokens.exportPerson('ada');
    expect(exported).toEqual([
      {
        connection: 'google',
        scopes: TOKENS.scopes,
        obtainedAt: '2025-12-31T00:00:00.000Z',
        expiresAt: '2026-01-01T00:00:00.000Z',
        hasRefreshToken: true,
      },
      {
        connection: 'microsoft',
        scopes: TOKENS.scopes,
        obtainedAt: '2025-12-31T00:00:00.000Z',
        expiresAt: '2026-01-01T00:00:00.000Z',
        hasRefreshToken: false,
      },
    ]);
    expect(JSON.stringify(exported)).not.toContain('must-never-be-readable');
    expect(await tokens.erasePerson('ada')).toBe(2);
    expect(await tokens.exportPerson('ada')).toEqual([]);
    expect([...store.raw.keys()].filter((k) => k.includes('ada'))).toEqual([]);
    expect(await tokens.get('bob', 'google')).toBeDefined();
    expect(await tokens.erasePerson('nobody')).toBe(0);
  });

  it('serves repeated reads from the decrypted-record cache only while the envelope is byte-identical', async () => {
    for (const cacheSize of [0, 1]) {
      const store = rawStore();
      const tokens = createEncryptedTokenStore({ store, keys: { k1: K1 }, currentKeyId: 'k1', cacheSize });
      await tokens.save('ada', 'google', TOKENS, null);
      await tokens.save('bob', 'google', { ...TOKENS, accessToken: 'ya29.bob-000000000000000' }, null);
      expect((await tokens.get('ada', 'google'))?.tokens).toEqual(TOKENS);
      // Another process rewrites Ada's record: the next read must see the new value, not the cached one.
      const other = createEncryptedTokenStore({ store, keys: { k1: K1 }, currentKeyId: 'k1' });
      const current = await other.get('ada', 'google');
      await other.save('ada', 'google', { ...TOKENS, accessToken: 'ya29.rewritten-0000000000' }, current?.version as number);
      expect((await tokens.get('ada', 'google'))?.tokens.accessToken).toBe('ya29.rewritten-0000000000');
      expect((await tokens.get('bob', 'google'))?.tokens.accessToken).toBe('ya29.bob-000000000000000');
      // A returned object is a copy: mutating it changes nothing stored or cached.
      const read = await tokens.get('bob', 'google');
      if (read) read.tokens.accessToken = 'mutated';
      expect((await tokens.get('bob', 'google'))?.tokens.accessToken).toBe('ya29.bob-000000000000000');
    }
  });

  it('round-trips any token contents and user id, and never stores the access token in clear (property)', async () => {
    const store = rawStore();
    const tokens = createEncryptedTokenStore({ store, keys: { k1: K1 }, currentKeyId: 'k1', cacheSize: 0 });
    const userId = fc.stringMatching(/^[A-Za-z0-9@._+-]{1,40}$/);
    const token = fc.string({ minLength: 12, maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(
        userId,
        token,
        fc.option(token, { nil: undefined }),
        fc.array(fc.stringMatching(/^[a-z.:/]{1,30}$/)),
        async (id, access, refresh, scopes) => {
          const value: OAuthTokens = { accessToken: access, scopes, tokenType: 'Bearer', obtainedAt: 1 };
          if (refresh !== undefined) value.refreshToken = refresh;
          const existing = await tokens.get(id, 'google');
          expect(await tokens.save(id, 'google', value, existing?.version ?? null)).not.toBe(false);
          expect((await tokens.get(id, 'google'))?.tokens).toEqual(value);
          expect(JSON.stringify(store.raw.get(`tokens:google:${id}`))).not.toContain(JSON.stringify(access).slice(1, -1));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('compare-and-set: a stale version never overwrites a newer record', async () => {
    const tokens = createEncryptedTokenStore({ store: createMemoryStore(), keys: { k1: K1 }, currentKeyId: 'k1' });
    const v1 = (await tokens.save('ada', 'google', TOKENS, null)) as number;
    expect(await tokens.save('ada', 'google', TOKENS, null)).toBe(false);
    const v2 = await tokens.save('ada', 'google', { ...TOKENS, accessToken: 'ya29.newer-00000000000' }, v1);
    expect(v2).toBeTypeOf('number');
    expect(await tokens.save('ada', 'google', TOKENS, v1)).toBe(false);
    expect((await tokens.get('ada', 'google'))?.tokens.accessToken).toBe('ya29.newer-00000000000');
  });
});
