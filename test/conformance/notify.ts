/**
 * The notify conformance suite: what every `Notifier` adapter, the fake included, must do the same
 * way. An adapter plugs in with a harness that can count what really left (the fake's log, msw's
 * request log, the SMTP server's inbox) and inject the provider's faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { type Channel, isVerifiedEvent, type Notifier, type NotifyMessage, type SendResult } from '../../src/notify/index.js';
import type { RawWebhook } from '../../src/webhooks/index.js';

export type Fault = 'rate_limited' | 'unavailable' | 'authentication' | 'rejected_recipient';

export interface NotifyHarness {
  notifier: Notifier;
  /** A valid message per channel the adapter sends. */
  messages: Partial<Record<Channel, NotifyMessage>>;
  /** How many messages actually reached the provider (or its stand-in). */
  delivered(): number | Promise<number>;
  /** Make the next request fail the way the provider fails; `undefined` when the adapter cannot produce that fault. */
  inject?(fault: Fault): void;
  /** Undo `inject` (a fault that was not retried may still be armed). */
  clearFaults?(): void;
  /** A webhook the provider would send about `result`, correctly signed, reporting delivery. */
  signedDeliveryWebhook?(result: SendResult): RawWebhook | Promise<RawWebhook>;
  close?(): Promise<void>;
}

export interface NotifyConformanceOptions {
  skip?: string | false;
  /** Faults the harness can inject. */
  faults?: Fault[];
}

const EXPECTED: Record<Fault, { code: string[]; retryable: boolean }> = {
  rate_limited: { code: ['rate_limited'], retryable: true },
  unavailable: { code: ['unavailable', 'provider_error', 'timeout'], retryable: true },
  authentication: { code: ['authentication', 'permission'], retryable: false },
  rejected_recipient: { code: ['invalid_input', 'not_found', 'permission'], retryable: false },
};

