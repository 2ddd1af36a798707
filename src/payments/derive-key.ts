/**
 * The idempotency key of a mutation: the caller's, or one the adapter makes.
 *
 * - `inputs`: derived from the operation and its validated inputs, for operations that move money
 *   or create billable objects (charges, refunds, subscriptions, one-shot transitions such as a
 *   capture). A host's blind retry of the same call is then the same operation at the provider (no
 *   second charge); two deliberate identical calls are one too, which is why hosts that repeat a
 *   charge on purpose pass their own key (docs/payments.md).
 * - `per-call`: random, for operations that set a state (update, pause, resume) or create free
 *   objects (customers: two anonymous guests must not become one; checkout and portal sessions). A key derived from their inputs would
 *   make "pause, resume, pause" silently skip the second pause (the provider answers it from its
 *   cache); repeating them is harmless, so only the retries *within* one call share the key.
 */
import { deriveIdempotencyKey } from '../idempotency/key.js';

export type KeyMode = 'inputs' | 'per-call';

export async function mutationKey(
  scope: string,
  operation: string,
  given: string | undefined,
  mode: KeyMode,
  ...inputs: unknown[]
): Promise<string> {
  if (given !== undefined) return given;
  if (mode === 'per-call') return `${scope}.${operation}:${crypto.randomUUID()}`;
  // `undefined` is not canonical JSON; an absent input is spelled null.
  return deriveIdempotencyKey(`${scope}.${operation}`, ...inputs.map((i) => (i === undefined ? null : i)));
}
