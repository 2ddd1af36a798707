import { createFakePayments, FAKE_MAGIC_AMOUNTS } from '../../src/payments/index.js';
import { describePaymentsConformance } from '../conformance/payments.js';

describePaymentsConformance('fake', () => {
  const fake = createFakePayments();
  return {
    provider: fake,
    okPaymentMethod: 'pm_card_visa',
    declined: { amount: FAKE_MAGIC_AMOUNTS.declined, paymentMethodId: 'pm_card_visa' },
    requiresAction: { amount: FAKE_MAGIC_AMOUNTS.requiresAction, paymentMethodId: 'pm_card_visa' },
    prices: { basic: 'price_basic', pro: 'price_pro' },
    async signedSubscriptionWebhook(subscription) {
      const event = fake.events().findLast((e) => e.type.startsWith('subscription.') && e.objectId === subscription.id);
      if (!event) throw new Error('the fake emitted no subscription event');
      return fake.signWebhook(event);
    },
    paymentsCreated: () => fake.payments().length,
  };
});
