/**
 * A small but strict OAuth 2.0 authorization server on node:http (127.0.0.1, random port), written
 * for these tests and the oauth example. It enforces what a real server enforces, so the client is
 * tested against rules it did not write:
 * - client authentication (Basic or body), exact redirect_uri on /authorize and /token;
 * - PKCE S256: the verifier must hash to the challenge given at /authorize (RFC 7636 §4.6);
 * - codes are single-use and short-lived; reusing one revokes what it issued (RFC 6749 §4.1.2);
 * - refresh tokens rotate, and a rotated-out refresh token is `invalid_grant`;
 * - RFC 7009 revocation; switches to answer `invalid_grant`, 5xx or slowly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthServerOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUri: string;
  /** Seconds an access token lives. Default 3600. */
  expiresIn?: number;
  /** Rotate refresh tokens on every refresh. Default true. */
  rotateRefreshTokens?: boolean;
  /** Scopes granted: all requested ones by default. */
  grant?: (requested: string[]) => string[];
  /** `iss` sent on the callback (RFC 9207). Default: this server's URL. */
  issuer?: string;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  challenge: string;
  method: string;
  scopes: string[];
  used: boolean;
  issued: string[];
}

export interface AuthServer {
  url: string;
  /** Every accepted refresh, in order: the refresh token presented. */
  refreshes: string[];
  /** Refresh tokens currently valid. */
  liveRefreshTokens: Set<string>;
  /** Access tokens issued (for leak checks). */
  accessTokens: string[];
  revoked: string[];
  /** Every token-endpoint request that failed, with the OAuth error returned. */
  failures: string[];
  /** Answer the next N refreshes with this failure. */
  failNextRefreshes(count: number, kind: 'invalid_grant' | 'server_error'): void;
  /** Delay refresh answers by this many ms (widens race windows). */
  refreshDelayMs: number;
  /** Follow /authorize like a browser whose user consents; returns the callback URL. */
  authorize(authorizationUrl: string, decision?: 'consent' | 'deny'): Promise<string>;
  close(): Promise<void>;
}

const b64url = (buf: Buffer) => buf.toString('base64url');
const token = (prefix: string) => `${prefix}_${b64url(randomBytes(24))}`;

