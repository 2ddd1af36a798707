/**
 * Every example must run against the fakes with no credentials in the environment: an example
 * that no longer runs is a bug. The demo's narration is checked step by step.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startSmtpPeer } from '../notify/support/smtp-peer.js';

const run = promisify(execFile);
const examples = readdirSync('examples').filter((f) => f.endsWith('.ts'));

// Credentials that would switch an example to a real provider are removed on purpose.
const CREDENTIAL_VARS = /^(STRIPE_|GOOGLE_|MICROSOFT_|GRAPH_|CALDAV_|SMTP_|TWILIO_|SENDGRID_|AWS_|FCM_|VAPID_)/;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CREDENTIAL_VARS.test(k)));

async function runExample(file: string) {
  return run(process.execPath, ['--import', 'tsx', `examples/${file}`], { env, timeout: 60_000 });
}

const DEMO_TITLES = [
  'Ada books a weekly class in her own time zone',
  'Price the three classes in minor units',
  'Claim the checkout once (the customer double-clicks)',
  'Check out with an SCA challenge',
  'Verify the signed webhook, delivered twice, and apply it once',
  "Create the series in Ada's calendar and sync it",
  'Send the confirmation email with List-Unsubscribe',
  'The email bounces: suppress the address, fall back to SMS',
  'The SMS delivery event arrives',
  'The log line of the checkout call, redacted',
];

/** The demo's numbered steps, checked to be 1..n in order, and a reader of step n's output. */
function demoSteps(stdout: string) {
  const steps = [...stdout.matchAll(/^\[(\d+)\] (.+)$/gm)].map((m) => [Number(m[1]), m[2]] as const);
  expect(steps.map(([n]) => n)).toEqual(steps.map((_, i) => i + 1));
  const out = (n: number) =>
    stdout.slice(stdout.indexOf(`[${n}] `), stdout.indexOf(`[${n + 1}] `) >= 0 ? stdout.indexOf(`[${n + 1}] `) : undefined);
  return { titles: steps.map(([, title]) => title), out };
}

interface ProviderReport {
  calls: string[];
  stripeViolations: string[];
  stripeCreated: { payment_intents: number };
  eventsRequests: { type: string | null; stripeVersion: string | null; authorized: boolean }[];
  tokenRequests: Record<string, string>[];
  googleBearers: string[];
}

/**
 * The demo with provider credentials in its environment, in its own process as `npm run demo` runs
 * it; msw, preloaded into that process, stands in for Stripe and Google (no internet). Fake keys only.
 */
