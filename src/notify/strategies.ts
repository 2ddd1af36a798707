/**
 * Several providers of one channel behind one `Notifier`:
 * - `roundRobin([a, b])` spreads sends; a key keeps its provider (remembered in the store), so a
 *   retry never reaches a second provider and sends twice.
 * - `failover([sendgrid, ses])` uses the first healthy provider; each has a circuit breaker from
 *   `switchyard/retry`, and a provider is skipped only when the failure proves the message did not
 *   go out (a 429, an open circuit, a refused connection). A timeout or a 5xx is ambiguous: failing
 *   over would risk a second copy, so it is reported instead.
 * Both go through `guardSends`, so one key is sent at most once per channel, across restarts.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import { type CircuitBreaker, type CircuitBreakerOptions, createCircuitBreaker } from '../retry/circuit-breaker.js';
import { classifyError } from '../retry/classify.js';
import { createMemoryStore } from '../stores/memory.js';
import type { Store } from '../stores/store.js';
import { closeAllOnce } from './close.js';
import { type GuardOptions, guardSends, provablyNotSent } from './guard.js';
import type { SuppressionList } from './suppression.js';
import type { Channel, Notifier } from './types.js';
import { checkSendOptions, isAborted } from './validate.js';

/** Options of `roundRobin` (and the base of `failover`'s). */
export interface MultiProviderOptions {
  /** Where key assignments and send claims live. Default: in-memory; use Redis or PostgreSQL with more than one process. */
  store?: Store;
  /** Checked before every send (a suppressed recipient is `permission`, on no provider). */
  suppression?: SuppressionList;
  /** See `guardSends`. Default 60,000. */
  lockMs?: number;
  /** How long assignments and claims are kept, seconds. Default 7 days. */
  ttlSeconds?: number;
  /** Store key prefix. Default `notify:rr:` (roundRobin) or `notify:failover:` (failover). */
  keyPrefix?: string;
  /** Clock in epoch ms, for claims (and `failover`'s breakers). Default `Date.now`. */
  now?: () => number;
}

/**
 * The `Notifier` `roundRobin` and `failover` return: `close()` closes every provider, and there is
 * no `parseWebhook`. A provider posts its webhooks to its own endpoint, signed with its own secret,
 * so hand each endpoint's request to that provider's notifier (the one you passed in): guessing
 * which of several verifiers a request is for would only add rejected-signature noise.
 */
export interface MultiProviderNotifier extends Notifier {
  /**
   * Close every provider that has a `close` (an SMTP pool), each once, all of them even when one
   * fails; failures come back together as one `unavailable` error naming the providers
   * (`details.providers`). A second call returns the first call's outcome.
   */
  close(): Promise<void>;
  /** Not on a multi-provider notifier: call the provider's own `parseWebhook` at its own endpoint. */
  readonly parseWebhook?: undefined;
}

function checkProviders(name: string, notifiers: readonly Notifier[]): Channel[] {
  if (!Array.isArray(notifiers) || notifiers.length === 0)
    throw new IntegrationError('invalid_config', `${name}: pass at least one notifier`, { details: { field: 'notifiers' } });
  const names = new Set(notifiers.map((n) => n.provider));
  if (names.size !== notifiers.length)
    throw new IntegrationError('invalid_config', `${name}: provider names must be distinct`, { details: { field: 'notifiers' } });
  const first = notifiers[0] as Notifier;
  return first.channels.filter((c) => notifiers.every((n) => n.channels.includes(c)));
}

function guardOptionsFor(n: Notifier, store: Store, prefix: string, ttlSeconds: number, options: MultiProviderOptions): GuardOptions {
  const guard: GuardOptions = { store, ttlSeconds, keyPrefix: `${prefix}once:${n.provider}:` };
  if (options.lockMs !== undefined) guard.lockMs = options.lockMs;
  if (options.now) guard.now = options.now;
  if (options.suppression) guard.suppression = options.suppression;
  return guard;
}

/**
 * Spread sends over several providers of the same channels. A key is pinned to the provider that
 * first got it (in the store), so a retry never reaches a second provider; each provider goes
 * through `guardSends`. The result sends the channels every provider has in common; its `close()`
 * closes every provider, and it has no `parseWebhook` (see `MultiProviderNotifier`). No notifiers,
 * or two with the same `provider` name, is `invalid_config`.
 *
 * @example
 * const us = createTwilioSms(usTwilio);
 * const eu = createTwilioSms(euTwilio);
 * const sms = roundRobin([us, eu], { store });
 * await sms.send({ channel: 'sms', to: '+14155550100', body: 'Booked: 10:00' }, { idempotencyKey: 'booking:42:sms' });
 * const events = await us.parseWebhook(raw); // webhooks go to the provider whose endpoint got them
 */
