/**
 * A small Stripe API stand-in behind msw, so the real `stripe` SDK runs unmodified in tests.
 * Every request is checked the way the lead asked: form-encoded parameters, an `Idempotency-Key` on
 * every POST, the pinned `Stripe-Version`, a Bearer key. Breaches are collected in `violations`
 * (asserted empty after each test) and answered with a 400 so they cannot pass unnoticed.
 *
 * Responses are built to the shapes of the SDK's types (node_modules/stripe/types/*.d.ts, API
 * 2026-02-25.clover): ids with Stripe's prefixes, `object` names, Unix-second timestamps,
 * `current_period_end` on subscription items. Test payment methods are Stripe's own:
 * `pm_card_visa`, `pm_card_chargeDeclined`, `pm_card_chargeDeclinedInsufficientFunds`,
 * `pm_card_authenticationRequired`. Idempotency follows Stripe: the same key and parameters
 * replay the first answer; the same key with other parameters is an `idempotency_error`.
 */
import { http, HttpResponse, delay } from 'msw';

export const API = 'https://api.stripe.com';

type Obj = Record<string, unknown>;
export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  contentType: string | null;
  params: Obj;
  rawBody: string;
}

export type Fault =
  | { kind: 'timeout'; ms: number }
  | { kind: 'status'; status: number; type: string; code?: string; shouldRetry?: boolean }
  | { kind: 'network' }
  | { kind: 'malformed'; status: number };

/** Parse Stripe's `a[b][0][c]=v` form encoding into nested objects and arrays. */
export function parseForm(body: string): Obj {
  const root: Obj = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.replace(/\]/g, '').split('[');
    let node: Obj = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Obj;
    });
  }
  return arrays(root) as Obj;
}
function arrays(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Obj;
  const keys = Object.keys(o);
  const converted = Object.fromEntries(keys.map((k) => [k, arrays(o[k])]));
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => converted[k]);
  return converted;
}

export interface StripeMock {
  handlers: ReturnType<typeof http.all>[];
  requests: RecordedRequest[];
  violations: string[];
  /** Objects actually created (a replayed idempotent request creates nothing). */
  created: { payment_intents: number; customers: number; refunds: number; subscriptions: number };
  /** The next `times` (default 1) requests to `path` (e.g. `/v1/payment_intents`) fail this way. */
  failNext(path: string, fault: Fault, times?: number): void;
  now: () => number;
  reset(): void;
}

