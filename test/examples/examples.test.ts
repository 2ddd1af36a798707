/**
 * Every example must run against the fakes with no credentials in the environment: an example
 * that no longer runs is a bug. The demo's narration is checked step by step.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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

  it('the demo narrates each step in order', async () => {
    const { stdout } = await runExample('demo.ts');
    const steps = [...stdout.matchAll(/^\[(\d+)\] (.+)$/gm)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
    expect(stdout).toContain('invalid_input: EUR has 2 decimal places');
    expect(stdout).toContain('first claim: true, retried claim: false');
    expect(stdout).not.toContain('4eC39HqLyjWDarjtT1zd');
    expect(stdout).toContain('events: payment.requires_action → payment.succeeded → checkout.completed');
    expect(stdout).toMatch(/checkout\.completed evt_\w+ verified twice → booking confirmed 1 time/);
    // Calendar: the weekly class keeps 18:00 local across the DST change; the offset moves.
    expect(stdout).toContain('2026-03-03T18:00 America/New_York = 2026-03-03T18:00:00-05:00');
    expect(stdout).toContain('2026-03-10T18:00 America/New_York = 2026-03-10T18:00:00-04:00');
    expect(stdout).toMatch(/a second sync delivers 0/);
    // Notifications: bounce → suppression → SMS fallback → delivery event.
    expect(stdout).toMatch(/List-Unsubscribe: <https:\/\/studio\.example\/unsubscribe\?token=demo>/);
    expect(stdout).toMatch(/verified hard bounce → ada@example\.com suppressed/);
    expect(stdout).toMatch(/SMS delivery event → status delivered/);
    expect(stdout).toMatch(/Demo finished/);
  }, 90_000);
});
