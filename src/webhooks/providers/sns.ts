/**
 * AWS SNS (how SES delivers bounces and complaints over HTTPS). The message is the JSON body; its
 * `Signature` is RSA PKCS#1 v1.5 (SignatureVersion 1: SHA-1, 2: SHA-256) over a canonical string of
 * `Name\nValue\n` pairs in a documented order, with the key from the certificate at `SigningCertURL`.
 *
 * The certificate URL is attacker-supplied, so it must be https on `sns.<region>.amazonaws.com`
 * (or `.com.cn`) with a `.pem` path before we fetch anything. Certificates are cached by URL.
 * `SubscriptionConfirmation` and `UnsubscribeConfirmation` sign `SubscribeURL` and `Token` instead
 * of `Subject`; we verify all three types with their own field lists.
 */
import { bodyText, checkRaw, parseJson } from '../common.js';
import { KeyImportError, verifySignature } from '../crypto.js';
import { pemCertificates, spkiFromCertificate } from '../der.js';
import { fromBase64 } from '../encoding.js';
import { fail, WebhookVerificationError } from '../errors.js';
import type { RawWebhook, ReplayOptions, VerifiedWebhook } from '../types.js';

const PROVIDER = 'sns';
const CERT_HOST = /^sns\.[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com(?:\.cn)?$/;
const MAX_CERT_BYTES = 16_384;
const FETCH_TIMEOUT_MS = 5_000;

/** Options of `verifySnsMessage`. */
export interface SnsVerifyOptions extends ReplayOptions {
  /** Accept only messages from these topics (recommended: anyone can create a topic and point it at you). */
  topicArns?: string[];
  /** Fetch a certificate PEM. Default: `fetch` with a 5 s timeout. Only called for URLs that passed the host check. */
  fetchCertificate?: (url: string) => Promise<string>;
}

interface SnsBase {
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
}
/** An SNS notification (an SES bounce or complaint is JSON in `Message`). */
export interface SnsNotification extends SnsBase {
  Type: 'Notification';
  Subject?: string;
  UnsubscribeURL: string;
}
/** An SNS (un)subscription confirmation: confirm by visiting `SubscribeURL`. */
export interface SnsSubscriptionConfirmation extends SnsBase {
  Type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  /** Visit (GET) this URL to confirm the subscription. */
  SubscribeURL: string;
  Token: string;
}
/** Any verified SNS message; switch on `Type`. */
export type SnsMessage = SnsNotification | SnsSubscriptionConfirmation;

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/**
 * The exact string SNS signs for `message` (exported for tests and for signing fixtures).
 *
 * @example
 * const signature = createSign('RSA-SHA256').update(snsCanonicalString(message)).sign(privateKey, 'base64');
 */
export function snsCanonicalString(message: Record<string, unknown>): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = '';
  for (const name of fields) {
    const value = message[name];
    if (value === undefined && name === 'Subject') continue; // Subject is signed only when present
    out += `${name}\n${value}\n`;
  }
  return out;
}

/**
 * Whether a `SigningCertURL` is safe to fetch: https, an `sns.<region>.amazonaws.com` host, a `.pem`
 * path, no port, credentials, query or fragment. `verifySnsMessage` checks it before fetching.
 *
 * @example
 * isSnsCertificateUrl('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem'); // true
 * isSnsCertificateUrl('https://attacker.example/sns.pem'); // false
 */
export function isSnsCertificateUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.port === '' &&
    url.username === '' &&
    url.password === '' &&
    CERT_HOST.test(url.hostname) &&
    url.pathname.endsWith('.pem') &&
    url.search === '' &&
    url.hash === ''
  );
}

const certificateCache = new Map<string, Promise<Uint8Array>>();

