/**
 * PKCE (RFC 7636), S256 only: `plain` gives no protection when the authorization request leaks,
 * and every provider switchyard targets supports S256.
 */
import { base64url, randomToken, sha256 } from './encoding.js';

/** A PKCE verifier and its S256 challenge. */
export interface PkcePair {
  /** 43 characters of base64url (32 random bytes), kept server-side until the callback. */
  verifier: string;
  /** BASE64URL(SHA256(verifier)), sent in the authorization request. */
  challenge: string;
  method: 'S256';
}

/**
 * Create a fresh PKCE pair: a 32-byte random verifier and its S256 challenge.
 *
 * @example
 * const pkce = await createPkcePair();
 * authorizeUrl.searchParams.set('code_challenge', pkce.challenge);
 * authorizeUrl.searchParams.set('code_challenge_method', pkce.method); // 'S256'
 * // keep pkce.verifier server-side; send it as code_verifier with the token request
 */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = randomToken(32);
  return { verifier, challenge: await pkceChallenge(verifier), method: 'S256' };
}

/**
 * The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)).
 *
 * @example
 * // RFC 7636 Appendix B
 * await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'); // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(await sha256(verifier));
}
