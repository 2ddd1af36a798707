/**
 * The idempotency key of a mutation: the caller's, or one derived from the operation and its
 * validated inputs. Derived keys make a host's blind retry of the same call the same operation at
 * the provider (no second charge); they also make two deliberate identical calls one, which is why
 * hosts that repeat a charge on purpose pass their own key (docs/payments.md).
 */
import { deriveIdempotencyKey } from '../idempotency/key.js';

export async function mutationKey(scope: string, operation: string, given: string | undefined, ...inputs: unknown[]): Promise<string> {
  if (given !== undefined) return given;
  // `undefined` is not canonical JSON; an absent input is spelled null.
  return deriveIdempotencyKey(`${scope}.${operation}`, ...inputs.map((i) => (i === undefined ? null : i)));
}
