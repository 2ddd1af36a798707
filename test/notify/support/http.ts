/** msw plumbing shared by the HTTP adapter tests: one server, a request log, armed faults. */
import { HttpResponse } from 'msw';
import type { Notifier } from '../../../src/notify/index.js';
import type { Fault, NotifyHarness } from '../../conformance/notify.js';

export interface Logged {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export async function log(request: Request, into: Logged[]): Promise<Logged> {
  const entry = { method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body: await request.text() };
  into.push(entry);
  return entry;
}

/** The provider's answer for a fault, in the shape each provider uses for its errors. */
export function faultResponse(fault: Fault, body: Record<string, unknown> = {}): Response {
  switch (fault) {
    case 'rate_limited':
      return HttpResponse.json({ errors: [{ message: 'too many requests' }], ...body }, { status: 429, headers: { 'retry-after': '0' } });
    case 'unavailable':
      return HttpResponse.json({ errors: [{ message: 'service unavailable' }], ...body }, { status: 503 });
    case 'authentication':
      return HttpResponse.json({ errors: [{ message: 'unauthorized' }], ...body }, { status: 401 });
    case 'rejected_recipient':
      return HttpResponse.json({ errors: [{ message: 'bad to', field: 'personalizations.0.to' }], ...body }, { status: 400 });
  }
}

/** Fast, deterministic backoff for tests. */
export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, random: () => 0 };

/**
 * The part every HTTP adapter's conformance harness shares: the notifier wrapped to count the sends
 * the provider accepted, and fault injection through `arm` (which sets the file's armed fault).
 */
export function countingHarness(
  notifier: Notifier,
  arm: (fault: Fault | undefined) => void,
): Pick<NotifyHarness, 'notifier' | 'delivered' | 'inject' | 'clearFaults'> {
  let sent = 0;
  return {
    notifier: {
      ...notifier,
      send: async (message, options) => {
        const result = await notifier.send(message, options);
        sent++;
        return result;
      },
    },
    delivered: () => sent,
    inject: (fault) => arm(fault),
    clearFaults: () => arm(undefined),
  };
}
