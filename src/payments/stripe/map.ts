/**
 * Stripe objects → plain domain objects. Written against a loose view of the JSON (not the SDK
 * classes) because webhook payloads are rendered in the *endpoint's* API version, which may be
 * older than the pinned one: e.g. `current_period_end` moved from the subscription to its items
 * in 2025-03-31.basil, and an invoice's subscription moved under `parent.subscription_details`.
 */
import { withPaymentId } from '../recovery.js';
import type {
  CheckoutSession,
  Customer,
  Dispute,
  Invoice,
  Payment,
  PaymentStatus,
  Refund,
  Subscription,
  SubscriptionStatus,
} from '../schemas.js';
import { PAYMENT_STATUSES, SUBSCRIPTION_STATUSES } from '../schemas.js';
import { money } from './currency.js';
import { isoFromUnixSeconds } from './iso.js';

export type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** An expandable field: the id whether Stripe sent the id or the expanded object. */
export const idOf = (v: unknown): string | undefined => str(v) ?? (isObj(v) ? str(v.id) : undefined);
const isoOf = (seconds: unknown): string | undefined => {
  const n = num(seconds);
  // Outside Date's range (±8.64e15 ms) toISOString throws: treat such a value as absent.
  return n === undefined || Math.abs(n) > 8.64e12 ? undefined : isoFromUnixSeconds(n);
};

/** Metadata keys switchyard keeps for itself on Stripe objects; hidden from the domain view. */
export const RECOVERY_URL_KEY = 'switchyard_recovery_url';

function metadataOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, value] of Object.entries(v)) if (typeof value === 'string' && !k.startsWith('switchyard_')) out[k] = value;
  return out;
}

/** A copy without the `undefined` fields (exactOptionalPropertyTypes-clean JSON). Copying, not
 * `delete`, keeps the objects in V8's fast mode: deleting keys cost a third of normalization. */
function optional<T extends object>(value: T): T {
  const out = {} as T;
  for (const k in value) if (value[k] !== undefined) out[k] = value[k];
  return out;
}

export function toCustomer(c: Obj): Customer {
  const invoiceSettings = isObj(c.invoice_settings) ? c.invoice_settings : {};
  return optional({
    id: String(c.id),
    email: str(c.email),
    name: str(c.name),
    phone: str(c.phone),
    defaultPaymentMethodId: idOf(invoiceSettings.default_payment_method),
    metadata: metadataOf(c.metadata),
    createdAt: isoOf(c.created) ?? new Date(0).toISOString(),
  }) as Customer;
}

export function toPayment(pi: Obj): Payment {
  const lastError = isObj(pi.last_payment_error) ? pi.last_payment_error : undefined;
  const stripeStatus = str(pi.status) ?? 'requires_payment_method';
  // An off-session confirmation that needs 3-D Secure fails with `authentication_required` and
  // leaves the PaymentIntent in `requires_payment_method`: for the host that is "the customer
  // must act", so it is surfaced as `requires_action`, off session, with the recovery link.
  const offSessionAuth = stripeStatus === 'requires_payment_method' && str(lastError?.code) === 'authentication_required';
  const status: PaymentStatus = offSessionAuth
    ? 'requires_action'
    : (((PAYMENT_STATUSES as readonly string[]).includes(stripeStatus) ? stripeStatus : 'processing') as PaymentStatus);
  const next = isObj(pi.next_action) ? pi.next_action : undefined;
  const redirect = next && isObj(next.redirect_to_url) ? str(next.redirect_to_url.url) : undefined;
  const recoveryBase = isObj(pi.metadata) ? str(pi.metadata[RECOVERY_URL_KEY]) : undefined;
  const currency = str(pi.currency) ?? 'xxx';
  const payment: Payment = optional({
    id: String(pi.id),
    status,
    amount: money(num(pi.amount), currency),
    amountReceived: money(num(pi.amount_received), currency).amount,
    // A PaymentIntent does not carry refunds; its charge does, when it is expanded (getPayment does).
    amountRefunded: isObj(pi.latest_charge) ? money(num(pi.latest_charge.amount_refunded), currency).amount : 0,
    captureMethod: str(pi.capture_method) === 'manual' ? 'manual' : 'automatic',
    customerId: idOf(pi.customer),
    paymentMethodId: idOf(pi.payment_method) ?? (lastError && isObj(lastError.payment_method) ? idOf(lastError.payment_method) : undefined),
    clientSecret: str(pi.client_secret),
    metadata: metadataOf(pi.metadata),
    createdAt: isoOf(pi.created) ?? new Date(0).toISOString(),
  }) as Payment;
  if (status === 'requires_action') {
    const type = offSessionAuth
      ? 'authenticate'
      : redirect
        ? 'redirect'
        : str(next?.type)?.startsWith('verify')
          ? 'verify'
          : 'authenticate';
    payment.nextAction = optional({ type, offSession: offSessionAuth, redirectUrl: redirect }) as Payment['nextAction'];
    if (offSessionAuth) payment.recovery = recoveryBase ? { url: withPaymentId(recoveryBase, payment.id) } : {};
  }
  if (lastError) {
    payment.lastError = optional({
      code: str(lastError.code) ?? str(lastError.type) ?? 'payment_error',
      declineCode: str(lastError.decline_code),
      message: str(lastError.message) ?? 'payment failed',
    }) as Payment['lastError'];
  }
  return payment;
}

