/**
 * `switchyard/oauth`: OAuth 2.0 authorization-code flow with PKCE, single-flight token refresh and
 * tokens encrypted at rest. Edge-ready: Web Crypto and `fetch` only, no `node:` import.
 *
 * @packageDocumentation
 */
export {
  createOAuthClient,
  type AccessTokenOptions,
  type AccessTokenProvider,
  type AuthorizationRequest,
  type AuthorizationStart,
  type CallbackInput,
  type OAuthClient,
  type OAuthConnection,
} from './client.js';
export type { CustomProvider, OAuthClientOptions, ReauthorizationRequiredEvent } from './options.js';
export { GOOGLE_SCOPES, MICROSOFT_SCOPES, type CalendarFeature, type ClientAuthMethod, type OAuthEndpoints } from './presets.js';
export { createPkcePair, pkceChallenge, type PkcePair } from './pkce.js';
export { createEncryptedTokenStore, type EncryptedTokenStoreOptions, type EncryptionKey } from './encrypted-token-store.js';
export {
  createInMemoryTokenStore,
  type OAuthTokens,
  type StoredTokens,
  type TokenExport,
  type TokenStore,
} from './token-store.js';
