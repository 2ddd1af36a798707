/**
 * The webhook OpenAPI document: valid OpenAPI 3.1 (checked by @seriousme/openapi-schema-validator,
 * not by us), true to the verifiers (a request carrying the document's required headers verifies,
 * and dropping any of them fails), its event schemas accept what the fakes
 * emit and reject what they must not, bad options are `invalid_input`, and docs/openapi.yaml is
 * the current rendering.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPENAPI_YAML, renderOpenApiYaml } from '../../scripts/gen-openapi.js';
import { isIntegrationError } from '../../src/index.js';
import { buildWebhookOpenApi, EVENT_SCHEMAS, WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/openapi/index.js';
import { verifyGoogleChannel, verifyStripeWebhook } from '../../src/webhooks/index.js';

type Op = {
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { required: boolean; content: Record<string, unknown> };
  responses: Record<string, { description?: string; $ref?: string; content?: Record<string, unknown> }>;
  description: string;
  'x-switchyard-event'?: { $ref: string };
};
const all = buildWebhookOpenApi({ providers: WEBHOOK_PROVIDERS });
const op = (provider: WebhookProvider, method = 'post') => all.paths[`/webhooks/${provider}`]?.[method] as Op;
const requiredHeaders = (provider: WebhookProvider) =>
  op(provider)
    .parameters.filter((p) => p.in === 'header' && p.required)
    .map((p) => p.name.toLowerCase());

function expectInvalid(run: () => unknown, field: string) {
  try {
    run();
  } catch (error) {
    expect(isIntegrationError(error) && error.code).toBe('invalid_input');
    expect((error as { details?: { field?: string } }).details?.field).toBe(field);
    return;
  }
  throw new Error('expected invalid_input');
}

describe('buildWebhookOpenApi', () => {
  it('is a valid OpenAPI 3.1 document for every provider, alone and together', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(all));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator does catch a broken document (a header parameter in the body).
    const broken = structuredClone(all) as unknown as { paths: Record<string, { post: Op }> };
    (broken.paths['/webhooks/stripe']?.post.parameters[0] as { in: string }).in = 'body';
    expect((await new Validator().validate(broken)).valid).toBe(false);
    for (const provider of WEBHOOK_PROVIDERS) {
      const one = await new Validator().validate(structuredClone(buildWebhookOpenApi({ providers: [provider] })));
      expect(one.valid, provider).toBe(true);
    }
  });

  it('has one path per provider under basePath, and honours per-provider paths', () => {
    expect(Object.keys(all.paths)).toEqual(WEBHOOK_PROVIDERS.map((p) => `/webhooks/${p}`));
    const doc = buildWebhookOpenApi({ basePath: '/hooks/v2', providers: ['stripe', { provider: 'graph', path: '/ms/notify' }] });
    expect(Object.keys(doc.paths)).toEqual(['/hooks/v2/stripe', '/ms/notify']);
    expect(Object.keys(buildWebhookOpenApi({ basePath: '/', providers: ['google'] }).paths)).toEqual(['/google']);
  });

  it('declares the headers each verifier requires', () => {
    expect(requiredHeaders('stripe')).toEqual(['stripe-signature']);
    expect(requiredHeaders('standard-webhooks')).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    expect(requiredHeaders('svix')).toEqual(['svix-id', 'svix-timestamp', 'svix-signature']);
    expect(requiredHeaders('twilio')).toEqual(['x-twilio-signature']);
    expect(requiredHeaders('sendgrid')).toEqual(['x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp']);
    expect(requiredHeaders('google')).toEqual(['x-goog-channel-id', 'x-goog-channel-token', 'x-goog-resource-id', 'x-goog-resource-state']);
    // Mailgun, SNS and Graph carry their proof in the body.
    for (const p of ['mailgun', 'sns', 'graph'] as const) expect(requiredHeaders(p)).toEqual([]);
  });

  it("the Google endpoint's required headers are exactly what verifyGoogleChannel needs", async () => {
    const values: Record<string, string> = {
      'x-goog-channel-id': 'chan-1',
      'x-goog-channel-token': 'tok',
      'x-goog-resource-id': 'res-1',
      'x-goog-resource-state': 'exists',
    };
    const names = requiredHeaders('google');
    const headers = Object.fromEntries(names.map((n) => [n, values[n] ?? 'x']));
    await expect(verifyGoogleChannel({ body: '', headers }, { token: 'tok' })).resolves.toMatchObject({ provider: 'google' });
    for (const name of names) {
      const { [name]: _dropped, ...rest } = headers;
      await expect(verifyGoogleChannel({ body: '', headers: rest }, { token: 'tok' }), name).rejects.toThrow();
    }
  });

  it('a Stripe delivery carrying the declared header verifies, and one without it does not', async () => {
    const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'ping' });
    const secret = 'whsec_test_openapi';
    const name = requiredHeaders('stripe')[0] as string;
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    await expect(verifyStripeWebhook({ body, headers: { [name]: header } }, { secret })).resolves.toMatchObject({ id: 'evt_1' });
    await expect(verifyStripeWebhook({ body, headers: {} }, { secret })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('describes the raw body each provider sends, and none for Google', () => {
    expect(Object.keys(op('stripe').requestBody?.content ?? {})).toEqual(['application/json']);
    expect(Object.keys(op('twilio').requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(op('sns').requestBody?.content ?? {})).toEqual(['text/plain', 'application/json']);
    expect(op('google').requestBody).toBeUndefined();
  });

  it("answers with each provider's success status and documents what failures make it do", () => {
    expect(Object.keys(op('graph').responses)).toContain('202');
    expect(Object.keys(op('google').responses)).toContain('200');
    expect(Object.keys(op('stripe').responses)).toEqual(['204', '400', '500']);
    expect(Object.keys(op('sns').responses)).toContain('503');
    expect(op('stripe').description).toMatch(/retried .* 3 days/);
    expect(op('google').description).toMatch(/500, 502, 503 or 504/);
    expect(op('mailgun').description).toMatch(/406/);
    expect(all.components.responses.VerificationFailed).toBeDefined();
  });

  it('serves the Graph validationToken handshake as text/plain on GET and POST', () => {
    for (const method of ['get', 'post']) {
      const o = op('graph', method);
      const token = o.parameters.find((p) => p.name === 'validationToken');
      expect(token?.in).toBe('query');
      expect(Object.keys(o.responses['200']?.content ?? {})).toEqual(['text/plain']);
    }
    expect(op('graph', 'get').parameters.find((p) => p.name === 'validationToken')?.required).toBe(true);
    // The POST without the token is a notification with a body; with it, there is none.
    expect(op('graph').requestBody?.required).toBe(false);
  });

  it('links each endpoint to the normalized event it becomes', () => {
    expect(op('stripe')['x-switchyard-event']?.$ref).toBe('#/components/schemas/PaymentEvent');
    expect(op('sendgrid')['x-switchyard-event']?.$ref).toBe('#/components/schemas/NotifyEvent');
    expect(op('google')['x-switchyard-event']?.$ref).toBe('#/components/schemas/CalendarEventChange');
    // Every $ref in the document resolves.
    const refs = [...JSON.stringify(all).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(5);
    for (const [, kind, name] of refs) {
      expect(
        (all.components as Record<string, Record<string, unknown>>)[kind as string]?.[name as string],
        `${kind}/${name}`,
      ).toBeDefined();
    }
  });

  it('returns a fresh document each time: mutating one does not change the next', () => {
    const a = buildWebhookOpenApi({ providers: ['stripe'] });
    (a.components.responses.VerificationFailed as { description: string }).description = 'changed';
    delete a.components.schemas.PaymentEvent;
    const b = buildWebhookOpenApi({ providers: ['stripe'] });
    expect(b.components.responses.VerificationFailed?.description).not.toBe('changed');
    expect(b.components.schemas.PaymentEvent).toBeDefined();
  });

  it('refuses bad options with invalid_input naming the field', () => {
    const build = buildWebhookOpenApi as (o: unknown) => unknown;
    expectInvalid(() => build(undefined), 'options');
    expectInvalid(() => build({}), 'providers');
    expectInvalid(() => build({ providers: [] }), 'providers');
    expectInvalid(() => build({ providers: 'stripe' }), 'providers');
    expectInvalid(() => build({ providers: ['stripe', 'paypal'] }), 'providers[1]');
    expectInvalid(() => build({ providers: ['stripe', 'stripe'] }), 'providers[1]');
    expectInvalid(() => build({ providers: [{ provider: 'stripe' }] }), 'providers[0].path');
    expectInvalid(() => build({ providers: [{ provider: 'stripe', path: '/x/{id}' }] }), 'providers[0].path');
    expectInvalid(() => build({ providers: ['stripe', { provider: 'google', path: '/webhooks/stripe' }] }), 'providers[1].path');
    for (const basePath of ['webhooks', '/webhooks/', '/a?b', '/a#b', '/a//b', 42]) {
      expectInvalid(() => build({ basePath, providers: ['stripe'] }), 'basePath');
    }
    expectInvalid(() => build({ providers: ['stripe'], info: { title: '' } }), 'info.title');
    expectInvalid(() => build({ providers: ['stripe'], servers: [{}] }), 'servers[0].url');
    expectInvalid(() => build({ providers: ['stripe'], servers: 'https://x' }), 'servers');
  });
});

describe('components.schemas', () => {
  it('holds every normalized event schema, generated from the ports by zod', () => {
    expect(Object.keys(all.components.schemas).sort()).toEqual(Object.keys(EVENT_SCHEMAS).sort());
    const payment = all.components.schemas.PaymentEvent as { oneOf: { properties: { type: { const: string } } }[] };
    const types = payment.oneOf.map((o) => o.properties.type.const);
    expect(types).toContain('checkout.completed');
    expect(types).toContain('provider.unhandled');
    const delivery = all.components.schemas.DeliveryEvent as { properties: { status: { enum: string[] } } };
    expect(delivery.properties.status.enum).toContain('bounced');
  });

  it('uses only JSON Schema formats (zod-only ones like "includes" are dropped, their pattern kept)', () => {
    const formats = [...JSON.stringify(all.components.schemas).matchAll(/"format":"([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(formats)).toEqual(new Set(['date-time']));
    const attendee = JSON.stringify(all.components.schemas.CalendarEvent);
    expect(attendee).toContain('"pattern":"@"');
  });

  it('the notify event schemas accept real events and reject wrong ones', () => {
    const event = {
      kind: 'delivery',
      provider: 'twilio',
      channel: 'sms',
      providerEventId: 'SM1:delivered',
      providerMessageId: 'SM1',
      status: 'delivered',
      occurredAt: '2026-03-03T23:00:00.000Z',
    };
    expect(EVENT_SCHEMAS.NotifyEvent.safeParse(event).success).toBe(true);
    expect(EVENT_SCHEMAS.NotifyEvent.safeParse({ ...event, status: 'lost' }).success).toBe(false);
    expect(EVENT_SCHEMAS.NotifyEvent.safeParse({ ...event, channel: 'fax' }).success).toBe(false);
    expect(
      EVENT_SCHEMAS.NotifyEvent.safeParse({
        kind: 'consent',
        provider: 'twilio',
        channel: 'sms',
        providerEventId: 'x',
        action: 'opt_out',
        address: '+15555550100',
        occurredAt: 'x',
      }).success,
    ).toBe(true);
  });
});

describe('docs/openapi.yaml', () => {
  it('is the current rendering (run `npm run docs:openapi` when this fails)', () => {
    expect(readFileSync(OPENAPI_YAML, 'utf8')).toBe(renderOpenApiYaml());
  });

  it('parses back to a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(parse(readFileSync(OPENAPI_YAML, 'utf8')));
    expect(result.valid).toBe(true);
  });
});
