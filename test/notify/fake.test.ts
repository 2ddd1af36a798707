import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { createFakeNotifier, type FakeNotifier } from '../../src/notify/index.js';
import { describeNotifierConformance, type Fault } from '../conformance/notify.js';

const FAULTS: Record<Fault, IntegrationError> = {
  rate_limited: new IntegrationError('rate_limited', 'fake answered 429', { provider: 'fake', status: 429 }),
  unavailable: new IntegrationError('unavailable', 'fake answered 503', { provider: 'fake', status: 503 }),
  authentication: new IntegrationError('authentication', 'fake answered 401', { provider: 'fake', status: 401 }),
  rejected_recipient: new IntegrationError('invalid_input', 'fake refused the recipient', { provider: 'fake', status: 400 }),
};

describeNotifierConformance(
  'fake',
  async () => {
    const notifier: FakeNotifier = createFakeNotifier();
    return {
      notifier,
      messages: {
        email: {
          channel: 'email',
          to: 'ada@example.com',
          subject: 'Your booking',
          text: 'See you at 10:00',
          html: '<p>See you at 10:00</p>',
        },
        sms: { channel: 'sms', to: '+14155550100', body: 'See you at 10:00' },
        push: { channel: 'push', to: { kind: 'fcm', token: 'token-1' }, title: 'Booking', body: 'See you at 10:00' },
      },
      delivered: () => notifier.sent.length,
      inject: (fault) => notifier.failNext(FAULTS[fault]),
    };
  },
  { faults: ['rate_limited', 'unavailable', 'authentication', 'rejected_recipient'] },
);

describe('fake notifier', () => {
  it('answers a repeated key with the first result and records one message', async () => {
    const fake = createFakeNotifier({ channels: ['sms'] });
    const msg = { channel: 'sms', to: '+14155550100', body: 'code 123456' } as const;
    const a = await fake.send(msg, { idempotencyKey: 'k1' });
    const b = await fake.send(msg, { idempotencyKey: 'k1' });
    expect(b).toEqual({ ...a, replayed: true });
    expect(fake.sent).toHaveLength(1);
  });

  it('emits verified delivery events for messages it sent, and refuses unknown ids', async () => {
    const fake = createFakeNotifier({ now: () => Date.UTC(2026, 0, 1) });
    const r = await fake.send({ channel: 'email', to: 'Ada@Example.com', subject: 's', text: 't' }, { idempotencyKey: 'k' });
    const e = fake.emit(r.providerMessageId, 'bounced');
    expect(e).toMatchObject({
      kind: 'delivery',
      status: 'bounced',
      bounceType: 'hard',
      recipient: 'ada@example.com',
      occurredAt: '2026-01-01T00:00:00.000Z',
    });
    expect(Object.isFrozen(e)).toBe(true);
    expect(() => fake.emit('nope', 'delivered')).toThrow(/sent no message/);
  });

  it('rejects an unknown channel at construction with invalid_config', () => {
    expect(() => createFakeNotifier({ channels: ['fax' as never] })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});
