/** msw plumbing shared by the HTTP adapter tests: one server, a request log, armed faults. */
import { HttpResponse } from 'msw';
import type { Fault } from '../../conformance/notify.js';

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
