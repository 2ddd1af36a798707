/**
 * Every example must run against the fakes with no credentials in the environment: an example
 * that no longer runs is a bug. The demo's narration is checked step by step.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    const steps = [...stdout.matchAll(/^\[(\d+)\] (.+)$/gm)].map((m) => [Number(m[1]), m[2]] as const);
    expect(steps.map(([n]) => n)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.map(([, title]) => title)).toEqual([
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
    ]);
    // The output of step n: from its title to the next step.
    const out = (n: number) =>
      stdout.slice(stdout.indexOf(`[${n}] `), stdout.indexOf(`[${n + 1}] `) >= 0 ? stdout.indexOf(`[${n + 1}] `) : undefined);
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
});