async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const clientId = options.clientId ?? 'test-client';
  const clientSecret = options.clientSecret ?? 'test-client-secret-0123456789';
  const rotate = options.rotateRefreshTokens ?? true;
  const codes = new Map<string, CodeRecord>();
  const refreshScopes = new Map<string, string[]>();
  const issuedBy = new Map<string, string>(); // token -> code it came from
  let failing: { count: number; kind: 'invalid_grant' | 'server_error' } = { count: 0, kind: 'invalid_grant' };

  const state: Omit<AuthServer, 'url' | 'close' | 'authorize' | 'failNextRefreshes'> = {
    refreshes: [],
    liveRefreshTokens: new Set(),
    accessTokens: [],
    revoked: [],
    failures: [],
    refreshDelayMs: 0,
  };

  const fail = (res: ServerResponse, status: number, error: string, description?: string) => {
    state.failures.push(error);
    json(res, status, { error, ...(description ? { error_description: description } : {}) });
  };

  const authenticateClient = (req: IncomingMessage, body: URLSearchParams): boolean => {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64')
        .toString('utf8')
        .split(':')
        .map((s) => decodeURIComponent(s.replace(/\+/g, ' ')));
      return id === clientId && secret === clientSecret && !body.has('client_secret');
    }
    return body.get('client_id') === clientId && body.get('client_secret') === clientSecret;
  };

  const issue = (scopes: string[], from: string | undefined) => {
    const accessToken = token('at');
    const refreshToken = token('rt');
    state.accessTokens.push(accessToken);
    state.liveRefreshTokens.add(refreshToken);
    refreshScopes.set(refreshToken, scopes);
    if (from) {
      issuedBy.set(accessToken, from);
      issuedBy.set(refreshToken, from);
    }
    return { accessToken, refreshToken };
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/authorize') {
        const q = url.searchParams;
        // Never redirect to an unregistered URI (RFC 6749 §4.1.2.1): show an error page instead.
        if (q.get('client_id') !== clientId || q.get('redirect_uri') !== options.redirectUri)
          return fail(res, 400, 'invalid_request', 'bad client or redirect_uri');
        const back = new URL(options.redirectUri);
        back.searchParams.set('state', q.get('state') ?? '');
        back.searchParams.set('iss', options.issuer ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
          back.searchParams.set('error', 'invalid_request');
        } else if (q.get('x-decision') === 'deny') {
          back.searchParams.set('error', 'access_denied');
        } else {
          const code = token('code');
          const requested = (q.get('scope') ?? '').split(' ').filter(Boolean);
          codes.set(code, {
            clientId,
            redirectUri: q.get('redirect_uri') as string,
            challenge: q.get('code_challenge') as string,
            method: 'S256',
            scopes: options.grant ? options.grant(requested) : requested,
            used: false,
            issued: [],
          });
          back.searchParams.set('code', code);
        }
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        const body = await readBody(req);
        if (!authenticateClient(req, body)) return fail(res, 401, 'invalid_client');
        const grantType = body.get('grant_type');
        if (grantType === 'authorization_code') {
          const code = body.get('code') ?? '';
          const record = codes.get(code);
          if (!record) return fail(res, 400, 'invalid_grant', 'unknown code');
          if (record.used) {
            // Code replay: revoke everything the code produced.
            for (const t of record.issued) state.liveRefreshTokens.delete(t);
            return fail(res, 400, 'invalid_grant', 'code already used');
          }
          record.used = true;
          if (body.get('redirect_uri') !== record.redirectUri) return fail(res, 400, 'invalid_grant', 'redirect_uri mismatch');
          const verifier = body.get('code_verifier') ?? '';
          if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || b64url(createHash('sha256').update(verifier).digest()) !== record.challenge) {
            return fail(res, 400, 'invalid_grant', 'PKCE verification failed');
          }
          const { accessToken, refreshToken } = issue(record.scopes, code);
          record.issued.push(refreshToken);
          return json(res, 200, {
            access_token: accessToken,
            refresh_token: refreshToken,
            token_type: 'Bearer',
            expires_in: options.expiresIn ?? 3600,
            scope: record.scopes.join(' '),
          });
        }
        if (grantType === 'refresh_token') {
          const presented = body.get('refresh_token') ?? '';
          if (state.refreshDelayMs > 0) await new Promise((r) => setTimeout(r, state.refreshDelayMs));
          if (failing.count > 0) {
            failing.count--;
            return failing.kind === 'invalid_grant'
              ? fail(res, 400, 'invalid_grant', 'Token has been expired or revoked.')
              : fail(res, 503, 'temporarily_unavailable');
          }
          if (!state.liveRefreshTokens.has(presented)) return fail(res, 400, 'invalid_grant', 'refresh token is not valid');
          state.refreshes.push(presented);
          const scopes = refreshScopes.get(presented) ?? [];
          const accessToken = token('at');
          state.accessTokens.push(accessToken);
          const answer: Record<string, unknown> = {
            access_token: accessToken,
            token_type: 'Bearer',
            expires_in: options.expiresIn ?? 3600,
            scope: scopes.join(' '),
          };
          if (rotate) {
            state.liveRefreshTokens.delete(presented);
            const next = token('rt');
            state.liveRefreshTokens.add(next);
            refreshScopes.set(next, scopes);
            answer.refresh_token = next;
          }
          return json(res, 200, answer);
        }
        return fail(res, 400, 'unsupported_grant_type');
      }
      if (req.method === 'POST' && url.pathname === '/revoke') {
        const body = await readBody(req);
        if (!authenticateClient(req, body)) return fail(res, 401, 'invalid_client');
        const t = body.get('token') ?? '';
        state.revoked.push(t);
        state.liveRefreshTokens.delete(t);
        res.writeHead(200);
        return res.end();
      }
      res.writeHead(404);
      res.end();
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return Object.assign(state, {
    url: base,
    failNextRefreshes(count: number, kind: 'invalid_grant' | 'server_error') {
      failing = { count, kind };
    },
    async authorize(authorizationUrl: string, decision: 'consent' | 'deny' = 'consent') {
      const target = new URL(authorizationUrl);
      // Presets point at the real providers; the browser stand-in sends the same query here.
      const local = new URL(`${base}/authorize${target.search}`);
      if (decision === 'deny') local.searchParams.set('x-decision', 'deny');
      const response = await fetch(local, { redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) throw new Error(`authorize failed: HTTP ${response.status}`);
      return location;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