async function runDemoOnProviders(extra: Record<string, string>): Promise<{ stdout: string; report: ProviderReport }> {
  const dir = mkdtempSync(join(tmpdir(), 'demo-providers-'));
  try {
    const reportFile = join(dir, 'report.json');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', './test/examples/support/demo-providers.ts', 'examples/demo.ts'],
      { env: { ...env, ...extra, DEMO_PROVIDER_REPORT: reportFile }, timeout: 60_000 },
    );
    return { stdout, report: JSON.parse(readFileSync(reportFile, 'utf8')) as ProviderReport };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FAKE_STRIPE_KEY = 'sk_test_51SwitchyardDemoKeyForMswOnly0000';
const FAKE_WHSEC = 'whsec_switchyard_demo_test_secret_0123456789';
const FAKE_GOOGLE_TOKEN = 'ya29.switchyard-demo-token-for-msw-only';

describe('examples', () => {
  it.each(examples)(
    '%s runs against the fakes and exits 0',
    async (file) => {
      const { stdout } = await runExample(file);
      expect(stdout.length).toBeGreaterThan(0);
    },
    90_000,
  );

  it('the demo tells one booking story, step by step', async () => {
    const { stdout } = await runExample('demo.ts');
    // The output of step n: from its title to the next step.
    const { titles, out } = demoSteps(stdout);
    expect(titles).toEqual(DEMO_TITLES);
    // 1: the booking in the customer's zone; a non-IANA zone is refused.
    expect(out(1)).toContain('booking_42: Evening yoga, Tuesdays 18:00 America/New_York, RRULE:FREQ=WEEKLY;COUNT=3');
    expect(out(1)).toMatch(/"EST" is refused → invalid_input: .*use America\/New_York/);
    // 2: money in minor units; an amount USD cannot hold is refused.
    expect(out(2)).toContain('{"amount":43184,"currency":"USD"} ($431.84)');
    expect(out(2)).toContain('invalid_input: USD has 2 decimal places');
    // 3: the store claim.
    expect(out(3)).toContain('first claim: true, retried claim: false');
    // 4: checkout for this booking, with the SCA challenge.
    expect(out(4)).toContain('$431.84 for booking_42');
    expect(out(4)).toContain('events: payment.requires_action → payment.succeeded → checkout.completed');
    // 5: two verified deliveries, one application, to the booking the event names.
    expect(out(5)).toMatch(/checkout\.completed evt_\w+ verified twice → booking_42 confirmed, applied 1 time/);
    // 6: the series for this booking keeps 18:00 local across the DST change; the offset moves.
    expect(out(6)).toMatch(/series \w+ for booking_42: synced 1 change\(s\) \(upsert\); a second sync delivers 0/);
    expect(out(6)).toContain('2026-03-03T18:00 America/New_York = 2026-03-03T18:00:00-05:00');
    expect(out(6)).toContain('2026-03-10T18:00 America/New_York = 2026-03-10T18:00:00-04:00');
    // 7-9: confirmation to the customer, bounce → suppression → SMS to her phone → delivery event.
    expect(out(7)).toContain('to ada@example.com: "Booked: Evening yoga, Tuesdays 18:00 (America/New_York) from 2026-03-03, $431.84 paid"');
    expect(out(7)).toMatch(/List-Unsubscribe: <https:\/\/studio\.example\/unsubscribe\?token=demo>/);
    expect(out(8)).toMatch(/verified hard bounce → ada@example\.com suppressed \(hard_bounce\) → SMS \S+ to \+14155550100/);
    expect(out(9)).toContain('SMS delivery event → status delivered; booking_42 is confirmed');
    // 10: the host's log line has the booking id and no key.
    expect(out(10)).toContain('"bookingId":"booking_42"');
    expect(stdout).not.toContain('4eC39HqLyjWDarjtT1zd');
    expect(stdout).toMatch(/Demo finished/);
  }, 90_000);

  it('with SMTP_URL the demo sends the confirmation through a real SMTP server (STARTTLS, AUTH)', async () => {
    const peer = await startSmtpPeer();
    const dir = mkdtempSync(join(tmpdir(), 'demo-smtp-'));
    try {
      // The peer's certificate is self-signed for this run: the child trusts it as an extra CA.
      writeFileSync(join(dir, 'ca.pem'), peer.cert);
      const url = `smtp://${encodeURIComponent(peer.user)}:${encodeURIComponent(peer.pass)}@localhost:${peer.port}`;
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], {
        env: { ...env, SMTP_URL: url, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
        timeout: 60_000,
      });
      expect(stdout).toContain('SMTP_URL set');
      expect(stdout).toMatch(/\[7\] Send the confirmation email with List-Unsubscribe\n {4}email \S+ via smtp to ada@example\.com/);
      expect(stdout).toContain('the bounce → SMS steps run with the fake email only');
      expect(stdout).not.toContain(peer.pass);
      expect(peer.received).toHaveLength(1);
      const mail = peer.received[0];
      expect(mail?.secure).toBe(true);
      expect(mail?.to).toEqual(['ada@example.com']);
      expect(mail?.raw).toMatch(/^List-Unsubscribe: <https:\/\/studio\.example\/unsubscribe\?token=demo>/m);
      expect(mail?.raw).toMatch(/^Subject: Booked: Evening yoga/m);
    } finally {
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
  it('with Stripe test-mode and Google credentials the demo runs on the real adapters, and says what it cannot do', async () => {
    const { stdout, report } = await runDemoOnProviders({
      STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_WHSEC,
      GOOGLE_ACCESS_TOKEN: FAKE_GOOGLE_TOKEN,
    });
    const { titles, out } = demoSteps(stdout);
    expect(titles).toEqual(DEMO_TITLES);
    expect(stdout).toContain('STRIPE_SECRET_KEY set (test mode)');
    expect(stdout).toContain('GOOGLE_ACCESS_TOKEN set: the class series goes into your Google calendar "primary"');
    // 4: a real Checkout Session and a real PaymentIntent left in requires_action, and why it stays there.
    expect(out(4)).toMatch(/\$431\.84 for booking_42 at https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_\w+ \(Stripe test mode/);
    expect(out(4)).toMatch(/payment (pi_\w+), .*test card pm_card_authenticationRequired\) → requires_action, next action: authenticate/);
    expect(out(4)).toMatch(/the buyer's challenge cannot be completed from a script: pi_\w+ stays requires_action/);
    expect(out(4)).not.toContain('events: payment.requires_action → payment.succeeded');
    // 5: the real event from the Events API, delivery simulated with the whsec, verified twice, applied once.
    expect(out(5)).toMatch(
      /payment_intent\.requires_action evt_\w+ \(next_action use_stripe_sdk\) fetched from the Events API: a webhook cannot reach this machine/,
    );
    expect(out(5)).toContain("signed with your STRIPE_WEBHOOK_SECRET by Stripe's test helper, sent twice");
    expect(out(5)).toContain('→ verified twice as payment.requires_action, applied 1 time (booking_42 waits for the buyer)');
    expect(out(5)).toContain('the demo confirms booking_42 itself → confirmed');
    // 6: the series in the Google calendar next to what was already there; only its classes listed; deleted at the end.
    expect(out(6)).toMatch(/series (\w+) for booking_42: synced 2 change\(s\) \(upsert, upsert\); a second sync delivers 0/);
    expect(out(6)).toContain('(in Google calendar "primary": a first, full sync also delivers the events already there)');
    expect(out(6)).toContain('2026-03-03T18:00 America/New_York = 2026-03-03T18:00:00-05:00');
    expect(out(6)).toContain('2026-03-10T18:00 America/New_York = 2026-03-10T18:00:00-04:00');
    expect(out(6)).not.toContain('2026-03-05');
    const seriesId = /series (\w+) for booking_42/.exec(out(6))?.[1];
    expect(stdout).toContain(`(The demo's class series ${seriesId} was deleted again from your Google calendar.)`);
    // 7-9 stay on the fakes; 10: the real key is redacted.
    expect(out(8)).toContain('suppressed (hard_bounce)');
    expect(out(10)).toContain('"apiKey":"sk_test_****0000"');
    expect(stdout).not.toContain(FAKE_STRIPE_KEY);
    expect(stdout).not.toContain(FAKE_WHSEC);
    expect(stdout).not.toContain(FAKE_GOOGLE_TOKEN);
    expect(stdout).toContain('Demo finished: payments on Stripe test mode, the calendar on Google; the rest ran on embedded defaults.');

    // The real adapters made these calls (through the stripe and googleapis SDKs), and Stripe's rules held.
    expect(report.stripeViolations).toEqual([]);
    expect(report.stripeCreated.payment_intents).toBe(1);
    const stripeCalls = report.calls.filter((c) => c.includes('api.stripe.com'));
    expect(stripeCalls.slice(0, 2)).toEqual(['POST api.stripe.com/v1/checkout/sessions', 'POST api.stripe.com/v1/payment_intents']);
    // The event is not listed at once (as on Stripe): the demo asked again.
    expect(report.eventsRequests).toHaveLength(2);
    for (const r of report.eventsRequests) {
      expect(r).toEqual({ type: 'payment_intent.requires_action', stripeVersion: '2026-02-25.clover', authorized: true });
    }
    const googleCalls = report.calls.filter((c) => c.includes('googleapis.com'));
    expect(googleCalls[0]).toBe('POST www.googleapis.com/calendar/v3/calendars/primary/events');
    expect(googleCalls.filter((c) => c === 'GET www.googleapis.com/calendar/v3/calendars/primary/events').length).toBeGreaterThanOrEqual(3);
    expect(googleCalls.at(-1)).toBe(`DELETE www.googleapis.com/calendar/v3/calendars/primary/events/${seriesId}`);
    expect(report.googleBearers).toEqual([`Bearer ${FAKE_GOOGLE_TOKEN}`]);
    expect(report.tokenRequests).toEqual([]);
  }, 90_000);

  it('with a Google refresh token, switchyard/oauth refreshes once and the calendar calls carry the new token', async () => {
    const { stdout, report } = await runDemoOnProviders({
      GOOGLE_REFRESH_TOKEN: '1//switchyard-demo-refresh-token',
      GOOGLE_CLIENT_ID: 'demo-client.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'GOCSPX-switchyard-demo-secret',
    });
    expect(stdout).toContain(
      'GOOGLE_REFRESH_TOKEN set (switchyard/oauth refreshes the access token): the class series goes into your Google calendar',
    );
    const { titles, out } = demoSteps(stdout);
    expect(titles).toEqual(DEMO_TITLES);
    expect(out(6)).toMatch(/synced 2 change\(s\) \(upsert, upsert\); a second sync delivers 0/);
    expect(out(6)).toContain('2026-03-17T18:00 America/New_York = 2026-03-17T18:00:00-04:00');
    // One refresh for the whole run (the token is then valid for an hour), with the client's credentials.
    expect(report.tokenRequests).toEqual([
      {
        grant_type: 'refresh_token',
        refresh_token: '1//switchyard-demo-refresh-token',
        client_id: 'demo-client.apps.googleusercontent.com',
        client_secret: 'matches',
      },
    ]);
    expect(report.googleBearers).toEqual(['Bearer ya29.refreshed-by-switchyard-oauth']);
    // Payments had no key: the fake, and nothing reached Stripe.
    expect(report.calls.some((c) => c.includes('api.stripe.com'))).toBe(false);
    expect(stdout).not.toContain('GOCSPX-switchyard-demo-secret');
    expect(stdout).toContain('Demo finished: the calendar on Google; the rest ran on embedded defaults.');
  }, 90_000);

  it('without STRIPE_WEBHOOK_SECRET the delivery is signed with a one-off local whsec, and says so', async () => {
    const { stdout, report } = await runDemoOnProviders({ STRIPE_SECRET_KEY: FAKE_STRIPE_KEY });
    expect(demoSteps(stdout).titles).toEqual(DEMO_TITLES);
    expect(demoSteps(stdout).out(5)).toContain('signed with a one-off local whsec_ (set STRIPE_WEBHOOK_SECRET to use yours)');
    expect(demoSteps(stdout).out(5)).toContain('verified twice as payment.requires_action, applied 1 time');
    // No Google token: the calendar stays on the fake, which never calls Google.
    expect(report.calls.some((c) => c.includes('googleapis.com'))).toBe(false);
    expect(demoSteps(stdout).out(6)).toContain('synced 1 change(s) (upsert)');
    expect(stdout).toContain('Demo finished: payments on Stripe test mode; the rest ran on embedded defaults.');
  }, 90_000);

  it('a live Stripe key is never used: payments stay on the fake and nothing reaches Stripe', async () => {
    const { stdout, report } = await runDemoOnProviders({ STRIPE_SECRET_KEY: 'sk_live_51SwitchyardDemoLiveKeyNeverUsed00' });
    expect(stdout).toContain('STRIPE_SECRET_KEY is not a test-mode key: the demo never charges real cards, so payments run on the fake.');
    expect(report.calls).toEqual([]);
    const { titles, out } = demoSteps(stdout);
    expect(titles).toEqual(DEMO_TITLES);
    expect(out(4)).toContain('events: payment.requires_action → payment.succeeded → checkout.completed');
    expect(stdout).not.toContain('sk_live_51SwitchyardDemoLiveKeyNeverUsed00');
    expect(stdout).toContain('Demo finished: every step above ran on embedded defaults.');
  }, 90_000);
});
