/**
 * What each provider sends to a webhook endpoint and what it does with the answer, as OpenAPI
 * fragments. The facts come from the verifiers in `switchyard/webhooks` (which headers they read)
 * and from docs/webhooks.md (what each status makes the provider do), so the document describes the
 * endpoint a host builds with switchyard, not a provider's whole API.
 */

/**
 * Providers `buildWebhookOpenApi` can describe: one endpoint each.
 *
 * @example
 * buildWebhookOpenApi({ providers: WEBHOOK_PROVIDERS }); // every endpoint switchyard can verify
 */
export const WEBHOOK_PROVIDERS = [
  'stripe',
  'standard-webhooks',
  'svix',
  'resend',
  'twilio',
  'sendgrid',
  'mailgun',
  'sns',
  'graph',
  'google',
] as const;
/** A provider name of {@link WEBHOOK_PROVIDERS}, like `'stripe'` or `'graph'`. */
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

type Json = Record<string, unknown>;

interface HeaderSpec {
  name: string;
  description: string;
  required: boolean;
  example?: string;
}

/** One provider's endpoint. `body: undefined` means the provider sends no body (Google). */
export interface ProviderSpec {
  summary: string;
  description: string;
  verifier: string;
  headers: HeaderSpec[];
  body?: { mediaType: 'application/json' | 'application/x-www-form-urlencoded' | 'text/plain'; description: string; schema: Json };
  /** Extra request media types the provider may use for the same body (SNS posts JSON as text/plain). */
  alsoAccepts?: string[];
  /** The normalized event schema the verified payload turns into, if switchyard has one. */
  normalizedAs?: string;
  /** What a non-2xx answer makes the provider do. */
  onFailure: string;
  /** What a 2xx must look like and how fast. */
  onSuccess: string;
}

const anyJsonObject: Json = { type: 'object', additionalProperties: true };
const stringMap: Json = { type: 'object', additionalProperties: { type: 'string' } };