async function defaultFetch(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

async function certificateKey(url: string, fetchCertificate: (url: string) => Promise<string>): Promise<Uint8Array> {
  let key = certificateCache.get(url);
  if (!key) {
    key = (async () => {
      let pem: string;
      try {
        pem = await fetchCertificate(url);
      } catch (cause) {
        throw new WebhookVerificationError('unavailable', 'could not fetch the SNS signing certificate; SNS will retry the delivery', {
          provider: PROVIDER,
          cause,
          details: { field: 'SigningCertURL' },
        });
      }
      if (typeof pem !== 'string' || pem.length > MAX_CERT_BYTES)
        throw fail.signature(PROVIDER, 'the SNS signing certificate is not a PEM certificate');
      const der = pemCertificates(pem)[0];
      const spki = der && spkiFromCertificate(der);
      if (!spki) throw fail.signature(PROVIDER, 'the SNS signing certificate is not a PEM certificate');
      return spki;
    })();
    if (certificateCache.size >= 32) certificateCache.delete(certificateCache.keys().next().value as string);
    certificateCache.set(url, key);
    // A failed fetch is not cached: the next delivery tries again.
    key.catch(() => certificateCache.delete(url));
  }
  return key;
}

/**
 * Verify an AWS SNS message (SES bounces and complaints) against its signing certificate, optionally restricted to `topicArns`.
 *
 * @example
 * const { payload } = await verifySnsMessage(raw, { topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-bounces'] });
 */
export async function verifySnsMessage<T extends SnsMessage = SnsMessage>(
  raw: RawWebhook,
  options: SnsVerifyOptions = {},
): Promise<VerifiedWebhook<T>> {
  checkRaw(raw, PROVIDER);
  if (options === null || typeof options !== 'object') throw fail.config(PROVIDER, 'options must be an object', 'options');
  if (options.fetchCertificate !== undefined && typeof options.fetchCertificate !== 'function') {
    throw fail.config(PROVIDER, '`fetchCertificate` must be a function (url) => Promise<PEM text>', 'fetchCertificate');
  }
  if (options.replayGuard !== undefined && typeof options.replayGuard?.claim !== 'function') {
    throw fail.config(PROVIDER, 'replayGuard must come from createReplayGuard()', 'replayGuard');
  }
  if (options.topicArns !== undefined && (!Array.isArray(options.topicArns) || options.topicArns.some((a) => typeof a !== 'string'))) {
    throw fail.config(PROVIDER, 'topicArns must be an array of topic ARN strings', 'topicArns');
  }
  // SNS puts the signature inside the JSON, so we must parse first; nothing in it is trusted until verified.
  const message = parseJson<Record<string, unknown>>(bodyText(raw.body, PROVIDER), PROVIDER);
  if (message === null || typeof message !== 'object' || Array.isArray(message))
    throw fail.input(PROVIDER, 'the body is not an SNS message object', 'body');
  const type = message.Type;
  if (type !== 'Notification' && type !== 'SubscriptionConfirmation' && type !== 'UnsubscribeConfirmation') {
    throw fail.input(PROVIDER, 'Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation', 'Type');
  }
  const fields = type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  for (const name of [...fields, 'Signature', 'SigningCertURL', 'SignatureVersion']) {
    const value = message[name];
    if (name === 'Subject' && value === undefined) continue;
    if (typeof value !== 'string') throw fail.input(PROVIDER, `${name} must be a string`, name);
  }
  const version = message.SignatureVersion;
  if (version !== '1' && version !== '2') throw fail.input(PROVIDER, 'SignatureVersion must be "1" or "2"', 'SignatureVersion');
  if (options.topicArns && !options.topicArns.includes(message.TopicArn as string)) {
    throw fail.signature(PROVIDER, 'the message comes from a topic not listed in topicArns', 'TopicArn');
  }
  const certUrl = message.SigningCertURL as string;
  if (!isSnsCertificateUrl(certUrl)) {
    throw fail.signature(
      PROVIDER,
      'SigningCertURL is not an https .pem URL on an sns.<region>.amazonaws.com host; not fetched',
      'SigningCertURL',
    );
  }
  const signature = fromBase64(message.Signature as string);
  if (!signature) throw fail.signature(PROVIDER, 'Signature is not base64', 'Signature');

  const spki = await certificateKey(certUrl, options.fetchCertificate ?? defaultFetch);
  let valid: boolean;
  try {
    valid = await verifySignature(
      { name: 'RSASSA-PKCS1-v1_5', hash: version === '1' ? 'SHA-1' : 'SHA-256' },
      spki,
      snsCanonicalString(message),
      signature,
    );
  } catch (error) {
    if (error instanceof KeyImportError)
      throw fail.signature(PROVIDER, 'the SNS signing certificate does not hold an RSA key', 'SigningCertURL');
    throw error;
  }
  if (!valid) {
    throw fail.signature(
      PROVIDER,
      'the SNS message signature does not match: pass the exact raw body (SNS posts it as text/plain)',
      'Signature',
    );
  }
  const id = message.MessageId as string;
  if (options.replayGuard) await options.replayGuard.claim(PROVIDER, id);
  const timestamp = Date.parse(message.Timestamp as string);
  const result: VerifiedWebhook<T> = { provider: PROVIDER, id, payload: message as unknown as T };
  if (Number.isFinite(timestamp)) result.timestamp = Math.floor(timestamp / 1000);
  return result;
}
