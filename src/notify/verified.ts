/**
 * Which events came out of a verified webhook (or the fake). Forged webhooks have been used to
 * mass-unsubscribe people, so the tracker refuses any event object this module did not mark: an
 * event a host builds by hand, or parses from a request body itself, cannot move a status or
 * write a suppression. The mark lives in this process (a WeakSet), so verify where you apply.
 */
import type { NotifyEvent } from './types.js';

const verified = new WeakSet<object>();

/** Internal: adapters call this on the events they produced from a verified request. */
export function markVerified<T extends NotifyEvent>(events: T[]): T[] {
  for (const event of events) verified.add(Object.freeze(event));
  return events;
}

/**
 * Whether `event` came out of an adapter's `parseWebhook` (or the fake's `emit`) in this process.
 * A hand-built event, or one that went through JSON, is not: that is what the tracker and
 * `fallback().handleEvents` refuse.
 *
 * @example
 * const events = await sendgrid.parseWebhook(await fromFetchRequest(request));
 * isVerifiedEvent(events[0]); // true
 * isVerifiedEvent(JSON.parse(JSON.stringify(events[0]))); // false
 */
export function isVerifiedEvent(event: unknown): event is NotifyEvent {
  return typeof event === 'object' && event !== null && verified.has(event);
}
