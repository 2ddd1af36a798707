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

/** Create a fresh PKCE pair: a 32-byte random verifier and its S256 challenge. */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = randomToken(32);
  return { verifier, challenge: await pkceChallenge(verifier), method: 'S256' };
}

/** The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(await sha256(verifier));
}
