import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeNotifier, type EmailMessage, failover } from '../../src/notify/index.js';
import { createSmtpEmail, type SmtpEmail } from '../../src/notify/smtp/index.js';
import { describeNotifierConformance } from '../conformance/notify.js';
import { verifyDkim } from './support/dkim.js';
import { type SmtpPeer, selfSignedLocalhost, startSmtpPeer } from './support/smtp-peer.js';

const tls = selfSignedLocalhost();
const connect = (peer: SmtpPeer, extra: Partial<Parameters<typeof createSmtpEmail>[0]> = {}) =>
  createSmtpEmail({
    host: 'localhost',
    port: peer.port,
    auth: { user: peer.user, pass: peer.pass },
    tls: { ca: peer.cert },
    from: { email: 'bookings@studio.example', name: 'Studio' },
    ...extra,
  });

describeNotifierConformance(
  'smtp (real smtp-server, STARTTLS + AUTH)',
  async () => {
    const peer = await startSmtpPeer({ tls });
    const notifier = connect(peer);
    return {
      notifier,
      messages: { email: { channel: 'email', to: 'ada@example.com', subject: 'Booking confirmed', text: 'See you at 10:00' } },
      delivered: () => peer.received.length,
      inject: (fault) =>
        peer.failNextRecipient({ rate_limited: 452, unavailable: 451, rejected_recipient: 550, authentication: 535 }[fault]),
      close: () => peer.close(),
    };
  },
  { faults: ['rate_limited', 'unavailable', 'rejected_recipient'] },
);

