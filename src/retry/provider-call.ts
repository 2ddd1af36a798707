/**
 * One provider call as every adapter makes it: a telemetry span around the whole retry loop, each
 * failed attempt mapped to an `IntegrationError` (its HTTP status recorded on the span) before the
 * retry policy classifies it, and each retry reported both to telemetry and to the host's own
 * `onRetry`. Internal: adapters import it from here; it is not part of `switchyard/retry`'s API.
 */
import type { IntegrationError } from '../core/errors.js';
import type { CallContext, Telemetry } from '../core/observability.js';
import { type AttemptContext, type RetryPolicy, retry } from './retry.js';

export interface ProviderCallOptions {
  /** Spans and metrics; without it the call is retried but not instrumented. */
  telemetry?: Telemetry | undefined;
  provider: string;
  operation: string;
  /** The whole policy (the host's options and the call's `mutation` / `idempotencyKey`); its `onRetry` is still called. */
  policy?: RetryPolicy | undefined;
  /** Turns whatever an attempt threw into the error the retry policy and the host see. */
  mapError?: (error: unknown) => IntegrationError;
}

/** Run `attempt` under the policy, instrumented; see the module comment. */
export function providerCall<T>(
  options: ProviderCallOptions,
  attempt: (context: CallContext | undefined, attemptContext: AttemptContext) => Promise<T>,
): Promise<T> {
  const run = (context: CallContext | undefined) =>
    retry(
      async (_n, attemptContext) => {
        try {
          return await attempt(context, attemptContext);
        } catch (error) {
          if (!options.mapError) throw error;
          const mapped = options.mapError(error);
          if (mapped.status !== undefined) context?.setStatus(mapped.status);
          throw mapped;
        }
      },
      {
        ...options.policy,
        onRetry: async (event) => {
          // RetryEvent.attempt is the attempt that failed; telemetry counts the one about to start.
          context?.retrying({ attempt: event.attempt + 1, delayMs: event.delayMs, error: event.error });
          await options.policy?.onRetry?.(event);
        },
      },
    );
  if (!options.telemetry) return run(undefined);
  return options.telemetry.instrument({ provider: options.provider, operation: options.operation }, run);
}
