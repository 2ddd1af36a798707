/**
 * switchyard/webhooks: verify incoming webhooks from every provider switchyard integrates, on Node
 * and on Web-standard runtimes, with replay protection. Loads no provider SDK and no static `node:`
 * module (Node's crypto is reached lazily for speed; Web Crypto is used everywhere else).
 */
export { WebhookVerificationError, isWebhookVerificationError, type WebhookErrorCode } from './errors.js';
export type { HeadersLike, RawWebhook, VerifiedWebhook, TimestampOptions, ReplayOptions } from './types.js';
export { fromFetchRequest, fromNodeRequest, DEFAULT_MAX_BODY_BYTES, type NodeRequestLike, type ReadBodyOptions } from './request.js';
export { createReplayGuard, DEFAULT_REPLAY_TTL_SECONDS, type ReplayGuard, type ReplayGuardOptions } from './replay.js';
export { DEFAULT_TOLERANCE_SECONDS } from './common.js';
export { MAX_HEADER_LENGTH, MAX_SIGNATURES } from './headers.js';
export { verifyStripeWebhook, type StripeWebhookOptions, type StripeEventLike } from './providers/stripe.js';
export { verifyStandardWebhook, type StandardWebhookOptions } from './providers/standard.js';
export { verifyTwilioWebhook, type TwilioWebhookOptions, type TwilioParams } from './providers/twilio.js';
export { verifySendGridWebhook, type SendGridWebhookOptions, type SendGridEvent } from './providers/sendgrid.js';
export { verifyMailgunWebhook, type MailgunWebhookOptions, type MailgunWebhookPayload } from './providers/mailgun.js';
export {
  verifySnsMessage,
  snsCanonicalString,
  isSnsCertificateUrl,
  type SnsVerifyOptions,
  type SnsMessage,
  type SnsNotification,
  type SnsSubscriptionConfirmation,
} from './providers/sns.js';
export {
  verifyGraphNotification,
  graphValidationResponse,
  type GraphNotificationOptions,
  type GraphChangeNotification,
  type GraphNotificationBatch,
} from './providers/graph.js';
export { verifyGoogleChannel, type GoogleChannelOptions, type GoogleChannelNotification } from './providers/google.js';
