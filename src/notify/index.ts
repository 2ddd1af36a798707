/**
 * `switchyard/notify`: the `Notifier` port, strategies (fallback across channels, round-robin and
 * failover across providers), templates, consent (unsubscribe tokens, List-Unsubscribe, the
 * unsubscribe endpoint, preferences), the suppression list, delivery tracking, and the fake.
 * Provider adapters live in `switchyard/notify/<provider>`; this entry loads no provider SDK.
 *
 * @packageDocumentation
 */
export {
  createUnsubscribeHandler,
  createUnsubscribeTokens,
  listUnsubscribeHeaders,
  unsubscribeUrl,
  type UnsubscribeClaims,
  type UnsubscribeHandlerOptions,
  type UnsubscribeKey,
  type UnsubscribeTokenOptions,
  type UnsubscribeTokens,
} from './consent.js';
export {
  createDeliveryTracker,
  statusRank,
  type DeliveryRecord,
  type DeliveryTracker,
  type DeliveryTrackerOptions,
  type RecordOutcome,
} from './delivery.js';
export { createFakeNotifier, type FakeNotifier, type FakeNotifierOptions, type FakeSentMessage } from './fake.js';
export {
  fallback,
  type AttemptState,
  type FallbackAttempt,
  type FallbackOptions,
  type FallbackRecord,
  type FallbackResult,
  type FallbackStep,
  type FallbackStrategy,
  type Notification,
} from './fallback.js';
export { guardSends, isUncertain, provablyNotSent, type GuardedNotifier, type GuardOptions } from './guard.js';
export { createPreferences, type ChannelPreferences, type Preferences } from './preferences.js';
export { smsSegments, type SmsSegments } from './sms-segments.js';
export {
  failover,
  roundRobin,
  type FailoverNotifier,
  type FailoverOptions,
  type MultiProviderNotifier,
  type MultiProviderOptions,
} from './strategies.js';
export {
  createSuppressionList,
  type SuppressionEntry,
  type SuppressionHashKey,
  type SuppressionList,
  type SuppressionListBaseOptions,
  type SuppressionListOptions,
  type SuppressionReason,
} from './suppression.js';
export {
  createTemplates,
  escapeHtml,
  type EmailContent,
  type LocaleContent,
  type PushContent,
  type Rendered,
  type RenderedEmail,
  type RenderedPush,
  type RenderedSms,
  type RenderOptions,
  type SmsContent,
  type TemplateDefinition,
  type Templates,
  type TemplatesOptions,
} from './templates.js';
export {
  CHANNELS,
  DELIVERY_STATUSES,
  type Channel,
  type ConsentEvent,
  type DeliveryEvent,
  type DeliveryStatus,
  type EmailAddress,
  type EmailMessage,
  type MessageFor,
  type MessagesByChannel,
  type Notifier,
  type NotifyEvent,
  type NotifyMessage,
  type PushMessage,
  type PushTarget,
  type SendOptions,
  type SendResult,
  type SmsMessage,
  type UnsubscribeTarget,
  type WebhookNotifier,
  type WebPushSubscription,
} from './types.js';
export { isE164, isEmailAddress, MAX_PUSH_PAYLOAD_BYTES } from './validate.js';
export { isVerifiedEvent } from './verified.js';
export type { FetchLike } from './http.js';
