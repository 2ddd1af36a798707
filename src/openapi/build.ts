/**
 * `buildWebhookOpenApi`: the OpenAPI 3.1 document of the host's webhook endpoints. Each path is
 * what the provider sends (headers, raw body) and what each answer makes the provider do, so the
 * document doubles as the runbook for "why does Stripe keep retrying" and as input for gateways
 * and contract tests. The bodies are described as the provider sends them; what switchyard turns
 * them into after verification is in `components.schemas` (linked by `x-switchyard-event`).
 */
import { PROVIDER_SPECS, type ProviderSpec, type WebhookProvider } from './providers.js';
import { eventJsonSchemas } from './schemas.js';
import { type BuildWebhookOpenApiOptions, type Endpoint, parseOptions } from './validate.js';

/**
 * An OpenAPI 3.1 document as plain JSON data (serialize it with `JSON.stringify` or a YAML library).
 *
 * @example
 * const doc: OpenApiDocument = buildWebhookOpenApi({ providers: ['stripe'] });
 * writeFileSync('webhooks.openapi.json', JSON.stringify(doc, null, 2));
 */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers?: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Record<string, unknown>>; responses: Record<string, Record<string, unknown>> };
};

const problem = { type: 'string', description: 'The `IntegrationError` code, never the secret, signature or body.' };

/** Answers every endpoint shares; the per-provider text says what the provider does with them. */
const sharedResponses: Record<string, Record<string, unknown>> = {
  VerificationFailed: {
    description:
      'Verification failed: `signature_invalid`, `timestamp_out_of_tolerance` (authentic but old: check the clock) or `invalid_input` (a missing header, a parsed body).',
    content: { 'text/plain': { schema: problem } },
  },
  MisConfigured: {
    description:
      '`invalid_config`: the secret or key configured on this server is in the wrong format. Fix the deployment; the provider retries.',
  },
};

function successStatus(provider: WebhookProvider): string {
  if (provider === 'graph') return '202';
  if (provider === 'mailgun' || provider === 'google') return '200';
  return '204';
}

function requestBody(spec: ProviderSpec): Record<string, unknown> | undefined {
  if (!spec.body) return undefined;
  const content: Record<string, unknown> = { [spec.body.mediaType]: { schema: spec.body.schema } };
  // The same bytes may come with another declared type: it is the raw body that is verified.
  for (const type of spec.alsoAccepts ?? [])
    content[type] = { schema: type === 'application/x-www-form-urlencoded' ? { type: 'object' } : {} };
  return {
    required: true,
    description: `${spec.body.description} Keep the raw bytes: the signature covers them exactly, so never parse and re-serialize before verifying.`,
    content,
  };
}

function operation(endpoint: Endpoint, spec: ProviderSpec): Record<string, unknown> {
  const { provider } = endpoint;
  const responses: Record<string, unknown> = {
    [successStatus(provider)]: {
      description: `Accepted (also the answer to a \`replayed\` delivery: it was already processed). ${spec.onSuccess}`,
    },
    '400': { $ref: '#/components/responses/VerificationFailed' },
    '500': { $ref: '#/components/responses/MisConfigured' },
  };
  if (provider === 'sns') {
    responses['503'] = { description: '`unavailable`: the signing certificate could not be fetched. SNS retries, and the retry verifies.' };
  }
  const op: Record<string, unknown> = {
    operationId: `receive${provider.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Webhook`,
    tags: [provider],
    summary: spec.summary,
    description: `${spec.description}\n\nIf the endpoint answers anything else: ${spec.onFailure}`,
    parameters: spec.headers.map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required,
      description: h.description,
      schema: {
        type: 'string',
        ...(h.name.toLowerCase().includes('signature') || h.name.toLowerCase().includes('token') ? { maxLength: 8192 } : {}),
      },
      ...(h.example ? { example: h.example } : {}),
    })),
    responses,
    'x-switchyard-verifier': spec.verifier,
  };
  const body = requestBody(spec);
  if (body) op.requestBody = body;
  if (spec.normalizedAs) op['x-switchyard-event'] = { $ref: `#/components/schemas/${spec.normalizedAs}` };
  return op;
}

/** Graph's subscription handshake: `?validationToken=` must be echoed, decoded, as text/plain within 10 s. */
function graphHandshake(): Record<string, unknown> {
  return {
    operationId: 'validateGraphSubscription',
    tags: ['graph'],
    summary: 'Microsoft Graph subscription validation',
    description:
      'Sent when a subscription is created or renewed. Answer with `graphValidationResponse(request.url)`: 200, the decoded token as text/plain, within 10 s, or the subscription is not created.',
    parameters: [
      {
        name: 'validationToken',
        in: 'query',
        required: true,
        description: 'Opaque token to echo back, decoded.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      '200': { description: 'The token, as received (URL-decoded).', content: { 'text/plain': { schema: { type: 'string' } } } },
    },
    'x-switchyard-verifier': 'graphValidationResponse',
  };
}

function pathItem(endpoint: Endpoint): Record<string, unknown> {
  const spec = PROVIDER_SPECS[endpoint.provider];
  const post = operation(endpoint, spec);
  if (endpoint.provider !== 'graph') return { post };
  // One URL serves both: a POST with ?validationToken is the handshake, without it a notification.
  // OpenAPI allows one operation per method, so the handshake's POST is folded into the notification
  // operation (the query parameter and the text/plain 200), and GET carries it alone.
  const handshake = graphHandshake();
  const parameters = [...(post.parameters as unknown[]), { ...(handshake.parameters as Record<string, unknown>[])[0], required: false }];
  const responses = { '200': (handshake.responses as Record<string, unknown>)['200'], ...(post.responses as Record<string, unknown>) };
  return {
    post: {
      ...post,
      description: `${post.description as string}\n\nWith \`?validationToken=\` this POST is the subscription handshake: answer 200 with the decoded token as text/plain within 10 s (\`graphValidationResponse\`), and there is no body to verify.`,
      parameters,
      responses,
      requestBody: { ...(post.requestBody as Record<string, unknown>), required: false },
    },
    get: handshake,
  };
}

/**
 * The OpenAPI 3.1 document of the host's webhook endpoints, one path per provider, with the
 * normalized event schemas in `components.schemas`. Throws `invalid_input` for unknown or
 * duplicate providers, clashing paths or a malformed `basePath`.
 *
 * @example
 * const doc = buildWebhookOpenApi({ basePath: '/webhooks', providers: ['stripe', 'graph', 'google'] });
 * app.get('/openapi.json', (_req, res) => res.json(doc));
 */
export function buildWebhookOpenApi(options: BuildWebhookOpenApiOptions): OpenApiDocument {
  const endpoints = parseOptions(options);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) paths[endpoint.path] = pathItem(endpoint);
  const info = options.info ?? {};
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Webhook endpoints',
      version: info.version ?? '1.0.0',
      description:
        info.description ??
        'Endpoints that receive provider webhooks, verified with switchyard/webhooks. Answer fast and do the work elsewhere; every status below says what the provider does next.',
    },
    tags: endpoints.map(({ provider }) => ({ name: provider, description: PROVIDER_SPECS[provider].summary })),
    paths,
    components: { schemas: eventJsonSchemas(), responses: structuredClone(sharedResponses) },
  };
  if (options.servers) doc.servers = options.servers.map((s) => ({ ...s }));
  return doc;
}
