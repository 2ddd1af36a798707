/** Timers that honour an `AbortSignal` and never keep a process alive longer than asked. */

/** The error to throw for an aborted signal: its reason, or a standard AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Resolve after `ms`, or reject with the signal's reason as soon as it aborts.
 *
 * @example
 * await sleep(1_000, AbortSignal.timeout(500)); // rejects after 500 ms with a TimeoutError
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
