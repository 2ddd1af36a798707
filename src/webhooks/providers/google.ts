/**
 * Google Calendar push notifications (`events.watch` channels). Google signs nothing: the proof is
 * the channel `token` you set when creating the channel, echoed in `X-Goog-Channel-Token`. The
 * body is empty; everything is in headers. The first message of each channel has
 * `X-Goog-Resource-State: sync` and carries no change: acknowledge it and do nothing.
 */
import { checkRaw, secretList } from '../common.js';
import { safeEqual } from '../crypto.js';
import { fail } from '../errors.js';
import { readHeader, requireHeader } from '../headers.js';
import type { RawWebhook, VerifiedWebhook } from '../types.js';

const PROVIDER = 'google';

/** Options of `verifyGoogleChannel`. */
export interface GoogleChannelOptions {
  /** The `token` you set on the channel. */
  token: string;
  /** Accept only these channel ids (the ones you created and have not stopped). */
  channelIds?: string[];
}

/** A verified Google push notification, read from its `X-Goog-*` headers (the body is empty). */
export interface GoogleChannelNotification {
  channelId: string;
  resourceId: string;
  /** `sync` (first message of a channel), `exists` (something changed: run an incremental sync), `not_exists`. */
  resourceState: 'sync' | 'exists' | 'not_exists';
  resourceUri?: string;
  /** Increases by one per message on a channel. */
  messageNumber?: number;
  /** RFC 1123 date after which the channel stops; renew before it. */
  channelExpiration?: string;
  isSync: boolean;
}

const STATES = new Set(['sync', 'exists', 'not_exists']);

/**
 * Verify a Google Calendar push notification by its channel token (`X-Goog-Channel-Token`) and, optionally, channel id.
 *
 * @example
 * const { payload } = await verifyGoogleChannel(await fromNodeRequest(req), { token: channelToken, channelIds: active });
 */
export async function verifyGoogleChannel(
  raw: RawWebhook,
  options: GoogleChannelOptions,
): Promise<VerifiedWebhook<GoogleChannelNotification>> {
  checkRaw(raw, PROVIDER);
  const [token] = secretList(options?.token, PROVIDER, 'token') as [string];
  if (options.channelIds !== undefined && (!Array.isArray(options.channelIds) || options.channelIds.some((c) => typeof c !== 'string'))) {
    throw fail.config(PROVIDER, 'channelIds must be an array of strings', 'channelIds');
  }
  const channelId = requireHeader(raw.headers, 'x-goog-channel-id', PROVIDER, 'is this a Google push notification?');
  const given = readHeader(raw.headers, 'x-goog-channel-token', PROVIDER);
  if (given === undefined || !safeEqual(token, given)) {
    throw fail.signature(
      PROVIDER,
      "missing or wrong X-Goog-Channel-Token; it must equal the channel's `token`, as set when the channel was created",
      'x-goog-channel-token',
    );
  }
  if (options.channelIds && !options.channelIds.includes(channelId)) {
    throw fail.signature(
      PROVIDER,
      'the notification is for a channel you did not list in channelIds (stopped or unknown)',
      'x-goog-channel-id',
    );
  }
  const resourceState = requireHeader(raw.headers, 'x-goog-resource-state', PROVIDER);
  if (!STATES.has(resourceState))
    throw fail.input(PROVIDER, 'X-Goog-Resource-State must be sync, exists or not_exists', 'x-goog-resource-state');
  const resourceId = requireHeader(raw.headers, 'x-goog-resource-id', PROVIDER);
  const numberText = readHeader(raw.headers, 'x-goog-message-number', PROVIDER);
  let messageNumber: number | undefined;
  if (numberText !== undefined) {
    if (!/^\d{1,16}$/.test(numberText))
      throw fail.input(PROVIDER, 'X-Goog-Message-Number must be a positive integer', 'x-goog-message-number');
    messageNumber = Number(numberText);
  }
  const payload: GoogleChannelNotification = {
    channelId,
    resourceId,
    resourceState: resourceState as GoogleChannelNotification['resourceState'],
    isSync: resourceState === 'sync',
  };
  const resourceUri = readHeader(raw.headers, 'x-goog-resource-uri', PROVIDER);
  if (resourceUri !== undefined) payload.resourceUri = resourceUri;
  if (messageNumber !== undefined) payload.messageNumber = messageNumber;
  const expiration = readHeader(raw.headers, 'x-goog-channel-expiration', PROVIDER);
  if (expiration !== undefined) payload.channelExpiration = expiration;
  const result: VerifiedWebhook<GoogleChannelNotification> = { provider: PROVIDER, payload };
  if (messageNumber !== undefined) result.id = `${channelId}:${messageNumber}`;
  return result;
}
