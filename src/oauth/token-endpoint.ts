/**
 * Calls to the token and revocation endpoints (RFC 6749 §4.1.3, §6; RFC 7009), with every failure
 * mapped to an `IntegrationError`. Response bodies are never put in messages: a token endpoint's
 * body is exactly where access and refresh tokens are.
 */
import { IntegrationError } from '../core/errors.js';
import type { CallContext } from '../core/observability.js';
import { redactString } from '../core/redact.js';
import type { ClientAuthMethod } from './presets.js';
import type { OAuthTokens } from './token-store.js';

export interface EndpointClient {
  provider: string;
  clientId: string;
  clientSecret: string | undefined;
  clientAuth: ClientAuthMethod;
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding. */
function basicAuth(id: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const raw = `${encode(id)}:${encode(secret)}`;
  return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(raw)))}`;
}

async function post(client: EndpointClient, url: string, params: Record<string, string>, call: CallContext): Promise<Response> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (client.clientAuth === 'client_secret_basic' && client.clientSecret !== undefined) {
    headers.authorization = basicAuth(client.clientId, client.clientSecret);
  } else {
    body.set('client_id', client.clientId);
    if (client.clientAuth === 'client_secret_post' && client.clientSecret !== undefined) body.set('client_secret', client.clientSecret);
  }
  let response: Response;
  try {
    response = await client.fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(client.timeoutMs), redirect: 'error' });
  } catch (error) {
    const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
    throw new IntegrationError(
      timedOut ? 'timeout' : 'unavailable',
      timedOut
        ? `the ${client.provider} token endpoint did not answer within ${client.timeoutMs} ms`
        : `could not reach the ${client.provider} token endpoint`,
      { provider: client.provider, cause: error },
    );
  }
  call.setStatus(response.status);
  return response;
}

interface OAuthErrorBody {
  error?: unknown;
  error_description?: unknown;
}

/** Map a non-2xx answer. `invalid_grant` is `authentication`: the grant is dead and only the user can renew it. */
async function failure(client: EndpointClient, response: Response, what: string): Promise<IntegrationError> {
  let body: OAuthErrorBody = {};
  try {
    body = (await response.json()) as OAuthErrorBody;
  } catch {
    // Not JSON (an HTML error page from a proxy): the status alone decides.
  }
  const oauthError = typeof body?.error === 'string' && /^[\x20-\x7e]{1,64}$/.test(body.error) ? body.error : undefined;
  const description = typeof body?.error_description === 'string' ? redactString(body.error_description).slice(0, 200) : undefined;
  const status = response.status;
  const details: Record<string, unknown> = {};
  if (oauthError) details.oauthError = oauthError;
  if (description) details.description = description;
  const base = { provider: client.provider, status, details };
  const suffix = oauthError ? `: ${oauthError}` : ` (HTTP ${status})`;
  if (status === 429 || oauthError === 'slow_down') {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new IntegrationError('rate_limited', `${what} was rate limited${suffix}`, {
      ...base,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  if (status >= 500 || oauthError === 'temporarily_unavailable' || oauthError === 'server_error') {
    return new IntegrationError('unavailable', `${what} failed on the provider's side${suffix}`, base);
  }
  switch (oauthError) {
    case 'invalid_grant':
      return new IntegrationError(
        'authentication',
        `${what} was refused: the grant is invalid, expired or revoked (invalid_grant); the user must authorize again`,
        base,
      );
    case 'invalid_client':
    case 'unauthorized_client':
      return new IntegrationError('authentication', `${what} was refused: the client credentials were rejected${suffix}`, base);
    case 'invalid_scope':
      return new IntegrationError('permission', `${what} was refused: a requested scope is not allowed${suffix}`, base);
    default:
      return new IntegrationError(
        status === 401 ? 'authentication' : status === 403 ? 'permission' : 'provider_error',
        `${what} failed${suffix}`,
        base,
      );
  }
}

function parseScopes(value: unknown, fallback: string[]): string[] {
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : fallback;
}

/** POST to the token endpoint and validate the answer into `OAuthTokens`. */
export async function requestTokens(
  client: EndpointClient,
  url: string,
  params: Record<string, string>,
  what: string,
  call: CallContext,
  previous?: { refreshToken?: string; scopes: string[] },
): Promise<OAuthTokens> {
  const response = await post(client, url, params, call);
  if (!response.ok) throw await failure(client, response, what);
  let body: Record<string, unknown>;
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new IntegrationError('provider_error', `${what}: the token endpoint answered with something that is not JSON`, {
      provider: client.provider,
      status: response.status,
      cause: error,
    });
  }
  const malformed = (field: string) =>
    new IntegrationError('provider_error', `${what}: the token response has no valid ${field}`, {
      provider: client.provider,
      status: response.status,
    });
  if (typeof body?.access_token !== 'string' || body.access_token.length === 0) throw malformed('access_token');
  const tokenType = typeof body.token_type === 'string' ? body.token_type : 'Bearer';
  // Everything switchyard does with a token is `Authorization: Bearer`; a DPoP or MAC token would fail later and obscurely.
  if (tokenType.toLowerCase() !== 'bearer') throw malformed('token_type (only Bearer is supported)');
  const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0))
    throw malformed('expires_in');
  if (body.refresh_token !== undefined && (typeof body.refresh_token !== 'string' || body.refresh_token.length === 0))
    throw malformed('refresh_token');
  const obtainedAt = client.now();
  const tokens: OAuthTokens = {
    accessToken: body.access_token,
    scopes: parseScopes(body.scope, previous?.scopes ?? []),
    tokenType: 'Bearer',
    obtainedAt,
  };
  // A refresh answer without a refresh_token means "keep using the old one" (RFC 6749 §6).
  const refreshToken = (body.refresh_token as string | undefined) ?? previous?.refreshToken;
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
  if (typeof expiresIn === 'number') tokens.expiresAt = obtainedAt + expiresIn * 1000;
  return tokens;
}

/** RFC 7009. A 200 for an unknown token is success by the RFC; only real failures throw. */
export async function revokeToken(
  client: EndpointClient,
  url: string,
  token: string,
  hint: 'refresh_token' | 'access_token',
  call: CallContext,
): Promise<void> {
  const response = await post(client, url, { token, token_type_hint: hint }, call);
  if (!response.ok) throw await failure(client, response, 'token revocation');
  await response.body?.cancel();
}
