/** Request adapters: exact bytes from a Fetch Request and from a real node:http server, and the parsed-body mistake. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromFetchRequest, fromNodeRequest, type RawWebhook, verifyStripeWebhook } from '../../src/webhooks/index.js';
import { expectCode, rejection, stripeEvent } from './helpers.js';

const secret = 'whsec_adapter_test_secret';
const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');

describe('fromFetchRequest', () => {
  it('keeps the exact bytes, headers and URL', async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x7d, 0x0d, 0x0a, 0xff]);
    const req = new Request('https://example.com/hooks?x=1', { method: 'POST', body: bytes, headers: { 'stripe-signature': 't=1,v1=a' } });
    const raw = await fromFetchRequest(req);
    expect(raw.body).toEqual(bytes);
    expect(raw.url).toBe('https://example.com/hooks?x=1');
    expect((raw.headers as Headers).get('stripe-signature')).toBe('t=1,v1=a');
  });

  it('verifies end to end with a real signature', async () => {
    const body = stripeEvent();
    const req = new Request('https://example.com/hooks', {
      method: 'POST',
      body,
      headers: { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret }) },
    });
    await expect(verifyStripeWebhook(await fromFetchRequest(req), { secret })).resolves.toMatchObject({ id: 'evt_1QabcDEF' });
  });

  it('refuses a body that was already read, saying what to do', async () => {
    const req = new Request('https://example.com/', { method: 'POST', body: '{}' });
    await req.json();
    const error = await expectCode(fromFetchRequest(req), 'invalid_input');
    expect(error.message).toMatch(/clone\(\)/);
  });

  it('enforces maxBytes', async () => {
    const req = new Request('https://example.com/', { method: 'POST', body: 'x'.repeat(100) });
    await expectCode(fromFetchRequest(req, { maxBytes: 10 }), 'invalid_input');
  });

  it('stops reading a streamed body at maxBytes even without Content-Length', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
        if (pulled > 1000) controller.close();
      },
    });
    const req = new Request('https://example.com/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    await expectCode(fromFetchRequest(req, { maxBytes: 4096 }), 'invalid_input');
    expect(pulled).toBeLessThan(20);
  });

  it('an empty body is an empty byte array', async () => {
    const raw = await fromFetchRequest(new Request('https://example.com/', { method: 'POST' }));
    expect(raw.body).toEqual(new Uint8Array(0));
  });

  it('refuses something that is not a Request', async () => {
    await expectCode(fromFetchRequest({} as Request), 'invalid_input');
  });
});

describe('fromNodeRequest on a real node:http server', () => {
  let url: string;
  let handler: (req: IncomingMessage) => Promise<RawWebhook>;
  const server = createServer(async (req, res) => {
    try {
      const raw = await handler(req);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          body: Buffer.from(raw.body as Uint8Array).toString('base64'),
          url: raw.url,
          sig: raw.headers['stripe-signature' as never],
        }),
      );
    } catch (error) {
      res.statusCode = 400;
      res.end(JSON.stringify({ code: (error as { code?: string }).code, message: (error as Error).message }));
    }
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads the stream into the exact bytes and rebuilds the URL', async () => {
    handler = (req) => fromNodeRequest(req);
    const bytes = Buffer.from([0x7b, 0xff, 0x00, 0x0d, 0x0a, 0x7d]);
    const res = await fetch(`${url}/hooks/stripe?x=1`, { method: 'POST', body: bytes, headers: { 'stripe-signature': 't=1,v1=a' } });
    const out = (await res.json()) as { body: string; url: string; sig: string };
    expect(Buffer.from(out.body, 'base64')).toEqual(bytes);
    expect(out.url).toBe(`${url}/hooks/stripe?x=1`);
    expect(out.sig).toBe('t=1,v1=a');
  });

  it('refuses a stream already consumed by a parser with the express.json() hint', async () => {
    handler = async (req) => {
      for await (const _chunk of req) {
        // a body parser ran first
      }
      (req as { body?: unknown }).body = undefined;
      return fromNodeRequest(req);
    };
    const res = await fetch(`${url}/x`, { method: 'POST', body: '{"a":1}' });
    const out = (await res.json()) as { code: string; message: string };
    expect(res.status).toBe(400);
    expect(out.code).toBe('invalid_input');
    expect(out.message).toMatch(/express\.raw/);
  });

  it('enforces maxBytes while streaming', async () => {
    handler = (req) => fromNodeRequest(req, undefined, { maxBytes: 16 });
    const res = await fetch(`${url}/x`, { method: 'POST', body: 'x'.repeat(1000) });
    expect(((await res.json()) as { code: string }).code).toBe('invalid_input');
  });
});

describe('fromNodeRequest with framework-shaped requests', () => {
  const base = { headers: { host: 'api.example.com', 'stripe-signature': 't=1,v1=a' }, url: '/stripe', originalUrl: '/webhooks/stripe' };

  it('uses req.body when express.raw() produced a Buffer, and originalUrl for the URL', async () => {
    const raw = await fromNodeRequest({ ...base, body: Buffer.from('{"a":1}'), readableEnded: true });
    expect(Buffer.from(raw.body as Uint8Array).toString()).toBe('{"a":1}');
    expect(raw.url).toBe('http://api.example.com/webhooks/stripe');
  });

  it("reads the stream when Express 4's body parser skipped the request but set req.body = {}", async () => {
    const stream = Readable.from([Buffer.from('{"Type":'), Buffer.from('"Notification"}')]);
    const req = Object.assign(stream, { headers: { host: 'h', 'content-type': 'text/plain' }, url: '/sns', body: {} });
    const raw = await fromNodeRequest(req);
    expect(Buffer.from(raw.body as Uint8Array).toString()).toBe('{"Type":"Notification"}');
  });

  it('reads a Fastify request through request.raw', async () => {
    const nodeReq = Object.assign(Readable.from([Buffer.from('a=1')]), { headers: { host: 'h' }, url: '/t' });
    const raw = await fromNodeRequest({ headers: nodeReq.headers, url: '/t', raw: nodeReq });
    expect(Buffer.from(raw.body as Uint8Array).toString()).toBe('a=1');
  });

  it('uses an explicit rawBody first', async () => {
    const raw = await fromNodeRequest({ ...base, body: { parsed: true } }, '{"a":1}');
    expect(raw.body).toBe('{"a":1}');
  });

  it('the express.json() mistake is invalid_input with a message that says how to get the raw body', async () => {
    const error = await rejection(fromNodeRequest({ ...base, body: { id: 'evt_secret_payload' }, readableEnded: true }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/express\.raw\(\{ type: "\*\/\*" \}\)/);
    expect(error.message).not.toContain('evt_secret_payload');
  });

  it('a parsed rawBody argument is refused too', async () => {
    await expectCode(fromNodeRequest(base, { a: 1 } as unknown as string), 'invalid_input');
  });

  it('a host path like //other.host does not change the host', async () => {
    const raw = await fromNodeRequest({ headers: { host: 'api.example.com' }, url: '//evil.example/x', body: 'x' });
    expect(new URL(raw.url as string).host).toBe('api.example.com');
  });

  it('refuses something that is not a request', async () => {
    await expectCode(fromNodeRequest(null as never), 'invalid_input');
  });
});
