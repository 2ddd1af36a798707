/**
 * switchyard/openapi: an OpenAPI 3.1 document of the host's webhook endpoints (headers, raw body,
 * the answers each provider expects) and the normalized event schemas, from the ports' zod schemas.
 * Loads no provider SDK.
 *
 * @packageDocumentation
 */
export { buildWebhookOpenApi, type OpenApiDocument } from './build.js';
export { WEBHOOK_PROVIDERS, type WebhookProvider } from './providers.js';
export { EVENT_SCHEMAS, type EventSchemaName, eventJsonSchemas } from './schemas.js';
export type { BuildWebhookOpenApiOptions, ProviderEntry } from './validate.js';
