/**
 * Two steps the sync convergence properties share: a sync in the middle of a history, where an
 * injected failure or a simulated host crash is expected, and the final syncs, retried until the
 * failures still queued are used up and one run succeeds (that run has converged).
 */
import { expect } from 'vitest';
import { IntegrationError } from '../../../src/core/errors.js';
import type { EventChange } from '../../../src/calendar/index.js';

/** The message of the error a property's `onChange` throws to simulate a host crash. */
export const HOST_CRASHED = 'host crashed';

/** Run a sync mid-history: an `IntegrationError` or a simulated crash is part of the history, anything else is a bug. */
export async function syncTolerant(sync: () => Promise<unknown>): Promise<void> {
  await sync().catch((e: unknown) => {
    if (e instanceof IntegrationError || (e instanceof Error && e.message === HOST_CRASHED)) return;
    throw e;
  });
}

/** Sync until one run succeeds; more than `maxFailures` `IntegrationError`s in a row, or any other error, fails. */
export async function syncUntilSettled(sync: () => Promise<unknown>, maxFailures: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const ok = await sync().then(
      () => true,
      (e: unknown) => {
        if (attempt > maxFailures || !(e instanceof IntegrationError)) throw e;
        return false;
      },
    );
    if (ok) return;
  }
}

/**
 * The host side of a sync property: a copy of id → etag kept by `onChange`, which fails the test if
 * a change is delivered twice and simulates a host crash (`HOST_CRASHED`) after `crashAfter(n)` more
 * changes.
 */
export function createHostCopy() {
  const copy = new Map<string, string>();
  const delivered = new Set<string>();
  let crashAfter: number | undefined;
  return {
    copy,
    crashAfter(n: number | undefined): void {
      crashAfter = n;
    },
    onChange(c: EventChange): void {
      if (crashAfter !== undefined && crashAfter-- === 0) {
        crashAfter = undefined;
        throw new Error(HOST_CRASHED);
      }
      const key = c.type === 'upsert' ? `u|${c.event.id}|${c.event.etag}` : `d|${c.eventId}`;
      expect(delivered.has(key)).toBe(false);
      delivered.add(key);
      if (c.type === 'upsert') copy.set(c.event.id, c.event.etag);
      else copy.delete(c.eventId);
    },
  };
}
