/**
 * The domain speaks ISO 4217 minor units; Stripe mostly does too, except that it still takes ISK
 * and UGX as two-decimal currencies (an amount in "cents" that must be a multiple of 100), for
 * backwards compatibility. This is the one place that translates, in both directions.
 * (HUF and TWD are two-decimal both in ISO and in Stripe's charge API; only their payouts differ.)
 */
import { IntegrationError } from '../../core/errors.js';
import { MAX_AMOUNT } from '../schemas.js';

const STRIPE_TWO_DECIMAL_ISO_ZERO: ReadonlySet<string> = new Set(['ISK', 'UGX']);

/**
 * ISO 4217 minor units → the amount Stripe expects (ISK and UGX are two-decimal at Stripe); throws
 * `invalid_input` over Stripe's limit.
 *
 * @example
 * toStripeAmount(1000, 'ISK'); // 100000
 * toStripeAmount(1050, 'EUR'); // 1050
 */
export function toStripeAmount(amount: number, currency: string): number {
  const stripeAmount = STRIPE_TWO_DECIMAL_ISO_ZERO.has(currency.toUpperCase()) ? amount * 100 : amount;
  if (stripeAmount > MAX_AMOUNT) {
    throw new IntegrationError(
      'invalid_input',
      `amount ${amount} ${currency.toUpperCase()} is over Stripe's limit of ${MAX_AMOUNT} minor units`,
      {
        provider: 'stripe',
        details: { field: 'amount' },
      },
    );
  }
  return stripeAmount;
}

/**
 * A Stripe amount → ISO 4217 minor units; the inverse of `toStripeAmount`.
 *
 * @example
 * fromStripeAmount(100000, 'ISK'); // 1000
 */
export function fromStripeAmount(amount: number, currency: string): number {
  return STRIPE_TWO_DECIMAL_ISO_ZERO.has(currency.toUpperCase()) ? Math.round(amount / 100) : amount;
}

export function money(amount: number | null | undefined, currency: string | null | undefined): { amount: number; currency: string } {
  const code = (currency ?? 'xxx').toUpperCase();
  return { amount: fromStripeAmount(amount ?? 0, code), currency: code };
}
