/**
 * The consent loop end to end: a bulk email sent over real SMTP carries a signed one-click link;
 * a mail scanner's GET does nothing; the mailbox provider's RFC 8058 POST to that exact URL
 * suppresses the address; the next notification goes by SMS instead.
 */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFakeNotifier,
  createSuppressionList,
  createUnsubscribeHandler,
  createUnsubscribeTokens,
  fallback,
  unsubscribeUrl,
} from '../../src/notify/index.js';
import { createSmtpEmail, type SmtpEmail } from '../../src/notify/smtp/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

let peer: SmtpPeer;
let smtp: SmtpEmail;
beforeAll(async () => {
  peer = await startSmtpPeer();
  smtp = createSmtpEmail({
    host: 'localhost',
    port: peer.port,
    auth: { user: peer.user, pass: peer.pass },
    tls: { ca: peer.cert },
    from: 'news@studio.example',
  });
});
afterAll(async () => {
  await smtp?.close();
  await peer?.close();
});

describe('one-click unsubscribe, end to end', () => {
  it('email → List-Unsubscribe URL → GET does nothing → POST suppresses → next time SMS', async () => {
    const store = createMemoryStore();
    const suppression = createSuppressionList({ store, hashKey: 'test-suppression-hash-key-0123456789abcdef' });
    const tokens = createUnsubscribeTokens({ keys: [{ id: 'k1', secret: 'an-end-to-end-secret-of-32-bytes-min' }] });
    const handler = createUnsubscribeHandler({ tokens, suppression });
    const sms = createFakeNotifier({ provider: 'sms', channels: ['sms'] });
    const notify = fallback([smtp, sms], { store, suppression });
    const weekly = async (week: number) =>
      notify.send(
        {
          email: {
            to: 'ada@example.com',
            subject: `Week ${week} schedule`,
            text: 'Your classes this week.',
            category: 'bulk',
            unsubscribe: {
              url: unsubscribeUrl(
                'https://studio.example/unsubscribe',
                await tokens.create({ channel: 'email', address: 'ada@example.com', list: 'weekly' }),
              ),
            },
          },
          sms: { to: '+14155550100', body: `Week ${week}: your classes are in the app.` },
        },
        { idempotencyKey: `weekly:${week}:ada` },
      );

    const first = await weekly(48);
    expect(first.channel).toBe('email');
    const raw = peer.received.at(-1)?.raw ?? '';
    expect((await simpleParser(raw)).subject).toBe('Week 48 schedule');
    // The header as a mailbox provider reads it: unfolded, first <https:…> entry.
    const head = (raw.split('\r\n\r\n')[0] ?? '').replace(/\r\n[ \t]+/g, ' ');
    const header = head.match(/^List-Unsubscribe: *<([^>]+)>/m)?.[1] ?? '';
    expect(header).toMatch(/^https:\/\/studio\.example\/unsubscribe\?token=v1\./);

    expect((await handler(new Request(header))).status).toBe(200); // a link scanner
    expect(await suppression.get('email', 'ada@example.com')).toBeUndefined();
    const oneClick = await handler(
      new Request(header, {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(oneClick.status).toBe(200);
    expect(await suppression.get('email', 'ada@example.com')).toMatchObject({ reason: 'unsubscribed' });

    const before = peer.received.length;
    const next = await weekly(49);
    expect(next.channel).toBe('sms');
    expect(next.attempts[0]).toMatchObject({ channel: 'email', state: 'skipped', reason: 'suppressed' });
    expect(peer.received.length).toBe(before);
  });
});