export function roundRobin(notifiers: readonly Notifier[], options: MultiProviderOptions = {}): MultiProviderNotifier {
  const channels = checkProviders('roundRobin', notifiers);
  const store = options.store ?? createMemoryStore();
  const prefix = options.keyPrefix ?? 'notify:rr:';
  const ttlSeconds = options.ttlSeconds ?? 7 * 86_400;
  const guarded = notifiers.map((n) => guardSends(n, guardOptionsFor(n, store, prefix, ttlSeconds, options)));
  let next = 0;
  return {
    provider: `roundRobin(${notifiers.map((n) => n.provider).join(',')})`,
    channels,
    async send(message, sendOptions) {
      const key = checkSendOptions(sendOptions);
      const pick = next++ % guarded.length;
      const assignKey = `${prefix}assign:${String(message?.channel)}:${key}`;
      await store.setIfAbsent(assignKey, pick, { ttlSeconds });
      const assigned = (await store.get<number>(assignKey))?.value ?? pick;
      return (guarded[assigned] as Notifier).send(message, sendOptions);
    },
    close: closeAllOnce('roundRobin', notifiers),
  };
}

/** Options of `failover`. */
export interface FailoverOptions extends MultiProviderOptions {
  /** Breaker per provider. Default: open after 5 consecutive failures, probe again after 30 s. */
  breaker?: Omit<CircuitBreakerOptions, 'name' | 'now'>;
}

/** The `Notifier` `failover` returns, with each provider's circuit breaker. */
export interface FailoverNotifier extends MultiProviderNotifier {
  /** Each provider's breaker, by provider name (for health checks and an operator's reset). */
  readonly breakers: Readonly<Record<string, CircuitBreaker>>;
}

/**
 * Send through the first healthy provider of a list, each behind its own circuit breaker. It
 * moves to the next provider only when the failure proves nothing was sent (429, an open circuit,
 * a refused connection, 401/403); a timeout or a 5xx is thrown instead, since the first provider
 * may have sent it. A key stays with the provider that took it. `close()` closes every provider
 * (an SMTP pool); there is no `parseWebhook` (see `MultiProviderNotifier`). No notifiers, or two
 * with the same `provider` name, is `invalid_config`.
 *
 * @example
 * const email = failover([createSendGridEmail(sendgridOptions), createSmtpEmail(smtpOptions)], { store, suppression });
 * await email.send({ channel: 'email', to: 'ada@example.com', subject: 'Receipt', text: '€20.00 paid' }, { idempotencyKey: 'receipt:in_123' });
 * email.breakers.sendgrid?.state; // 'closed' | 'open' | 'half-open'
 * await email.close(); // on shutdown: closes the SMTP pool
 */
export function failover(notifiers: readonly Notifier[], options: FailoverOptions = {}): FailoverNotifier {
  const channels = checkProviders('failover', notifiers);
  const store = options.store ?? createMemoryStore();
  const prefix = options.keyPrefix ?? 'notify:failover:';
  const ttlSeconds = options.ttlSeconds ?? 7 * 86_400;
  const breakers: Record<string, CircuitBreaker> = {};
  const chain = notifiers.map((n) => {
    const isFailure = options.breaker?.isFailure ?? ((e: unknown) => classifyError(e).retryable);
    const breakerOptions: CircuitBreakerOptions = {
      strategy: { kind: 'consecutive', threshold: 5 },
      ...options.breaker,
      name: n.provider,
      // A send its caller aborted says nothing about the provider's health.
      isFailure: (e) => !isAborted(e) && isFailure(e),
    };
    if (options.now) breakerOptions.now = options.now;
    const breaker = createCircuitBreaker(breakerOptions);
    breakers[n.provider] = breaker;
    return { notifier: guardSends(n, guardOptionsFor(n, store, prefix, ttlSeconds, options)), breaker };
  });
  return {
    provider: `failover(${notifiers.map((n) => n.provider).join(',')})`,
    channels,
    breakers,
    async send(message, sendOptions) {
      const key = checkSendOptions(sendOptions);
      // The provider that first took this key keeps it: a retry after a failover never goes back.
      const stickyKey = `${prefix}sticky:${String(message?.channel)}:${key}`;
      const sticky = (await store.get<string>(stickyKey))?.value;
      let lastError: unknown;
      for (const { notifier, breaker } of chain) {
        if (sticky !== undefined && notifier.provider !== sticky) continue;
        try {
          await store.setIfAbsent(stickyKey, notifier.provider, { ttlSeconds });
          const owner = (await store.get<string>(stickyKey))?.value;
          if (owner !== notifier.provider) continue;
          return await breaker.execute(() => notifier.send(message, sendOptions));
        } catch (error) {
          lastError = error;
          if (isAborted(error)) {
            // The caller stopped: no other provider either. Nothing left here: the key is free again.
            if (provablyNotSent(error)) await store.delete(stickyKey);
            throw error;
          }
          // The breaker's own error (details.circuit) means the call was never made.
          const open = isIntegrationError(error) && error.details?.circuit !== undefined;
          if (!(open || provablyNotSent(error)) || isCallersFault(error)) throw error;
          // Proven not sent here: release the key so the next provider may take it.
          await store.delete(stickyKey);
        }
      }
      throw lastError ?? new IntegrationError('unavailable', 'failover: no provider could take the message');
    },
    close: closeAllOnce('failover', notifiers),
  };
}

/** Failures another provider would repeat: bad input, a suppressed recipient. */
function isCallersFault(error: unknown): boolean {
  return isIntegrationError(error) && (error.code === 'invalid_input' || error.details?.suppressed === true);
}
