/**
 * Webhooks in an Express app: the Stripe route takes the raw body with `express.raw()` (never
 * `express.json()` on a webhook route: re-serialized JSON never matches the signature), the SNS
 * route lets `fromNodeRequest` read the stream itself, and both answer with the status each
 * `WebhookVerificationError.code` calls for.
 *
 * Run: `npx tsx examples/webhooks-express.ts`. It starts the app on a free port, sends it locally
 * signed requests and exits. Express is not a dependency of switchyard: when it is not installed
 * the same handlers are mounted on a plain `node:http` server (Express's `req`/`res` extend those).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { createReplayGuard, fromNodeRequest, verifyStripeWebhook, WebhookVerificationError } from '../src/webhooks/index.js';

const STRIPE_SECRET = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_example_secret_for_the_demo';
const replayGuard = createReplayGuard(); // pass { store: createRedisStore(…) } when you run several instances

/** Map a verification failure to the answer the provider should get. */
function fail(res: ServerResponse, error: unknown): void {
  if (!(error instanceof WebhookVerificationError)) throw error;
  // `replayed`: we already processed it; 2xx stops the provider's retries.
  res.statusCode = error.code === 'replayed' ? 200 : error.code === 'invalid_config' ? 500 : 400;
  console.log(`    ${error.code}: ${error.message}`);
  res.end(error.code);
}

/** POST /webhooks/stripe — mounted after `express.raw({ type: '*\/*' })`, or alone on node:http. */
async function stripeWebhook(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void> {
  try {
    // With express.raw(), req.body is the Buffer; without a parser, fromNodeRequest reads the stream.
    const raw = await fromNodeRequest(req);
    const event = await verifyStripeWebhook(raw, { secret: STRIPE_SECRET, replayGuard });
    const type = (event.payload as { type: string }).type;
    try {
      console.log(`    handling ${type} ${event.id}`);
      res.statusCode = 200;
      res.end('ok');
    } catch (handlerError) {
      // The handler failed: forget the id so Stripe's retry is processed, not rejected as a replay.
      await replayGuard.release('stripe', event.id as string);
      throw handlerError;
    }
  } catch (error) {
    fail(res, error);
  }
}

/** The Express app when Express is installed; a node:http server with the same route otherwise. */
async function startServer(): Promise<{ url: string; close: () => Promise<void>; flavour: string }> {
  let server: ReturnType<typeof createServer>;
  let flavour: string;
  const name = 'express'; // a variable specifier: switchyard does not depend on Express
  const express = await import(name).then((m) => m.default ?? m).catch(() => undefined);
  if (express) {
    const app = express();
    app.post('/webhooks/stripe', express.raw({ type: '*/*' }), stripeWebhook);
    app.use(express.json()); // fine for every other route
    server = createServer(app);
    flavour = 'Express';
  } else {
    server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/webhooks/stripe') void stripeWebhook(req, res);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    flavour = 'node:http (Express is not installed)';
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, flavour, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const { url, close, flavour } = await startServer();
console.log(`Stripe webhook route on ${flavour} at ${url}/webhooks/stripe`);

// Sign requests the way Stripe does: HMAC-SHA256 of "<t>.<body>" with the endpoint secret.
const body = JSON.stringify({ id: 'evt_express_1', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1' } } });
const t = Math.floor(Date.now() / 1000);
const sign = (at: number) => `t=${at},v1=${createHmac('sha256', STRIPE_SECRET).update(`${at}.${body}`).digest('hex')}`;
const signature = sign(t);
const send = async (title: string, payload: string, header: string) => {
  console.log(`${title}:`);
  const res = await fetch(`${url}/webhooks/stripe`, {
    method: 'POST',
    body: payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
  console.log(`    → ${res.status}`);
};
await send('a signed invoice.paid event', body, signature);
await send('the same event again (Stripe retried)', body, signature);
await send('a body re-serialized with different spacing', JSON.stringify(JSON.parse(body), null, 2), signature);
await send('a genuine signature made five minutes and a second ago (replayed capture)', body, sign(t - 301));
await close();