export function createStripeMock(options: { apiVersion: string; now?: () => number }): StripeMock {
  const now = options.now ?? (() => Date.UTC(2026, 0, 1));
  const seconds = () => Math.floor(now() / 1000);
  let counter = 0;
  const id = (prefix: string) => `${prefix}_${(++counter).toString(36).padStart(14, '0')}`;
  const prices: Record<string, { amount: number; currency: string; interval: string }> = {
    price_basic: { amount: 1000, currency: 'eur', interval: 'month' },
    price_pro: { amount: 3000, currency: 'eur', interval: 'month' },
  };
  let customers = new Map<string, Obj>();
  let intents = new Map<string, Obj>();
  let subs = new Map<string, Obj>();
  let idem = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  let faults = new Map<string, { fault: Fault; times: number }>();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const created = { payment_intents: 0, customers: 0, refunds: 0, subscriptions: 0 };

  const error = (status: number, type: string, message: string, extra: Obj = {}) =>
    ({ status, body: { error: { type, message, ...extra } } }) as const;
  const notFound = (what: string, objId: string) =>
    error(404, 'invalid_request_error', `No such ${what}: '${objId}'`, { code: 'resource_missing' });

  function customerObj(params: Obj): Obj {
    return {
      id: id('cus'),
      object: 'customer',
      created: seconds(),
      email: params.email ?? null,
      name: params.name ?? null,
      phone: params.phone ?? null,
      livemode: false,
      metadata: params.metadata ?? {},
      invoice_settings: { default_payment_method: null, custom_fields: null, footer: null, rendering_options: null },
    };
  }

  function intentObj(params: Obj): Obj {
    const piId = id('pi');
    return {
      id: piId,
      object: 'payment_intent',
      amount: Number(params.amount),
      amount_capturable: 0,
      amount_received: 0,
      currency: params.currency,
      capture_method: params.capture_method ?? 'automatic_async',
      client_secret: `${piId}_secret_${'x'.repeat(8)}`,
      confirmation_method: 'automatic',
      created: seconds(),
      customer: params.customer ?? null,
      description: params.description ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: params.metadata ?? {},
      next_action: null,
      payment_method: params.payment_method ?? null,
      status: params.payment_method ? 'requires_confirmation' : 'requires_payment_method',
      automatic_payment_methods: params.automatic_payment_methods ? { enabled: true } : null,
    };
  }

  /** Confirm `pi` with its payment method; returns an error answer for a decline. */
  function confirm(pi: Obj, offSession: boolean): { status: number; body: unknown } | undefined {
    const pm = pi.payment_method;
    const declined =
      pm === 'pm_card_chargeDeclined'
        ? 'generic_decline'
        : pm === 'pm_card_chargeDeclinedInsufficientFunds'
          ? 'insufficient_funds'
          : undefined;
    if (declined) {
      pi.status = 'requires_payment_method';
      pi.last_payment_error = { type: 'card_error', code: 'card_declined', decline_code: declined, message: 'Your card was declined.' };
      return error(402, 'card_error', 'Your card was declined.', {
        code: 'card_declined',
        decline_code: declined,
        payment_intent: structuredClone(pi),
      });
    }
    if (pm === 'pm_card_authenticationRequired') {
      if (offSession) {
        pi.status = 'requires_payment_method';
        pi.last_payment_error = {
          type: 'card_error',
          code: 'authentication_required',
          decline_code: 'authentication_required',
          message: 'Your card was declined. This transaction requires authentication.',
          payment_method: { id: pm, object: 'payment_method' },
        };
        return error(402, 'card_error', 'Your card was declined. This transaction requires authentication.', {
          code: 'authentication_required',
          decline_code: 'authentication_required',
          payment_intent: structuredClone(pi),
        });
      }
      pi.status = 'requires_action';
      pi.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } };
      return undefined;
    }
    pi.last_payment_error = null;
    pi.next_action = null;
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
    }
    pi.latest_charge = id('ch');
    return undefined;
  }

  function subscriptionObj(params: Obj, customer: Obj): Obj {
    const items = (params.items as Obj[]) ?? [];
    const trialDays = params.trial_period_days ? Number(params.trial_period_days) : undefined;
    const start = seconds();
    const periodEnd = start + (trialDays ?? 30) * 86_400;
    const subId = id('sub');
    const pm = params.default_payment_method ?? (customer.invoice_settings as Obj).default_payment_method;
    const status = trialDays
      ? 'trialing'
      : pm && pm !== 'pm_card_chargeDeclined' && pm !== 'pm_card_authenticationRequired'
        ? 'active'
        : 'incomplete';
    const invoiceId = id('in');
    return {
      id: subId,
      object: 'subscription',
      cancel_at_period_end: false,
      canceled_at: null,
      created: start,
      customer: customer.id,
      default_payment_method: params.default_payment_method ?? null,
      items: {
        object: 'list',
        data: items.map((item) => ({
          id: id('si'),
          object: 'subscription_item',
          price: { id: item.price, object: 'price', unit_amount: prices[String(item.price)]?.amount, currency: 'eur' },
          quantity: Number(item.quantity ?? 1),
          current_period_start: start,
          current_period_end: periodEnd,
        })),
        has_more: false,
        url: `/v1/subscription_items?subscription=${subId}`,
      },
      latest_invoice: {
        id: invoiceId,
        object: 'invoice',
        status: status === 'incomplete' ? 'open' : 'paid',
        hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/${invoiceId}`,
      },
      livemode: false,
      metadata: params.metadata ?? {},
      pause_collection: null,
      status,
      trial_end: trialDays ? periodEnd : null,
      trial_start: trialDays ? start : null,
    };
  }

  type Answer = { status: number; body: unknown };
  const ok = (body: unknown): Answer => ({ status: 200, body });

  function route(method: string, path: string, p: Obj): Answer {
    const seg = path.split('/').filter(Boolean).slice(1); // drop "v1"
    const [resource, objId, action] = seg;
    if (resource === 'customers') {
      if (method === 'POST' && !objId) {
        const c = customerObj(p);
        customers.set(c.id as string, c);
        created.customers++;
        return ok(c);
      }
      const c = customers.get(String(objId));
      if (!c) return notFound('customer', String(objId));
      if (method === 'POST') {
        for (const k of ['email', 'name', 'phone']) if (p[k] !== undefined) c[k] = p[k];
        if (p.metadata) c.metadata = { ...(c.metadata as Obj), ...(p.metadata as Obj) };
        const settings = p.invoice_settings as Obj | undefined;
        if (settings?.default_payment_method) (c.invoice_settings as Obj).default_payment_method = settings.default_payment_method;
      }
      return ok(c);
    }
    if (resource === 'payment_intents') {
      if (method === 'POST' && !objId) {
        if (!Number.isInteger(Number(p.amount)) || Number(p.amount) <= 0)
          return error(400, 'invalid_request_error', 'Invalid integer', { param: 'amount' });
        const pi = intentObj(p);
        intents.set(pi.id as string, pi);
        created.payment_intents++;
        if (p.confirm === 'true') {
          const failed = confirm(pi, p.off_session === 'true');
          if (failed) return failed;
        }
        return ok(pi);
      }
      const pi = intents.get(String(objId));
      if (!pi) return notFound('payment_intent', String(objId));
      if (method === 'GET') {
        const expand = Array.isArray(p.expand) ? p.expand : [];
        if (!expand.includes('latest_charge') || typeof pi.latest_charge !== 'string') return ok(pi);
        return ok({
          ...pi,
          latest_charge: {
            id: pi.latest_charge,
            object: 'charge',
            amount: pi.amount,
            amount_captured: pi.amount_received,
            amount_refunded: pi.amount_refunded ?? 0,
            currency: pi.currency,
            payment_intent: pi.id,
            refunded: pi.amount_refunded === pi.amount_received,
          },
        });
      }
      if (action === 'confirm') {
        if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(String(pi.status)))
          return error(400, 'invalid_request_error', `This PaymentIntent's status is ${pi.status} and it cannot be confirmed.`, {
            code: 'payment_intent_unexpected_state',
          });
        if (p.payment_method) pi.payment_method = p.payment_method;
        return confirm(pi, false) ?? ok(pi);
      }
      if (action === 'capture') {
        if (pi.status !== 'requires_capture')
          return error(400, 'invalid_request_error', `This PaymentIntent could not be captured because it has a status of ${pi.status}.`, {
            code: 'payment_intent_unexpected_state',
          });
        const amount = p.amount_to_capture ? Number(p.amount_to_capture) : (pi.amount as number);
        if (amount > (pi.amount as number))
          return error(400, 'invalid_request_error', 'amount_to_capture is greater than the capturable amount', {
            param: 'amount_to_capture',
          });
        pi.status = 'succeeded';
        pi.amount_received = amount;
        pi.amount_capturable = 0;
        return ok(pi);
      }
      if (action === 'cancel') {
        if (pi.status === 'succeeded' || pi.status === 'canceled')
          return error(400, 'invalid_request_error', `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`, {
            code: 'payment_intent_unexpected_state',
          });
        pi.status = 'canceled';
        pi.cancellation_reason = 'requested_by_customer';
        return ok(pi);
      }
    }
    if (resource === 'refunds' && method === 'POST') {
      const pi = intents.get(String(p.payment_intent));
      if (!pi) return notFound('payment_intent', String(p.payment_intent));
      if (pi.status !== 'succeeded')
        return error(400, 'invalid_request_error', 'This PaymentIntent does not have a successful charge to refund.', {
          code: 'charge_not_refundable',
        });
      const refunded = (pi.amount_refunded as number | undefined) ?? 0;
      const left = (pi.amount_received as number) - refunded;
      const amount = p.amount ? Number(p.amount) : left;
      if (amount > left)
        return error(400, 'invalid_request_error', `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, {
          param: 'amount',
        });
      pi.amount_refunded = refunded + amount;
      created.refunds++;
      return ok({
        id: id('re'),
        object: 'refund',
        amount,
        charge: pi.latest_charge,
        created: seconds(),
        currency: pi.currency,
        metadata: p.metadata ?? {},
        payment_intent: pi.id,
        reason: p.reason ?? null,
        status: 'succeeded',
      });
    }
    if (resource === 'setup_intents' && method === 'POST') {
      const siId = id('seti');
      return ok({
        id: siId,
        object: 'setup_intent',
        client_secret: `${siId}_secret_${'y'.repeat(8)}`,
        customer: p.customer,
        status: 'requires_payment_method',
        usage: 'off_session',
      });
    }
    if (resource === 'subscriptions') {
      if (method === 'POST' && !objId) {
        const c = customers.get(String(p.customer));
        if (!c) return notFound('customer', String(p.customer));
        for (const item of (p.items as Obj[]) ?? []) if (!prices[String(item.price)]) return notFound('price', String(item.price));
        const s = subscriptionObj(p, c);
        subs.set(s.id as string, s);
        created.subscriptions++;
        return ok(s);
      }
      const s = subs.get(String(objId));
      if (!s) return notFound('subscription', String(objId));
      if (method === 'GET') return ok(s);
      if (method === 'DELETE') {
        s.status = 'canceled';
        s.canceled_at = seconds();
        return ok(s);
      }
      if (action === 'resume') {
        s.status = 'active';
        return ok(s);
      }
      if (s.status === 'canceled')
        return error(400, 'invalid_request_error', 'A canceled subscription can only update its cancellation_details and metadata.');
      if (p.cancel_at_period_end !== undefined) s.cancel_at_period_end = p.cancel_at_period_end === 'true';
      if (p.pause_collection !== undefined)
        s.pause_collection = p.pause_collection === '' ? null : { behavior: (p.pause_collection as Obj).behavior, resumes_at: null };
      if (p.metadata) s.metadata = { ...(s.metadata as Obj), ...(p.metadata as Obj) };
      for (const change of (p.items as Obj[]) ?? []) {
        const item = ((s.items as Obj).data as Obj[]).find((i) => i.id === change.id);
        if (!item) return error(400, 'invalid_request_error', 'No such subscription item', { param: 'items' });
        if (change.price) {
          if (!prices[String(change.price)]) return notFound('price', String(change.price));
          item.price = { id: change.price, object: 'price', unit_amount: prices[String(change.price)]?.amount, currency: 'eur' };
        }
        if (change.quantity) item.quantity = Number(change.quantity);
      }
      return ok(s);
    }
    if (resource === 'checkout' && objId === 'sessions' && method === 'POST') {
      const csId = id('cs_test');
      let total = 0;
      for (const item of (p.line_items as Obj[]) ?? []) {
        const unit = item.price ? prices[String(item.price)]?.amount : Number((item.price_data as Obj).unit_amount);
        if (unit === undefined) return notFound('price', String(item.price));
        total += unit * Number(item.quantity ?? 1);
      }
      return ok({
        id: csId,
        object: 'checkout.session',
        mode: p.mode,
        status: 'open',
        url: `https://checkout.stripe.com/c/pay/${csId}`,
        amount_total: p.mode === 'setup' ? null : total,
        currency: p.mode === 'setup' ? p.currency : 'eur',
        customer: p.customer ?? null,
        customer_email: p.customer_email ?? null,
        client_reference_id: p.client_reference_id ?? null,
        expires_at: seconds() + 86_400,
        payment_intent: null,
        subscription: null,
        success_url: p.success_url,
        livemode: false,
        metadata: p.metadata ?? {},
      });
    }
    if (resource === 'billing_portal' && objId === 'sessions' && method === 'POST') {
      if (!customers.has(String(p.customer))) return notFound('customer', String(p.customer));
      const bpsId = id('bps');
      return ok({
        id: bpsId,
        object: 'billing_portal.session',
        customer: p.customer,
        return_url: p.return_url,
        url: `https://billing.stripe.com/p/session/test_${bpsId}`,
        livemode: false,
        created: seconds(),
      });
    }
    return error(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path})`);
  }

  const handler = http.all(`${API}/v1/*`, async ({ request }) => {
    const url = new URL(request.url);
    const rawBody = request.method === 'GET' || request.method === 'DELETE' ? url.searchParams.toString() : await request.text();
    const rec: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      idempotencyKey: request.headers.get('idempotency-key'),
      stripeVersion: request.headers.get('stripe-version'),
      contentType: request.headers.get('content-type'),
      params: parseForm(rawBody),
      rawBody,
    };
    requests.push(rec);
    const broken: string[] = [];
    if (rec.stripeVersion !== options.apiVersion)
      broken.push(`Stripe-Version ${rec.stripeVersion} is not the pinned ${options.apiVersion}`);
    if (!/^Bearer (sk|rk)_test_/.test(request.headers.get('authorization') ?? '')) broken.push('no Bearer test key');
    if (request.method === 'POST') {
      if (!rec.idempotencyKey) broken.push(`POST ${rec.path} without Idempotency-Key`);
      if (!rec.contentType?.startsWith('application/x-www-form-urlencoded')) broken.push(`POST ${rec.path} is not form-encoded`);
      if (rawBody.trim().startsWith('{')) broken.push(`POST ${rec.path} sent JSON`);
    }
    if (broken.length > 0) {
      violations.push(...broken);
      return HttpResponse.json({ error: { type: 'invalid_request_error', message: broken.join('; ') } }, { status: 400 });
    }

    const pending = faults.get(url.pathname);
    if (pending) {
      const fault = pending.fault;
      if (--pending.times <= 0) faults.delete(url.pathname);
      if (fault.kind === 'network') return HttpResponse.error();
      if (fault.kind === 'malformed')
        return new HttpResponse('<html>502 Bad Gateway</html>', { status: fault.status, headers: { 'content-type': 'text/html' } });
      if (fault.kind === 'status') {
        return HttpResponse.json(
          { error: { type: fault.type, message: `injected ${fault.status}`, ...(fault.code ? { code: fault.code } : {}) } },
          { status: fault.status, headers: fault.shouldRetry === undefined ? {} : { 'stripe-should-retry': String(fault.shouldRetry) } },
        );
      }
      // A timeout: the request reaches Stripe and is executed, but the answer comes too late.
      // The retry must then be answered from the idempotency cache, not create a second object.
      const answer = execute(request.method, rec);
      await delay(fault.ms);
      return HttpResponse.json(answer.body as Obj, { status: answer.status });
    }
    const answer = execute(request.method, rec);
    return HttpResponse.json(answer.body as Obj, { status: answer.status, headers: { 'request-id': `req_${counter}` } });
  });

  function execute(method: string, rec: RecordedRequest): Answer {
    if (method !== 'POST' || !rec.idempotencyKey) return route(method, rec.path, rec.params);
    const fingerprint = `${rec.path}?${rec.rawBody}`;
    const seen = idem.get(rec.idempotencyKey);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        return error(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${rec.idempotencyKey}' if you meant to execute a different request.`,
        );
      }
      return { status: seen.status, body: seen.body };
    }
    const answer = route(method, rec.path, rec.params);
    // Stripe saves the answer of every request that began executing, errors included (not 5xx
    // before execution, which we do not simulate here).
    idem.set(rec.idempotencyKey, { fingerprint, ...answer });
    return answer;
  }

  return {
    handlers: [handler],
    requests,
    violations,
    created,
    now,
    failNext(path, fault, times = 1) {
      faults.set(path, { fault, times });
    },
    reset() {
      customers = new Map();
      intents = new Map();
      subs = new Map();
      idem = new Map();
      faults = new Map();
      requests.length = 0;
      violations.length = 0;
      Object.assign(created, { payment_intents: 0, customers: 0, refunds: 0, subscriptions: 0 });
    },
  };
}