async function caught(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function broken(message: NotifyMessage): NotifyMessage[] {
  switch (message.channel) {
    case 'email':
      return [
        { ...message, to: 'not-an-address' },
        { ...message, to: 'a@localhost' },
        { ...message, subject: 'Hi\r\nBcc: victim@example.com' },
        { ...message, text: undefined, html: undefined },
        { ...message, category: 'bulk', unsubscribe: undefined },
        { ...message, unsubscribe: { url: 'http://insecure.example.com/u' } },
      ];
    case 'sms':
      return [
        { ...message, to: '4155550100' },
        { ...message, to: '+0155550100' },
        { ...message, to: '+1 415 555 0100' },
        { ...message, body: '' },
        { ...message, body: 'x'.repeat(1601) },
      ];
    case 'push':
      return [
        { ...message, body: 'x'.repeat(5000) },
        { ...message, title: undefined, body: undefined, data: undefined },
      ];
  }
}

export function describeNotifierConformance(
  name: string,
  factory: () => Promise<NotifyHarness>,
  options: NotifyConformanceOptions = {},
): void {
  const d = options.skip ? describe.skip : describe;
  if (options.skip) console.warn(`[skip] notify conformance ${name}: ${options.skip}`);
  d(`Notifier conformance: ${name}`, () => {
    let h: NotifyHarness;
    beforeAll(async () => {
      h = await factory();
    });
    afterAll(async () => {
      await h?.close?.();
      await h?.notifier.close?.();
    });

    it('names its provider and channels, and has a sample for each channel', () => {
      expect(typeof h.notifier.provider).toBe('string');
      expect(h.notifier.channels.length).toBeGreaterThan(0);
      for (const c of h.notifier.channels) expect(h.messages[c], `sample for ${c}`).toBeDefined();
    });

    it('sends a valid message and returns a normalized result', async () => {
      for (const channel of h.notifier.channels) {
        const before = await h.delivered();
        const key = `conf-${channel}-${Math.random()}`;
        const result = await h.notifier.send(h.messages[channel] as NotifyMessage, { idempotencyKey: key });
        expect(result.channel).toBe(channel);
        expect(result.provider).toBe(h.notifier.provider);
        expect(result.providerMessageId.length).toBeGreaterThan(0);
        expect(['accepted', 'queued']).toContain(result.status);
        expect(result.idempotencyKey).toBe(key);
        expect(await h.delivered()).toBe(before + 1);
      }
    });

    it('refuses a send without an idempotency key, and sends nothing', async () => {
      const before = await h.delivered();
      for (const channel of h.notifier.channels) {
        for (const opts of [undefined, {}, { idempotencyKey: '' }, { idempotencyKey: 'k'.repeat(256) }]) {
          const error = await caught(h.notifier.send(h.messages[channel] as NotifyMessage, opts as never));
          expect(isIntegrationError(error) && error.code).toBe('invalid_input');
        }
      }
      expect(await h.delivered()).toBe(before);
    });

    it('an already aborted signal sends nothing: timeout with details.aborted and notSent', async () => {
      const before = await h.delivered();
      const controller = new AbortController();
      controller.abort();
      for (const channel of h.notifier.channels) {
        const error = await caught(
          h.notifier.send(h.messages[channel] as NotifyMessage, { idempotencyKey: `aborted-${channel}`, signal: controller.signal }),
        );
        expect(isIntegrationError(error) && [error.code, error.details?.aborted, error.details?.notSent]).toEqual(['timeout', true, true]);
      }
      expect(await h.delivered()).toBe(before);
    });

    it('refuses malformed messages with invalid_input naming the field, and sends nothing', async () => {
      const before = await h.delivered();
      for (const channel of h.notifier.channels) {
        for (const bad of broken(h.messages[channel] as NotifyMessage)) {
          const error = await caught(h.notifier.send(bad, { idempotencyKey: `bad-${Math.random()}` }));
          expect(isIntegrationError(error), String(error)).toBe(true);
          if (isIntegrationError(error)) {
            expect(error.code).toBe('invalid_input');
            expect(typeof error.details?.field).toBe('string');
            expect(error.message).not.toContain('victim@example.com');
          }
        }
      }
      expect(await h.delivered()).toBe(before);
    });

    it('refuses a channel it does not send', async () => {
      const other = (['email', 'sms', 'push'] as const).find((c) => !h.notifier.channels.includes(c));
      if (!other) return;
      const sample: Record<Channel, NotifyMessage> = {
        email: { channel: 'email', to: 'a@example.com', subject: 's', text: 't' },
        sms: { channel: 'sms', to: '+14155550100', body: 'b' },
        push: { channel: 'push', to: { kind: 'fcm', token: 't' }, body: 'b' },
      };
      const error = await caught(h.notifier.send(sample[other], { idempotencyKey: 'other' }));
      expect(isIntegrationError(error) && ['unsupported', 'invalid_input'].includes(error.code)).toBe(true);
    });

    for (const fault of options.faults ?? []) {
      it(`maps the provider's ${fault} failure to IntegrationError (${EXPECTED[fault].code.join('|')}, retryable ${EXPECTED[fault].retryable})`, async () => {
        const channel = h.notifier.channels[0] as Channel;
        h.inject?.(fault);
        const error = await caught(
          h.notifier.send(h.messages[channel] as NotifyMessage, { idempotencyKey: `fault-${fault}-${Math.random()}` }),
        );
        h.clearFaults?.();
        expect(isIntegrationError(error), String(error)).toBe(true);
        if (isIntegrationError(error)) {
          expect(EXPECTED[fault].code).toContain(error.code);
          expect(error.retryable).toBe(EXPECTED[fault].retryable);
          expect(error.provider).toBe(h.notifier.provider);
        }
      });
    }

    it('turns a signed delivery webhook into verified events, and refuses a tampered one', async () => {
      if (!h.notifier.parseWebhook || !h.signedDeliveryWebhook) return;
      const channel = h.notifier.channels[0] as Channel;
      const result = await h.notifier.send(h.messages[channel] as NotifyMessage, { idempotencyKey: `wh-${Math.random()}` });
      const raw = await h.signedDeliveryWebhook(result);
      const events = await h.notifier.parseWebhook(raw);
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect(isVerifiedEvent(e)).toBe(true);
      const delivery = events.find((e) => e.kind === 'delivery');
      expect(delivery && delivery.kind === 'delivery' && delivery.providerMessageId).toBe(result.providerMessageId);
      const body = typeof raw.body === 'string' ? raw.body : new TextDecoder().decode(raw.body);
      const tampered = { ...raw, body: body.replace(/delivered/g, 'bounce').replace(/Delivery/g, 'Bounce') + ' ' };
      const error = await caught(h.notifier.parseWebhook(tampered));
      expect(isIntegrationError(error) && ['signature_invalid', 'invalid_input'].includes(error.code)).toBe(true);
    });
  });
}
