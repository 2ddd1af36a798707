/**
 * Microsoft Graph change notifications. Graph signs nothing for basic notifications: the proof is
 * the `clientState` you chose when creating the subscription, echoed in every item of `value[]`.
 * Every item is checked (constant-time), so one forged item cannot ride along with genuine ones.
 *
 * Before a subscription is created Graph POSTs `?validationToken=…` and expects the token back as
 * `text/plain` within 10 s: `graphValidationResponse(url)` builds that answer.
 */
import { bodyText, checkRaw, parseJson, secretList } from '../common.js';
import { safeEqual } from '../crypto.js';
import { fail } from '../errors.js';
import type { RawWebhook, VerifiedWebhook } from '../types.js';

const PROVIDER = 'graph';
const MAX_ITEMS = 1000;
const MAX_VALIDATION_TOKEN = 4096;

/** Options of `verifyGraphNotification`. */
export interface GraphNotificationOptions {
  /** The `clientState` of your subscriptions (several while you rotate it). */
  clientState: string | string[];
}

/** One item of a Graph notification batch: a change or a lifecycle event of a subscription. */
export interface GraphChangeNotification {
  subscriptionId: string;
  clientState: string;
  changeType?: 'created' | 'updated' | 'deleted';
  lifecycleEvent?: 'subscriptionRemoved' | 'missed' | 'reauthorizationRequired';
  resource?: string;
  resourceData?: Record<string, unknown> & { id?: string; '@odata.type'?: string };
  subscriptionExpirationDateTime?: string;
  tenantId?: string;
  [key: string]: unknown;
}

/** The body Graph POSTs: a batch of notifications in `value`. */
export interface GraphNotificationBatch {
  value: GraphChangeNotification[];
}

/**
 * When `url` is Graph's validation request, the `text/plain` response that echoes the token; otherwise `null`.
 *
 * @example
 * export async function POST(request: Request) {
 *   const validation = graphValidationResponse(request.url);
 *   if (validation) return validation; // subscription creation: echo the token within 10 s
 *   const { payload } = await verifyGraphNotification(await fromFetchRequest(request), { clientState });
 *   // …
 * }
 */
export function graphValidationResponse(url: string | URL): Response | null {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url, 'http://localhost') : url;
  } catch {
    return null;
  }
  const token = parsed.searchParams.get('validationToken');
  if (token === null || token.length === 0 || token.length > MAX_VALIDATION_TOKEN) return null;
  // text/plain and nosniff: the token is echoed verbatim, so it must never be rendered as HTML.
  return new Response(token, {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

/**
 * Verify a Microsoft Graph change-notification batch: every item's `clientState` must match (constant time).
 *
 * @example
 * const { payload } = await verifyGraphNotification(await fromFetchRequest(request), { clientState: process.env.GRAPH_CLIENT_STATE! });
 */
export async function verifyGraphNotification<T extends GraphNotificationBatch = GraphNotificationBatch>(
  raw: RawWebhook,
  options: GraphNotificationOptions,
): Promise<VerifiedWebhook<T>> {
  checkRaw(raw, PROVIDER);
  const states = secretList(options?.clientState, PROVIDER, 'clientState');
  if (raw.url && /[?&]validationToken=/.test(raw.url)) {
    throw fail.input(
      PROVIDER,
      'this is a subscription validation request: answer it with graphValidationResponse(url) before verifying',
      'validationToken',
    );
  }
  // Graph puts its proof inside the body, so the body is parsed first; nothing is trusted until every item matched.
  const batch = parseJson<{ value?: unknown }>(bodyText(raw.body, PROVIDER), PROVIDER);
  const items = batch?.value;
  if (!Array.isArray(items) || items.length === 0) throw fail.input(PROVIDER, 'the body has no value[] of notifications', 'value');
  if (items.length > MAX_ITEMS) throw fail.input(PROVIDER, `more than ${MAX_ITEMS} notifications in one request`, 'value');
  items.forEach((item, index) => {
    const given = (item as { clientState?: unknown } | null)?.clientState;
    let ok = false;
    if (typeof given === 'string') for (const s of states) if (safeEqual(s, given)) ok = true;
    if (!ok) {
      throw fail.signature(PROVIDER, `notification ${index} has a missing or wrong clientState, so it was not sent for your subscription`, {
        field: 'clientState',
        index,
      });
    }
  });
  return { provider: PROVIDER, payload: batch as T };
}
