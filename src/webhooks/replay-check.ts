/**
 * The check a verifier makes on the guard it is given. Kept apart from replay.ts so that a verifier
 * does not pull the memory store into a bundle that never creates a guard itself.
 */
import { WebhookVerificationError } from './errors.js';
import type { ReplayGuard } from './replay.js';

/** Throw `invalid_config` when the guard forgets ids before the verifier stops accepting their timestamps. */
export function checkGuardCoversTolerance(guard: ReplayGuard, toleranceSeconds: number, provider: string): void {
  if (typeof guard?.claim !== 'function') {
    throw new WebhookVerificationError('invalid_config', 'replayGuard must come from createReplayGuard()', {
      provider,
      details: { field: 'replayGuard' },
    });
  }
  if (guard.ttlSeconds < 2 * toleranceSeconds) {
    throw new WebhookVerificationError(
      'invalid_config',
      `the replay guard remembers ids for ${guard.ttlSeconds} s but timestamps are accepted for ±${toleranceSeconds} s; use ttlSeconds ≥ ${2 * toleranceSeconds}`,
      { provider, details: { field: 'replayGuard' } },
    );
  }
}
