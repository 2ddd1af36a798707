/**
 * `switchyard/payments/stripe`: the `PaymentProvider` port on the official `stripe` SDK (an
 * optional peer dependency; only this subpath loads it).
 *
 * @packageDocumentation
 */
export { createStripePayments, type StripePayments } from './adapter.js';
export { STRIPE_API_VERSION, type StripePaymentsOptions } from './options.js';
export { mapStripeError } from './errors.js';
export { normalizeStripeEvent, type StripeEventInput } from './normalize.js';
export { fromStripeAmount, toStripeAmount } from './currency.js';
