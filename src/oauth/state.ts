/**
 * The `state` parameter: `<payload>.<signature>`, both base64url. The payload carries a random
 * nonce (which also names the server-side record holding the PKCE verifier), an expiry, and a keyed
 * hash of the host's session id, so a callback only completes in the browser session that started
 * it (RFC 9700 §4.7: CSRF protection). The session id itself never goes to the provider's URL.
 *
 * Signed with HMAC-SHA-256 through Web Crypto; verification uses `subtle.verify`, which compares in
 * constant time. Several secrets may be configured: the first signs, all verify (rotation).
 */
import { IntegrationError } from '../core/errors.js';
import { base64url, fromBase64url, randomToken, subtle, timingSafeEqual, utf8 } from './encoding.js';

export interface StatePayload {
  /** Random nonce; the key of the pending-authorization record. */
  n: string;
  /** Expiry, epoch seconds. */
  e: number;
  /** base64url(HMAC(secret, "session\0" + sessionId)). */
  s: string;
}

export interface StateSigner {
  sign(sessionId: string, ttlSeconds: number): Promise<{ state: string; nonce: string }>;
  /** Returns the nonce, or throws `signature_invalid` / `timestamp_out_of_tolerance` / `invalid_input`. */
  verify(state: string, sessionId: string): Promise<string>;
}

export function createStateSigner(secrets: readonly Uint8Array<ArrayBuffer>[], now: () => number, provider: string): StateSigner {
  const keys = Promise.all(
    secrets.map((raw) => subtle().importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])),
  );
  const sessionHash = async (key: CryptoKey, sessionId: string) =>
    base64url(await subtle().sign('HMAC', key, utf8(`session\0${sessionId}`)));

  const reject = (code: 'signature_invalid' | 'invalid_input' | 'timestamp_out_of_tolerance', message: string, reason: string) =>
    new IntegrationError(code, message, { provider, details: { reason } });

  return {
    async sign(sessionId, ttlSeconds) {
      const [key] = await keys;
      const nonce = randomToken(18);
      const payload: StatePayload = {
        n: nonce,
        e: Math.floor(now() / 1000) + ttlSeconds,
        s: await sessionHash(key as CryptoKey, sessionId),
      };
      const body = base64url(utf8(JSON.stringify(payload)));
      const signature = base64url(await subtle().sign('HMAC', key as CryptoKey, utf8(body)));
      return { state: `${body}.${signature}`, nonce };
    },

    async verify(state, sessionId) {
      if (typeof state !== 'string' || state.length > 1024)
        throw reject('invalid_input', 'the OAuth state is missing or too long', 'malformed');
      const [body, signature, extra] = state.split('.');
      const sig = signature === undefined ? undefined : fromBase64url(signature);
      if (!body || !sig || extra !== undefined) throw reject('invalid_input', 'the OAuth state is malformed', 'malformed');
      let signer: CryptoKey | undefined;
      for (const key of await keys) {
        if (await subtle().verify('HMAC', key, sig, utf8(body))) {
          signer = key;
          break;
        }
      }
      if (!signer)
        throw reject('signature_invalid', 'the OAuth state signature does not match: it was altered or not issued here', 'bad_signature');
      let payload: StatePayload;
      try {
        const bytes = fromBase64url(body);
        payload = JSON.parse(new TextDecoder().decode(bytes)) as StatePayload;
      } catch {
        throw reject('invalid_input', 'the OAuth state payload is malformed', 'malformed');
      }
      if (typeof payload?.n !== 'string' || typeof payload.e !== 'number' || typeof payload.s !== 'string') {
        throw reject('invalid_input', 'the OAuth state payload is malformed', 'malformed');
      }
      if (payload.e * 1000 <= now()) {
        throw reject('timestamp_out_of_tolerance', 'the OAuth state has expired: start the authorization again', 'expired');
      }
      if (!timingSafeEqual(payload.s, await sessionHash(signer, sessionId))) {
        throw reject('signature_invalid', 'the OAuth state belongs to another session (possible login CSRF)', 'session_mismatch');
      }
      return payload.n;
    },
  };
}