describe('smtp adapter against a real SMTP server', () => {
  let peer: SmtpPeer;
  let email: SmtpEmail;
  beforeAll(async () => {
    peer = await startSmtpPeer({ tls });
    email = connect(peer);
  });
  afterAll(async () => {
    await email?.close();
    await peer?.close();
  });

  const bulk: EmailMessage = {
    channel: 'email',
    to: { email: 'ada@example.com', name: 'Ada Lovelace' },
    replyTo: 'desk@studio.example',
    subject: 'Your weekly schedule — Café class',
    text: 'Hello Ada, here is your schedule.',
    html: '<p>Hello Ada, here is your <b>schedule</b>.</p>',
    category: 'bulk',
    unsubscribe: { url: 'https://studio.example/unsubscribe?token=abc', mailto: 'unsubscribe@studio.example' },
    headers: { 'X-Booking-Id': 'b-42' },
  };

  it('sends over STARTTLS with AUTH: headers, multipart/alternative MIME, List-Unsubscribe', async () => {
    const before = peer.received.length;
    const result = await email.send(bulk, { idempotencyKey: 'weekly-2026-48:ada' });
    const got = peer.received[before];
    expect(got?.secure).toBe(true);
    expect(got?.user).toBe(peer.user);
    expect(got?.to).toEqual(['ada@example.com']);
    expect(got?.from).toBe('bookings@studio.example');
    const parsed = await simpleParser(got?.raw ?? '');
    expect(parsed.subject).toBe('Your weekly schedule — Café class');
    expect(parsed.messageId).toBe(result.providerMessageId);
    expect(result.providerMessageId).toMatch(/^<[0-9a-f]{32}@studio\.example>$/);
    expect(got?.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(got?.raw).toMatch(
      /^List-Unsubscribe: <https:\/\/studio\.example\/unsubscribe\?token=abc>,\s+<mailto:unsubscribe@studio\.example\?subject=unsubscribe>/m,
    );
    expect(parsed.headers.get('x-booking-id')).toBe('b-42');
    expect(parsed.replyTo?.text).toBe('desk@studio.example');
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(parsed.text?.trim()).toBe('Hello Ada, here is your schedule.');
    expect(parsed.html).toContain('<b>schedule</b>');
    expect(result.status).toBe('accepted');
  });

  it('the same idempotency key gives the same Message-ID', async () => {
    const a = await email.send({ ...bulk, category: 'transactional' }, { idempotencyKey: 'same' });
    const b = await email.send({ ...bulk, category: 'transactional' }, { idempotencyKey: 'same' });
    expect(a.providerMessageId).toBe(b.providerMessageId);
  });

  it('pools connections: 20 concurrent sends over at most 2 connections', async () => {
    const pooledPeer = await startSmtpPeer({ tls });
    const pooled = connect(pooledPeer, { pool: { maxConnections: 2 } });
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          pooled.send({ channel: 'email', to: `p${i}@example.com`, subject: `n${i}`, text: 'x' }, { idempotencyKey: `pool-${i}` }),
        ),
      );
      expect(pooledPeer.received).toHaveLength(20);
      expect(pooledPeer.connections).toBeLessThanOrEqual(2);
    } finally {
      await pooled.close();
      await pooledPeer.close();
    }
  });

  it('failover closes the SMTP pool behind it', async () => {
    const poolPeer = await startSmtpPeer({ tls });
    const smtp = connect(poolPeer, { pool: { maxConnections: 2 } });
    const email = failover([smtp, createFakeNotifier({ provider: 'ses', channels: ['email'] })]);
    try {
      await email.send({ channel: 'email', to: 'ada@example.com', subject: 'Booked', text: 'x' }, { idempotencyKey: 'pool-close' });
      expect(poolPeer.openConnections()).toBeGreaterThan(0);
      await email.close();
      for (let i = 0; i < 100 && poolPeer.openConnections() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(poolPeer.openConnections()).toBe(0);
    } finally {
      await smtp.close();
      await poolPeer.close();
    }
  });

  it('signs List-Unsubscribe and List-Unsubscribe-Post with DKIM (verified per RFC 6376; tampering breaks it)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed = connect(peer, {
      dkim: {
        domainName: 'studio.example',
        keySelector: 's2026',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    try {
      const before = peer.received.length;
      await signed.send(bulk, { idempotencyKey: 'dkim-1' });
      const raw = peer.received[before]?.raw ?? '';
      const result = verifyDkim(raw, publicKey);
      expect(result.ok).toBe(true);
      expect(result.signedHeaders).toEqual(
        expect.arrayContaining(['from', 'subject', 'to', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']),
      );
      expect(raw).toMatch(/d=studio\.example;/);
      // A relay that rewrote the unsubscribe target would break the signature.
      expect(verifyDkim(raw.replace('token=abc', 'token=evil'), publicKey).ok).toBe(false);
      expect(verifyDkim(raw.replace('List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: x'), publicKey).ok).toBe(
        false,
      );
    } finally {
      await signed.close();
    }
  });

  it('wrong credentials are authentication, not retryable', async () => {
    const wrong = connect(peer, { auth: { user: peer.user, pass: 'wrong' } });
    try {
      await expect(wrong.send(bulk, { idempotencyKey: 'auth' })).rejects.toMatchObject({
        code: 'authentication',
        retryable: false,
        provider: 'smtp',
      });
      await expect(wrong.verify()).rejects.toMatchObject({ code: 'authentication' });
    } finally {
      await wrong.close();
    }
  });

  it('a server that does not offer STARTTLS is refused, not sent to in clear text', async () => {
    const plain = await startSmtpPeer({ tls, hideSTARTTLS: true });
    const client = connect(plain);
    try {
      const error = await client.send(bulk, { idempotencyKey: 'plain' }).catch((e) => e);
      expect(error).toMatchObject({ provider: 'smtp', retryable: false });
      expect(plain.received).toHaveLength(0);
    } finally {
      await client.close();
      await plain.close();
    }
  });

  it('a refused connection is unavailable, retryable, and provably not sent', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const client = createSmtpEmail({ host: '127.0.0.1', port, from: 'a@studio.example', timeoutMs: 2000 });
    try {
      await expect(client.send(bulk, { idempotencyKey: 'refused' })).rejects.toMatchObject({
        code: 'unavailable',
        retryable: true,
        details: expect.objectContaining({ notSent: true }),
      });
    } finally {
      await client.close();
    }
  });

  it('bad options are invalid_config naming the field; the password never appears', () => {
    expect(() => createSmtpEmail({ from: 'a@studio.example' })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'host' } }),
    );
    expect(() => createSmtpEmail({ host: 'x', from: 'nope' })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'from' } }),
    );
    expect(() => createSmtpEmail({ host: 'x', port: 70000, from: 'a@b.co' })).toThrow(
      expect.objectContaining({ details: { field: 'port' } }),
    );
    try {
      createSmtpEmail({ url: 'http://user:hunter2secret@x', from: 'a@b.co' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2secret');
      expect(error).toMatchObject({ code: 'invalid_config', details: { field: 'url' } });
    }
  });
});