/** A Charge (as in `charge.refunded`) seen as the payment it belongs to. */
export function chargeAsPayment(ch: Obj): Payment {
  const currency = str(ch.currency) ?? 'xxx';
  return optional({
    id: idOf(ch.payment_intent) ?? String(ch.id),
    status: 'succeeded',
    amount: money(num(ch.amount), currency),
    amountReceived: money(num(ch.amount_captured), currency).amount,
    amountRefunded: money(num(ch.amount_refunded), currency).amount,
    captureMethod: 'automatic',
    customerId: idOf(ch.customer),
    paymentMethodId: idOf(ch.payment_method),
    metadata: metadataOf(ch.metadata),
    createdAt: isoOf(ch.created) ?? new Date(0).toISOString(),
  }) as Payment;
}

export function toRefund(r: Obj): Refund {
  const s = str(r.status);
  return optional({
    id: String(r.id),
    paymentId: idOf(r.payment_intent) ?? idOf(r.charge) ?? '',
    amount: money(num(r.amount), str(r.currency)),
    status: (s === 'pending' || s === 'requires_action' || s === 'failed' || s === 'canceled' ? s : 'succeeded') as Refund['status'],
    reason: str(r.reason),
    createdAt: isoOf(r.created) ?? new Date(0).toISOString(),
  }) as Refund;
}

export function toSubscription(s: Obj): Subscription {
  const items = isObj(s.items) && Array.isArray(s.items.data) ? (s.items.data as unknown[]).filter(isObj) : [];
  const first = items[0] ?? {};
  const stripeStatus = str(s.status) ?? 'incomplete';
  // Stripe's "pause payment collection" keeps `status: active` and sets `pause_collection`; the
  // domain calls both that and Stripe's own `paused` status `paused`.
  const status = (
    isObj(s.pause_collection) && (stripeStatus === 'active' || stripeStatus === 'trialing' || stripeStatus === 'past_due')
      ? 'paused'
      : (SUBSCRIPTION_STATUSES as readonly string[]).includes(stripeStatus)
        ? stripeStatus
        : 'incomplete'
  ) as SubscriptionStatus;
  const invoice = isObj(s.latest_invoice) ? s.latest_invoice : undefined;
  return optional({
    id: String(s.id),
    customerId: idOf(s.customer) ?? '',
    status,
    priceId: idOf(first.price) ?? (isObj(s.plan) ? (str(s.plan.id) ?? '') : ''),
    quantity: num(first.quantity) ?? num(s.quantity) ?? 1,
    cancelAtPeriodEnd: s.cancel_at_period_end === true,
    currentPeriodEnd: isoOf(first.current_period_end ?? s.current_period_end),
    trialEnd: isoOf(s.trial_end),
    canceledAt: isoOf(s.canceled_at),
    latestInvoiceUrl: invoice && str(invoice.status) === 'open' ? str(invoice.hosted_invoice_url) : undefined,
    metadata: metadataOf(s.metadata),
    createdAt: isoOf(s.created) ?? new Date(0).toISOString(),
  }) as Subscription;
}

export function toCheckoutSession(cs: Obj): CheckoutSession {
  const mode = str(cs.mode);
  const status = str(cs.status);
  const total = num(cs.amount_total);
  return optional({
    id: String(cs.id),
    mode: (mode === 'subscription' || mode === 'setup' ? mode : 'payment') as CheckoutSession['mode'],
    status: (status === 'complete' || status === 'expired' ? status : 'open') as CheckoutSession['status'],
    url: str(cs.url) ?? '',
    customerId: idOf(cs.customer),
    clientReferenceId: str(cs.client_reference_id),
    paymentId: idOf(cs.payment_intent),
    subscriptionId: idOf(cs.subscription),
    amountTotal: total === undefined || !str(cs.currency) ? undefined : money(total, str(cs.currency)),
    expiresAt: isoOf(cs.expires_at) ?? new Date(0).toISOString(),
  }) as CheckoutSession;
}

export function toInvoice(inv: Obj): Invoice {
  const parent = isObj(inv.parent) ? inv.parent : undefined;
  const details = parent && isObj(parent.subscription_details) ? parent.subscription_details : undefined;
  const currency = str(inv.currency);
  return optional({
    id: String(inv.id),
    status: str(inv.status) ?? 'open',
    customerId: idOf(inv.customer),
    subscriptionId: idOf(details?.subscription) ?? idOf(inv.subscription),
    amountDue: money(num(inv.amount_due), currency),
    amountPaid: money(num(inv.amount_paid), currency).amount,
    hostedInvoiceUrl: str(inv.hosted_invoice_url),
  }) as Invoice;
}

export function toDispute(d: Obj): Dispute {
  return optional({
    id: String(d.id),
    paymentId: idOf(d.payment_intent),
    amount: money(num(d.amount), str(d.currency)),
    reason: str(d.reason) ?? 'general',
    status: str(d.status) ?? 'needs_response',
  }) as Dispute;
}
