/**
 * switchyard/webhooks: verify incoming webhooks from every provider switchyard integrates, on Node
 * and on Web-standard runtimes, with replay protection. Loads no provider SDK and no static `node:`
 * module (Node's crypto is reached lazily for speed; Web Crypto is used everywhere else).
 *
 * @packageDocumentation
 */

export { DEFAULT_TOLERANCE_SECONDS } from './common.js';
export { isWebhookVerificationError, type WebhookErrorCode, WebhookVerificationError } from './errors.js';
export { MAX_HEADER_LENGTH, MAX_SIGNATURES } from './headers.js';
export { type GoogleChannelNotification, type GoogleChannelOptions, verifyGoogleChannel } from './providers/google.js';
export {
  type GraphChangeNotification,
  type GraphNotificationBatch,
  type GraphNotificationOptions,
  graphValidationResponse,
  verifyGraphNotification,
} from './providers/graph.js';
export { type MailgunWebhookOptions, type MailgunWebhookPayload, verifyMailgunWebhook } from './providers/mailgun.js';
export { type SendGridEvent, type SendGridWebhookOptions, verifySendGridWebhook } from './providers/sendgrid.js';
export {
  isSnsCertificateUrl,
  type SnsMessage,
  type SnsNotification,
  type SnsSubscriptionConfirmation,
  type SnsVerifyOptions,
  snsCanonicalString,
  verifySnsMessage,
} from './providers/sns.js';
export { type StandardWebhookOptions, verifyStandardWebhook } from './providers/standard.js';
export { type StripeEventLike, type StripeWebhookOptions, verifyStripeWebhook } from './providers/stripe.js';
export { type TwilioParams, type TwilioWebhookOptions, verifyTwilioWebhook } from './providers/twilio.js';
export { createReplayGuard, DEFAULT_REPLAY_TTL_SECONDS, type ReplayGuard, type ReplayGuardOptions } from './replay.js';
export { DEFAULT_MAX_BODY_BYTES, fromFetchRequest, fromNodeRequest, type NodeRequestLike, type ReadBodyOptions } from './request.js';
export type { HeadersLike, RawWebhook, ReplayOptions, TimestampOptions, VerifiedWebhook } from './types.js';
