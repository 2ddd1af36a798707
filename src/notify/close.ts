/** Closing what a strategy holds: every distinct notifier once, all of them even when one fails. */
import { IntegrationError } from '../core/errors.js';
import type { Notifier } from './types.js';

/**
 * A `close()` for a strategy over `notifiers`. Each distinct notifier object is closed once, even
 * when it appears in several steps; every one is tried even when another fails, and the failures
 * come back together as one `unavailable` error (`details.providers`, the errors as an
 * `AggregateError` in `cause`). Calling it again returns the first call's outcome: a pool is not
 * closed twice.
 */
export function closeAllOnce(owner: string, notifiers: readonly Notifier[]): () => Promise<void> {
  const distinct = [...new Set(notifiers)];
  let closing: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    const withClose = distinct.filter((n) => typeof n.close === 'function');
    const results = await Promise.allSettled(withClose.map((n) => (n.close as () => Promise<void>).call(n)));
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [{ provider: (withClose[i] as Notifier).provider, error: r.reason }] : [],
    );
    if (failed.length === 0) return;
    const providers = failed.map((f) => f.provider);
    throw new IntegrationError('unavailable', `${owner}: could not close ${providers.join(', ')}`, {
      retryable: false,
      cause: new AggregateError(
        failed.map((f) => f.error),
        `${owner}: close failed`,
      ),
      details: { providers },
    });
  };
  return () => {
    closing ??= run();
    return closing;
  };
}
