/**
 * Option validation of `createOAuthClient`, field by field: every bad value is `invalid_config`
 * naming the field (dotted path, as before), with a message that states the rule and never the
 * value. Also guards the reason the checks are hand-written: the subpath loads no package at the top.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { createOAuthClient, type OAuthClientOptions } from '../../src/oauth/index.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, STATE_SECRET } from './support/setup.js';

const base: OAuthClientOptions = {
  preset: 'google',
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUri: REDIRECT_URI,
  features: ['calendar.read'],
  stateSecret: STATE_SECRET,
  openTelemetry: false,
};

const custom = { authorizationEndpoint: 'https://auth.example/authorize', tokenEndpoint: 'https://auth.example/token' };

function configError(options: unknown): { field: string; message: string } {
  try {
    createOAuthClient(options as OAuthClientOptions);
  } catch (error) {
    if (isIntegrationError(error) && error.code === 'invalid_config')
      return { field: String(error.details?.field), message: error.message };
    throw error;
  }
  throw new Error('expected invalid_config');
}

describe('createOAuthClient option validation', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['options is not an object', 'google', 'options', /options object is required/],
    ['preset of the wrong type', { ...base, preset: 42 }, 'preset', /'google', 'microsoft' or a custom/],
    ['preset array', { ...base, preset: ['google'] }, 'preset', /'google', 'microsoft' or a custom/],
    ['custom preset name with a space', { ...base, preset: { ...custom, name: 'my server' } }, 'preset.name', /1-64 characters/],
    [
      'custom preset without a token endpoint',
      { ...base, preset: { authorizationEndpoint: custom.authorizationEndpoint } },
      'preset.tokenEndpoint',
      /https URL/,
    ],
    [
      'custom token endpoint over plain http',
      { ...base, preset: { ...custom, tokenEndpoint: 'http://auth.example/token' } },
      'preset.tokenEndpoint',
      /https URL/,
    ],
    [
      'custom revocation endpoint with a fragment',
      { ...base, preset: { ...custom, revocationEndpoint: 'https://auth.example/r#x' } },
      'preset.revocationEndpoint',
      /without a fragment/,
    ],
    ['empty issuer', { ...base, preset: { ...custom, issuer: '' } }, 'preset.issuer', /non-empty/],
    ['featureScopes not an object', { ...base, preset: { ...custom, featureScopes: ['a'] } }, 'preset.featureScopes', /object/],
    [
      'featureScopes with an unknown feature',
      { ...base, preset: { ...custom, featureScopes: { 'mail.read': ['m'] } } },
      'preset.featureScopes',
      /calendar\.read/,
    ],
    [
      'featureScopes with a bad scope',
      { ...base, preset: { ...custom, featureScopes: { 'calendar.read': ['a b'] } } },
      'preset.featureScopes.calendar.read.0',
      /without spaces/,
    ],
    [
      'offlineParams with a number',
      { ...base, preset: { ...custom, offlineParams: { access_type: 1 } } },
      'preset.offlineParams.access_type',
      /string/,
    ],
    ['offlineScopes not an array', { ...base, preset: { ...custom, offlineScopes: 'offline_access' } }, 'preset.offlineScopes', /array/],
    ['tenant with a slash', { ...base, preset: 'microsoft', tenant: 'a/b' }, 'tenant', /1-100 characters/],
    ['clientId too long', { ...base, clientId: 'x'.repeat(513) }, 'clientId', /at most 512/],
    ['clientId missing', { ...base, clientId: undefined }, 'clientId', /non-empty string/],
    ['empty clientSecret', { ...base, clientSecret: '' }, 'clientSecret', /non-empty/],
    ['unknown clientAuth', { ...base, clientAuth: 'private_key_jwt' }, 'clientAuth', /client_secret_basic, client_secret_post, none/],
    ['redirectUri missing', { ...base, redirectUri: undefined }, 'redirectUri', /https URL/],
    ['scopes not an array', { ...base, scopes: 'openid' }, 'scopes', /array/],
    ['scope with a quote', { ...base, scopes: ['ok', 'a"b'] }, 'scopes.1', /without spaces or quotes/],
    ['empty scope', { ...base, scopes: [''] }, 'scopes.0', /non-empty/],
    ['unknown feature', { ...base, features: ['calendar.write'] }, 'features.0', /calendar\.readwrite/],
    ['features not an array', { ...base, features: 'calendar.read' }, 'features', /array/],
    ['offline as a string', { ...base, offline: 'false' }, 'offline', /true or false/],
    ['stateTtlSeconds below 30', { ...base, stateTtlSeconds: 29 }, 'stateTtlSeconds', /30 to 3600/],
    ['stateTtlSeconds fractional', { ...base, stateTtlSeconds: 60.5 }, 'stateTtlSeconds', /integer/],
    ['skewSeconds negative', { ...base, skewSeconds: -1 }, 'skewSeconds', /0 to 3600/],
    ['skewSeconds NaN', { ...base, skewSeconds: Number.NaN }, 'skewSeconds', /number/],
    ['refreshLockSeconds zero', { ...base, refreshLockSeconds: 0 }, 'refreshLockSeconds', /1 to 300/],
    ['refreshLockSeconds infinite', { ...base, refreshLockSeconds: Number.POSITIVE_INFINITY }, 'refreshLockSeconds', /1 to 300/],
    ['timeoutMs as a string', { ...base, timeoutMs: '5000' }, 'timeoutMs', /integer from 100/],
    ['timeoutMs below 100', { ...base, timeoutMs: 99 }, 'timeoutMs', /integer from 100/],
    ['now not a function', { ...base, now: 1 }, 'now', /function/],
    ['onReauthorizationRequired not a function', { ...base, onReauthorizationRequired: {} }, 'onReauthorizationRequired', /function/],
    ['stateSecret missing', { ...base, stateSecret: undefined }, 'stateSecret', /at least 32 bytes/],
    ['stateSecret empty list', { ...base, stateSecret: [] }, 'stateSecret', /at least one/],
  ];

  it.each(cases)('%s', (_name, options, field, message) => {
    const error = configError(options);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`createOAuthClient: ${field}: `)).toBe(true);
  });

  it('never quotes a bad value back, secret or not', () => {
    const secretish = 'sk_live_do-not-echo-me-0123456789';
    for (const options of [
      { ...base, clientSecret: secretish, clientAuth: secretish },
      { ...base, redirectUri: `https://x.example/cb#${secretish}` },
      { ...base, scopes: [`${secretish} x`] },
      { ...base, preset: { ...custom, offlineParams: { [secretish.slice(0, 3)]: 7 }, tokenEndpoint: `http://${secretish}.example` } },
      { ...base, stateSecret: secretish.slice(0, 20) },
    ]) {
      expect(configError(options).message).not.toContain(secretish.slice(0, 20));
    }
  });

  it('accepts featureScopes for only some features, as its type says', () => {
    const client = createOAuthClient({
      ...base,
      preset: { ...custom, featureScopes: { 'calendar.read': ['cal.read'] } },
      features: ['calendar.read'],
    });
    expect(client.scopes).toEqual(['cal.read']);
    expect(
      configError({ ...base, preset: { ...custom, featureScopes: { 'calendar.read': ['cal.read'] } }, features: ['calendar.freebusy'] })
        .field,
    ).toBe('features');
  });

  it('keeps only the known fields of a custom preset and applies the defaults', async () => {
    const client = createOAuthClient({
      ...base,
      features: undefined,
      scopes: ['openid'],
      preset: {
        ...custom,
        name: 'acme',
        offlineScopes: ['offline_access'],
        offlineParams: { prompt: 'consent' },
        extra: 'ignored',
      } as never,
    });
    expect(client.connection).toBe('acme');
    expect(client.scopes).toEqual(['openid', 'offline_access']);
    const url = new URL((await client.createAuthorizationUrl({ sessionId: 's' })).url);
    expect(url.origin + url.pathname).toBe(custom.authorizationEndpoint);
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.has('extra')).toBe(false);
  });

  it('accepts the loopback http redirect and the boundary values', () => {
    for (const redirectUri of ['http://127.0.0.1:8080/cb', 'http://localhost/cb', 'http://[::1]:3000/cb', 'https://app.example/cb?x=1']) {
      expect(() => createOAuthClient({ ...base, redirectUri })).not.toThrow();
    }
    expect(() =>
      createOAuthClient({ ...base, stateTtlSeconds: 30, skewSeconds: 0, refreshLockSeconds: 300, timeoutMs: 120_000, offline: false }),
    ).not.toThrow();
    expect(() => createOAuthClient({ ...base, stateTtlSeconds: 3600, refreshLockSeconds: 1, timeoutMs: 100 })).not.toThrow();
  });
});

describe('switchyard/oauth import graph', () => {
  it('statically imports no package (no zod): its cold import stays light', async () => {
    const result = await build({
      entryPoints: ['src/oauth/index.ts'],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      packages: 'external',
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.outputs).flatMap((o) =>
      o.imports.filter((i) => i.external && i.kind !== 'dynamic-import'),
    );
    expect(imports.map((i) => i.path)).toEqual([]);
  });
});
