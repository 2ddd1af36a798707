/**
 * The node:crypto path and the Web Crypto path must give the same verdicts. The same scenarios
 * (one valid and one forged request per provider) run on both; the node path must actually be the
 * one taken on Node.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { backendName, useWebCryptoOnly } from '../../src/webhooks/crypto.js';
import {
  createReplayGuard,
  verifyGoogleChannel,
  verifyGraphNotification,
  verifyMailgunWebhook,
  verifySendGridWebhook,
  verifySnsMessage,
  verifyStandardWebhook,
  verifyStripeWebhook,
  verifyTwilioWebhook,
} from '../../src/webhooks/index.js';
import { buildScenarios, realOptions } from './scenarios.js';

const scenarios = buildScenarios();
const verifiers: Record<string, (raw: never, options: never) => Promise<unknown>> = {
  verifyStripeWebhook,
  verifyStandardWebhook,
  verifyTwilioWebhook,
  verifySendGridWebhook,
  verifyMailgunWebhook,
  verifySnsMessage,
  verifyGraphNotification,
  verifyGoogleChannel,
};

async function run(s: (typeof scenarios)[number]): Promise<string> {
  const verify = verifiers[s.verifier] as (raw: unknown, options: unknown) => Promise<unknown>;
  // Mailgun tokens are remembered: a fresh guard per run, so both back ends see a first delivery.
  const options = realOptions(s.options);
  if (s.verifier === 'verifyMailgunWebhook') options.replayGuard = createReplayGuard();
  try {
    await verify(s.raw, options);
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

afterAll(() => useWebCryptoOnly(false));

describe.each([
  ['node:crypto', false],
  ['Web Crypto', true],
])('%s back end', (_name, web) => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_n, s) => {
    useWebCryptoOnly(web);
    expect(await run(s)).toBe(s.expect);
    expect(backendName()).toBe(web ? 'web' : 'node');
  });
});

it('has a valid and a forged case for every provider', () => {
  const verifiers = new Set(scenarios.map((s) => s.verifier));
  expect(verifiers.size).toBe(8);
  for (const v of verifiers) expect(new Set(scenarios.filter((s) => s.verifier === v).map((s) => s.expect === 'ok')).size).toBe(2);
});
