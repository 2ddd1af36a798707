/**
 * Webhooks on a Fetch-style handler: the shape of a Next.js route handler, a Hono route
 * (`app.post('/webhooks/*', (c) => handle(c.req.raw))`), a Cloudflare Worker or Deno/Bun `serve`.
 *
 * Run: `npx tsx examples/webhooks-fetch.ts`. With no secrets in the environment it signs its own
 * test requests with local secrets (the way Stripe and Svix would) and feeds them to the handler,
 * so it runs offline. Set STRIPE_WEBHOOK_SECRET / RESEND_WEBHOOK_SECRET to use your own.
 */
import {
  type VerifiedWebhook,
  WebhookVerificationError,
  createReplayGuard,
  fromFetchRequest,
  graphValidationResponse,
  verifyGraphNotification,
  verifyStandardWebhook,
  verifyStripeWebhook,
} from '../src/webhooks/index.js';

const STRIPE_SECRET = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_example_secret_for_the_demo';
const RESEND_SECRET = process.env.RESEND_WEBHOOK_SECRET ?? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GRAPH_CLIENT_STATE = process.env.GRAPH_CLIENT_STATE ?? 'local-client-state';

// One guard for the process; with several instances pass a Redis or PostgreSQL store.
const replayGuard = createReplayGuard({ ttlSeconds: 24 * 3600 });

/** The handler: route → verify → act. Every failure becomes a status code, never a 500 with a stack. */
export async function handle(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  try {
    if (pathname === '/webhooks/graph') {
      // Graph's subscription handshake comes before any notification: echo the token as text/plain.
      const handshake = graphValidationResponse(request.url);
      if (handshake) return handshake;
    }
    const raw = await fromFetchRequest(request); // the exact bytes: never call request.json() first
    let event: VerifiedWebhook;
    if (pathname === '/webhooks/stripe') event = await verifyStripeWebhook(raw, { secret: STRIPE_SECRET, replayGuard });
    else if (pathname === '/webhooks/resend') event = await verifyStandardWebhook(raw, { secret: RESEND_SECRET, replayGuard });
    else if (pathname === '/webhooks/graph') event = await verifyGraphNotification(raw, { clientState: GRAPH_CLIENT_STATE });
    else return new Response('not found', { status: 404 });
    // Enqueue the work and answer fast; providers retry on slow answers.
    console.log(`    accepted ${event.provider} ${event.id ?? ''}`.trimEnd());
    return new Response(null, { status: 204 });
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      // A replay was already processed: answer 2xx so the provider stops retrying.
      if (error.code === 'replayed') {
        console.log(`    duplicate of an accepted delivery: ${error.message}`);
        return new Response(null, { status: 204 });
      }
      console.log(`    rejected: ${error.code}: ${error.message}`);
      return new Response(error.code, { status: error.code === 'invalid_config' ? 500 : 400 });
    }
    throw error;
  }
}

// ---- What follows only drives the handler with locally signed requests. ----

async function hmac(key: Uint8Array, text: string, encoding: 'hex' | 'base64'): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(text)));
  return encoding === 'hex' ? [...mac].map((b) => b.toString(16).padStart(2, '0')).join('') : btoa(String.fromCharCode(...mac));
}

const t = Math.floor(Date.now() / 1000);
const stripeBody = JSON.stringify({
  id: 'evt_example_1',
  object: 'event',
  type: 'checkout.session.completed',
  data: { object: { id: 'cs_1' } },
});
const stripeSignature = `t=${t},v1=${await hmac(new TextEncoder().encode(STRIPE_SECRET), `${t}.${stripeBody}`, 'hex')}`;
const stripeRequest = () =>
  new Request('https://app.example/webhooks/stripe', {
    method: 'POST',
    body: stripeBody,
    headers: { 'stripe-signature': stripeSignature },
  });

const resendBody = JSON.stringify({ type: 'email.delivered', data: { email_id: 'em_1' } });
const resendKey = Uint8Array.from(atob(RESEND_SECRET.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));
const resendRequest = new Request('https://app.example/webhooks/resend', {
  method: 'POST',
  body: resendBody,
  headers: {
    'webhook-id': 'msg_example_1',
    'webhook-timestamp': String(t),
    'webhook-signature': `v1,${await hmac(resendKey, `msg_example_1.${t}.${resendBody}`, 'base64')}`,
  },
});

const steps: Array<[string, Request]> = [
  ['Stripe event, correctly signed', stripeRequest()],
  ['the same Stripe event delivered again (a retry)', stripeRequest()],
  ['Stripe event with a changed body', new Request(stripeRequest(), { body: stripeBody.replace('cs_1', 'cs_2') })],
  ['Resend (Standard Webhooks) event', resendRequest],
  [
    'Graph subscription handshake',
    new Request('https://app.example/webhooks/graph?validationToken=Validation%3A+hello', { method: 'POST' }),
  ],
  [
    'Graph notification with a forged clientState',
    new Request('https://app.example/webhooks/graph', {
      method: 'POST',
      body: JSON.stringify({ value: [{ subscriptionId: 's', clientState: 'guess' }] }),
    }),
  ],
];
for (const [title, request] of steps) {
  console.log(`${title}:`);
  const response = await handle(request);
  console.log(
    `    → ${response.status}${response.headers.get('content-type')?.startsWith('text/plain') ? ` ${await response.text()}` : ''}`,
  );
}
