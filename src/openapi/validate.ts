/** Checks of `buildWebhookOpenApi`'s options: a wrong call is `invalid_input` naming the field, never a broken document. */
import { IntegrationError } from '../core/errors.js';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from './providers.js';

/**
 * One endpoint to describe: a provider name (served at `<basePath>/<provider>`) or a provider with its own path.
 *
 * @example
 * const entries: ProviderEntry[] = ['stripe', { provider: 'google', path: '/calendar/push' }];
 */
export type ProviderEntry = WebhookProvider | { provider: WebhookProvider; path: string };

/**
 * Options of `buildWebhookOpenApi`.
 *
 * @example
 * const options: BuildWebhookOpenApiOptions = { basePath: '/hooks', providers: ['stripe', { provider: 'graph', path: '/ms' }] };
 */
export interface BuildWebhookOpenApiOptions {
  /** Prefix of every endpoint, like `/webhooks` (the default). `''` or `/` serves them at the root. */
  basePath?: string;
  /** The endpoints the host serves, at least one, each provider at most once. */
  providers: readonly ProviderEntry[];
  /** `info` of the document; defaults to a switchyard title and version `1.0.0`. */
  info?: { title?: string; version?: string; description?: string };
  /** `servers` of the document, e.g. `[{ url: 'https://api.example.com' }]`. */
  servers?: readonly { url: string; description?: string }[];
}

export interface Endpoint {
  provider: WebhookProvider;
  path: string;
}

// RFC 3986 path characters without `{}` (OpenAPI templating), `?` and `#`: a webhook URL is fixed.
const PATH = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/;
const known = new Set<string>(WEBHOOK_PROVIDERS);

function invalid(message: string, field: string): IntegrationError {
  return new IntegrationError('invalid_input', `buildWebhookOpenApi: ${message}`, { details: { field } });
}

function checkPath(path: unknown, field: string): string {
  if (typeof path !== 'string' || !PATH.test(path)) {
    throw invalid(`${field} must be an absolute path like "/webhooks/stripe" (no trailing slash, query, fragment or {templates})`, field);
  }
  return path;
}

function checkString(value: unknown, field: string, optional: boolean): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field} must be a non-empty string`, field);
}

/** The endpoints to describe, in the order given. */
export function parseOptions(options: BuildWebhookOpenApiOptions): Endpoint[] {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object with providers', 'options');
  const rawBase = options.basePath ?? '/webhooks';
  const basePath = rawBase === '' || rawBase === '/' ? '' : checkPath(rawBase, 'basePath');
  if (options.info !== undefined) {
    if (typeof options.info !== 'object' || options.info === null) throw invalid('info must be an object', 'info');
    checkString(options.info.title, 'info.title', true);
    checkString(options.info.version, 'info.version', true);
    checkString(options.info.description, 'info.description', true);
  }
  if (options.servers !== undefined) {
    if (!Array.isArray(options.servers)) throw invalid('servers must be an array of { url }', 'servers');
    options.servers.forEach((server, i) => {
      if (typeof server !== 'object' || server === null) throw invalid(`servers[${i}] must be an object with url`, `servers[${i}]`);
      checkString(server.url, `servers[${i}].url`, false);
      checkString(server.description, `servers[${i}].description`, true);
    });
  }
  const providers: unknown = options.providers;
  if (!Array.isArray(providers) || providers.length === 0) {
    throw invalid(`providers must be a non-empty array of ${WEBHOOK_PROVIDERS.join(', ')}`, 'providers');
  }
  const endpoints: Endpoint[] = [];
  const seenProviders = new Set<string>();
  const seenPaths = new Set<string>();
  providers.forEach((entry: unknown, i) => {
    const field = `providers[${i}]`;
    const name = typeof entry === 'object' && entry !== null ? (entry as { provider?: unknown }).provider : entry;
    if (typeof name !== 'string' || !known.has(name)) {
      throw invalid(`${field} is not a known provider; use one of ${WEBHOOK_PROVIDERS.join(', ')}`, field);
    }
    const provider = name as WebhookProvider;
    const path =
      typeof entry === 'object' && entry !== null
        ? checkPath((entry as { path?: unknown }).path, `${field}.path`)
        : `${basePath}/${provider}`;
    if (seenProviders.has(provider)) throw invalid(`${field}: ${provider} is listed twice`, field);
    if (seenPaths.has(path)) throw invalid(`${field}: the path ${path} is already used by another provider`, `${field}.path`);
    seenProviders.add(provider);
    seenPaths.add(path);
    endpoints.push({ provider, path });
  });
  return endpoints;
}
