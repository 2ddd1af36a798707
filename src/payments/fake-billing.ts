/**
 * The fake's test clock for subscriptions: trial warnings and ends, renewals, failed renewals,
 * period-end cancellations and the 23-hour expiry of unpaid first invoices, run in time order
 * when the host calls `clock.advance(ms)`.
 */
import { IntegrationError } from '../core/errors.js';
import type { PaymentEvent, PaymentEventType } from './events.js';
import type { FakeCardBehavior, FakePrice } from './fake-types.js';
import type { Invoice, Subscription } from './schemas.js';

export const DAY = 86_400_000;
export const INTERVAL_MS: Record<FakePrice['interval'], number> = { day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY };
const TRIAL_WARNING_MS = 3 * DAY;
/** Stripe expires a subscription whose first invoice stays unpaid for 23 hours. */
const INCOMPLETE_TTL_MS = 23 * 3_600_000;

export interface SubRecord {
  sub: Subscription;
  createdMs: number;
  periodEndMs: number;
  trialEndMs?: number;
  trialWarned: boolean;
  paused: boolean;
}

export type Emit = <T extends PaymentEventType>(type: T, objectId: string, data: Extract<PaymentEvent, { type: T }>['data']) => void;

export interface BillingContext {
  subs: ReadonlyMap<string, SubRecord>;
  cardBehavior: ReadonlyMap<string, FakeCardBehavior>;
  price(id: string): FakePrice;
  behaviorOf(amount: number): FakeCardBehavior | 'insufficient';
  emit: Emit;
  newId(prefix: string): string;
  iso(ms?: number): string;
  now(): number;
  setNow(ms: number): void;
}

export function createFakeBilling(ctx: BillingContext) {
  function invoiceFor(rec: SubRecord, status: 'paid' | 'open', url?: string): Invoice {
    const pr = ctx.price(rec.sub.priceId);
    const due = pr.amount.amount * rec.sub.quantity;
    return {
      id: ctx.newId('in'),
      status,
      customerId: rec.sub.customerId,
      subscriptionId: rec.sub.id,
      amountDue: { amount: due, currency: pr.amount.currency },
      amountPaid: status === 'paid' ? due : 0,
      ...(url ? { hostedInvoiceUrl: url } : {}),
    };
  }

  /** Bill one period of a subscription with the customer's card; moves the status accordingly. */
  function bill(rec: SubRecord, first: boolean): void {
    const behavior =
      ctx.cardBehavior.get(rec.sub.customerId) ?? ctx.behaviorOf(ctx.price(rec.sub.priceId).amount.amount * rec.sub.quantity);
    if (behavior === 'succeed') {
      const invoice = invoiceFor(rec, 'paid');
      ctx.emit('invoice.paid', invoice.id, invoice);
      rec.sub.status = 'active';
      delete rec.sub.latestInvoiceUrl;
      return;
    }
    const invoice = invoiceFor(rec, 'open');
    const url = `https://fake-invoices.switchyard.test/i/${invoice.id}`;
    invoice.hostedInvoiceUrl = url;
    ctx.emit(behavior === 'requires_action' ? 'invoice.action_required' : 'invoice.payment_failed', invoice.id, invoice);
    rec.sub.latestInvoiceUrl = url;
    rec.sub.status = first ? 'incomplete' : 'past_due';
  }

  function toSubscriptionEvent(
    rec: SubRecord,
    type:
      | 'subscription.created'
      | 'subscription.updated'
      | 'subscription.past_due'
      | 'subscription.canceled'
      | 'subscription.paused'
      | 'subscription.resumed'
      | 'subscription.trial_ending',
  ) {
    ctx.emit(type, rec.sub.id, rec.sub);
  }

  function statusEvent(rec: SubRecord, before: Subscription['status']): void {
    if (rec.sub.status === before) return;
    toSubscriptionEvent(rec, rec.sub.status === 'past_due' ? 'subscription.past_due' : 'subscription.updated');
  }

  async function advance(ms: number): Promise<void> {
    if (!Number.isSafeInteger(ms) || ms < 0) {
      throw new IntegrationError('invalid_input', 'advance takes a non-negative integer number of milliseconds', {
        details: { field: 'ms' },
      });
    }
    const target = ctx.now() + ms;
    // Walk due moments in time order, so a year's jump bills twelve renewals, not one.
    for (;;) {
      let nextAt = Number.POSITIVE_INFINITY;
      let nextRec: SubRecord | undefined;
      for (const rec of ctx.subs.values()) {
        const due = dueAt(rec);
        if (due !== undefined && due <= target && due < nextAt) {
          nextAt = due;
          nextRec = rec;
        }
      }
      if (!nextRec) break;
      ctx.setNow(Math.max(ctx.now(), nextAt));
      runDue(nextRec);
    }
    ctx.setNow(target);
  }

  function dueAt(rec: SubRecord): number | undefined {
    const s = rec.sub.status;
    if (s === 'canceled' || s === 'incomplete_expired' || rec.paused) return undefined;
    if (s === 'incomplete') return rec.createdMs + INCOMPLETE_TTL_MS;
    if (s === 'trialing' && rec.trialEndMs !== undefined) return rec.trialWarned ? rec.trialEndMs : rec.trialEndMs - TRIAL_WARNING_MS;
    return rec.periodEndMs;
  }

  function runDue(rec: SubRecord): void {
    const before = rec.sub.status;
    if (before === 'incomplete') {
      rec.sub.status = 'incomplete_expired';
      toSubscriptionEvent(rec, 'subscription.updated');
      return;
    }
    if (before === 'trialing' && rec.trialEndMs !== undefined && !rec.trialWarned) {
      rec.trialWarned = true;
      toSubscriptionEvent(rec, 'subscription.trial_ending');
      return;
    }
    if (rec.sub.cancelAtPeriodEnd) {
      rec.sub.status = 'canceled';
      rec.sub.canceledAt = ctx.iso();
      toSubscriptionEvent(rec, 'subscription.canceled');
      return;
    }
    const interval = INTERVAL_MS[ctx.price(rec.sub.priceId).interval];
    rec.periodEndMs = ctx.now() + interval;
    rec.sub.currentPeriodEnd = ctx.iso(rec.periodEndMs);
    if (before === 'trialing') delete rec.trialEndMs;
    bill(rec, false);
    if (rec.sub.status === before) toSubscriptionEvent(rec, 'subscription.updated');
    else statusEvent(rec, before);
  }

  /** The open invoice was paid on its hosted page. */
  function payOpenInvoice(rec: SubRecord): void {
    const before = rec.sub.status;
    const invoice = invoiceFor(rec, 'paid');
    ctx.emit('invoice.paid', invoice.id, invoice);
    rec.sub.status = 'active';
    delete rec.sub.latestInvoiceUrl;
    statusEvent(rec, before);
  }

  return { bill, advance, payOpenInvoice, subscriptionEvent: toSubscriptionEvent, statusEvent };
}