const standardHeaders = (prefix: 'webhook' | 'svix'): HeaderSpec[] => [
  {
    name: `${prefix}-id`,
    required: true,
    description: 'Delivery id; the same on every retry of a message (replay guard key).',
    example: 'msg_2Lh9KQ3pD4',
  },
  {
    name: `${prefix}-timestamp`,
    required: true,
    description: 'Unix seconds when the message was signed; must be within the tolerance (300 s).',
    example: '1700000000',
  },
  {
    name: `${prefix}-signature`,
    required: true,
    description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures over `<id>.<timestamp>.<raw body>`.',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
];

const standardRetry =
  'Any non-2xx (or no answer within 15 s) is retried with exponential backoff for about a day (Svix schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); an endpoint that keeps failing is disabled.';

export const PROVIDER_SPECS: Record<WebhookProvider, ProviderSpec> = {
  stripe: {
    summary: 'Stripe events',
    description:
      'Stripe posts one event per request. Verify the raw bytes with `verifyStripeWebhook`, then map with the payments adapter (`parseWebhook`).',
    verifier: 'verifyStripeWebhook',
    headers: [
      {
        name: 'Stripe-Signature',
        required: true,
        description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (several `v1` while a secret rolls).',
        example: 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
      },
    ],
    body: { mediaType: 'application/json', description: 'A Stripe Event object, verified over its exact bytes.', schema: anyJsonObject },
    normalizedAs: 'PaymentEvent',
    onSuccess: 'Answer 2xx before any slow work (queue it): a slow answer counts as a failure.',
    onFailure:
      'Any non-2xx or a timeout is retried with exponential backoff for up to 3 days in live mode (a few hours in test mode); a 4xx does not stop the retries.',
  },
  'standard-webhooks': {
    summary: 'Standard Webhooks',
    description: 'Any sender following the Standard Webhooks specification. Verify with `verifyStandardWebhook`.',
    verifier: 'verifyStandardWebhook',
    headers: standardHeaders('webhook'),
    body: { mediaType: 'application/json', description: "The sender's JSON message.", schema: anyJsonObject },
    onSuccess: 'Answer 2xx within 15 s.',
    onFailure: standardRetry,
  },
  svix: {
    summary: 'Svix',
    description: 'Svix sends the Standard Webhooks headers with an `svix-` prefix; `verifyStandardWebhook` reads both spellings.',
    verifier: 'verifyStandardWebhook',
    headers: standardHeaders('svix'),
    body: { mediaType: 'application/json', description: "The sender's JSON message.", schema: anyJsonObject },
    onSuccess: 'Answer 2xx within 15 s.',
    onFailure: standardRetry,
  },
  resend: {
    summary: 'Resend email events',
    description:
      'Resend signs with Standard Webhooks (through Svix). Verify with `verifyStandardWebhook`, or `parseWebhook` of the Resend notifier.',
    verifier: 'verifyStandardWebhook',
    headers: standardHeaders('svix'),
    body: { mediaType: 'application/json', description: 'A Resend event (`email.delivered`, `email.bounced`, …).', schema: anyJsonObject },
    normalizedAs: 'NotifyEvent',
    onSuccess: 'Answer 2xx within 15 s.',
    onFailure: standardRetry,
  },
  twilio: {
    summary: 'Twilio status callbacks and incoming messages',
    description:
      'Twilio posts form parameters (or JSON with `bodySHA256` in the URL). The signature covers the public URL configured in Twilio: pass it as `url` behind a proxy. Verify with `verifyTwilioWebhook`.',
    verifier: 'verifyTwilioWebhook',
    headers: [
      {
        name: 'X-Twilio-Signature',
        required: true,
        description: 'Base64 HMAC-SHA1 (auth token) over the full URL followed by every POST parameter as name+value, sorted by name.',
        example: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
      },
      {
        name: 'I-Twilio-Idempotency-Token',
        required: false,
        description: 'Same on every retry of one callback; used as the delivery id when present.',
      },
    ],
    body: {
      mediaType: 'application/x-www-form-urlencoded',
      description: 'Status callback parameters (`MessageSid`, `MessageStatus`, `ErrorCode`, …).',
      schema: stringMap,
    },
    normalizedAs: 'NotifyEvent',
    onSuccess: 'Answer 2xx (an empty TwiML `<Response/>` or 204) within 15 s.',
    onFailure:
      'Status callbacks are not retried by default: a non-2xx is logged as an error in the Twilio console (add `#rc=` connection overrides to the URL to get retries). Answer 2xx for everything you verified.',
  },
  sendgrid: {
    summary: 'SendGrid Event Webhook',
    description: 'A batch of email events, signed with ECDSA P-256. Verify with `verifySendGridWebhook`; deduplicate by `sg_event_id`.',
    verifier: 'verifySendGridWebhook',
    headers: [
      {
        name: 'X-Twilio-Email-Event-Webhook-Signature',
        required: true,
        description: 'Base64 DER ECDSA P-256/SHA-256 signature over `<timestamp><raw body>`.',
      },
      {
        name: 'X-Twilio-Email-Event-Webhook-Timestamp',
        required: true,
        description: 'Unix seconds; must be within the tolerance.',
        example: '1700000000',
      },
    ],
    body: {
      mediaType: 'application/json',
      description: 'An array of events, each line ending in CRLF: never re-serialize it.',
      schema: { type: 'array', items: anyJsonObject },
    },
    normalizedAs: 'NotifyEvent',
    onSuccess: 'Answer 2xx within a few seconds.',
    onFailure: 'A non-2xx (5xx or 4xx) makes SendGrid retry the batch for up to 24 hours; after that the events are dropped.',
  },
  mailgun: {
    summary: 'Mailgun webhooks',
    description:
      'The signature is in the body (`signature.timestamp`, `signature.token`, `signature.signature`) and does not cover `event-data`, so every token goes through a replay guard. Verify with `verifyMailgunWebhook`.',
    verifier: 'verifyMailgunWebhook',
    headers: [],
    body: {
      mediaType: 'application/json',
      description:
        '`{ signature: { timestamp, token, signature }, "event-data": {…} }`; legacy webhooks send the same fields form-encoded.',
      schema: {
        type: 'object',
        required: ['signature'],
        properties: {
          signature: {
            type: 'object',
            required: ['timestamp', 'token', 'signature'],
            properties: { timestamp: { type: 'string' }, token: { type: 'string' }, signature: { type: 'string' } },
          },
          'event-data': anyJsonObject,
        },
      },
    },
    alsoAccepts: ['application/x-www-form-urlencoded'],
    onSuccess: 'Answer 200 within 10 s.',
    onFailure: 'Mailgun retries any answer other than 200 or 406 over about 8 hours; 406 Not Acceptable tells it to stop retrying.',
  },
  sns: {
    summary: 'AWS SNS (SES bounces and complaints)',
    description:
      'SNS posts a signed JSON envelope with `Content-Type: text/plain`, so read the raw body. Verify with `verifySnsMessage`; confirm a `SubscriptionConfirmation` by fetching its `SubscribeURL`.',
    verifier: 'verifySnsMessage',
    headers: [
      {
        name: 'x-amz-sns-message-type',
        required: false,
        description:
          '`Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation` (also in the body, which is what is verified).',
      },
      { name: 'x-amz-sns-message-id', required: false, description: 'The `MessageId` of the envelope.' },
      { name: 'x-amz-sns-topic-arn', required: false, description: 'The topic; check it against `topicArns`.' },
    ],
    body: {
      mediaType: 'text/plain',
      description:
        'The SNS JSON envelope (`Type`, `MessageId`, `TopicArn`, `Message`, `Timestamp`, `SignatureVersion`, `Signature`, `SigningCertURL`, …).',
      schema: { type: 'string' },
    },
    alsoAccepts: ['application/json'],
    normalizedAs: 'NotifyEvent',
    onSuccess: 'Answer 2xx within 15 s.',
    onFailure:
      "SNS retries 5xx and timeouts under the subscription's delivery policy (HTTP default: 3 retries, 20 s apart); answer 503 when the signing certificate could not be fetched (`unavailable`) so the retry verifies.",
  },
  graph: {
    summary: 'Microsoft Graph change notifications',
    description:
      'Graph proves itself with the `clientState` of the subscription in every item. Before that, creating or renewing a subscription sends `?validationToken=` which must be echoed as text/plain within 10 s (`graphValidationResponse`). Verify notifications with `verifyGraphNotification`.',
    verifier: 'verifyGraphNotification',
    headers: [],
    body: {
      mediaType: 'application/json',
      description: '`{ value: [{ subscriptionId, clientState, changeType, resource, lifecycleEvent?, … }] }`.',
      schema: {
        type: 'object',
        required: ['value'],
        properties: {
          value: {
            type: 'array',
            items: {
              type: 'object',
              required: ['subscriptionId', 'clientState'],
              properties: {
                subscriptionId: { type: 'string' },
                clientState: { type: 'string' },
                changeType: { type: 'string', enum: ['created', 'updated', 'deleted'] },
                resource: { type: 'string' },
                lifecycleEvent: { type: 'string', enum: ['reauthorizationRequired', 'missed', 'subscriptionRemoved'] },
                tenantId: { type: 'string' },
                subscriptionExpirationDateTime: { type: 'string' },
              },
            },
          },
        },
      },
    },
    normalizedAs: 'CalendarEventChange',
    onSuccess: 'Answer 202 within 3 s; run the delta sync elsewhere.',
    onFailure:
      'Graph retries a 5xx or a slow answer for up to 4 hours with exponential backoff, and drops or throttles endpoints that keep failing or answer slowly; a 4xx is not retried.',
  },
  google: {
    summary: 'Google Calendar push notifications',
    description:
      'Google sends no body and signs nothing: the proof is the channel `token` echoed in `X-Goog-Channel-Token`. A `sync` state is the first message of a channel; `exists` means run an incremental sync. Verify with `verifyGoogleChannel`.',
    verifier: 'verifyGoogleChannel',
    headers: [
      { name: 'X-Goog-Channel-ID', required: true, description: 'The channel id you chose in `events.watch`.' },
      { name: 'X-Goog-Channel-Token', required: true, description: 'The channel `token` you set; compared in constant time.' },
      { name: 'X-Goog-Resource-ID', required: true, description: 'Opaque id of the watched resource (needed to stop the channel).' },
      {
        name: 'X-Goog-Resource-State',
        required: true,
        description: '`sync` (first message of the channel), `exists` (something changed) or `not_exists`.',
        example: 'exists',
      },
      { name: 'X-Goog-Resource-URI', required: false, description: 'API URI of the watched resource.' },
      { name: 'X-Goog-Message-Number', required: false, description: 'Increases by one per message on a channel.', example: '2' },
      { name: 'X-Goog-Channel-Expiration', required: false, description: 'RFC 1123 date after which the channel stops; renew before it.' },
    ],
    normalizedAs: 'CalendarEventChange',
    onSuccess: 'Answer 200, 201, 202, 204 or 102 quickly; run the sync elsewhere.',
    onFailure:
      'A 500, 502, 503 or 504 (or no answer) is retried with exponential backoff; other statuses count as a failure and are not retried.',
  },
};
