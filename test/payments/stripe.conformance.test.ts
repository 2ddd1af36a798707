import { describePaymentsConformance } from '../conformance/payments.js';
import { signedStripeEvent, useStripeMock } from './support/stripe-setup.js';

const { mock, adapter } = useStripeMock();

describePaymentsConformance('stripe (real SDK over msw)', () => {
  const provider = adapter();
  return {
    provider,
    okPaymentMethod: 'pm_card_visa',
    declined: { amount: 2000, paymentMethodId: 'pm_card_chargeDeclined' },
    requiresAction: { amount: 2000, paymentMethodId: 'pm_card_authenticationRequired' },
    prices: { basic: 'price_basic', pro: 'price_pro' },
    async signedSubscriptionWebhook(subscription) {
      const object = await provider.stripe.subscriptions.retrieve(subscription.id);
      return signedStripeEvent('customer.subscription.updated', JSON.parse(JSON.stringify(object))).raw;
    },
    paymentsCreated: () => mock.created.payment_intents,
  };
});
