/**
 * Notifications. Two tables, each with its anchor measured in the same run:
 * 1. Throughput to a local SMTP server (smtp-server on loopback, no TLS so the transport itself is
 *    measured): `createSmtpEmail` (pooled, 5 connections, sends in flight together) against plain
 *    nodemailer sending one by one (one connection per message, its default). Target: at least
 *    the throughput of plain nodemailer. NOTIFY_BENCH_EMAILS sets the count (default 10,000 for
 *    ours; the one-by-one anchor sends a fiftieth of that and nodemailer's own pool a tenth, as
 *    they are slow: smtp-server pauses 100 ms before its greeting, like a real MTA catching early
 *    talkers, and Nagle + delayed ACK stall each message ~40 ms on a socket without TCP_NODELAY).
 * 2. Dispatch overhead per message of `send()` on a fake transport: the bare transport call is the
 *    anchor; rows add validation (fake), the durable once-per-key guard, and the full fallback
 *    strategy (memory store). Target: < 50 µs per message.
 */
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createFakeNotifier, fallback, guardSends, type NotifyMessage } from '../src/notify/index.js';
import { createSmtpEmail } from '../src/notify/smtp/index.js';
import { createMemoryStore } from '../src/stores/index.js';
import { type Measurement, measure, report } from './harness.js';

const EMAILS = Number(process.env.NOTIFY_BENCH_EMAILS ?? 10_000);
const ANCHOR_EMAILS = Math.max(50, Math.round(EMAILS / 50));
const POOL_EMAILS = Math.max(100, Math.round(EMAILS / 10));

async function smtpServer(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  // Without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to each SMTP round trip on loopback.
  (server as unknown as { server: { on(e: 'connection', f: (s: { setNoDelay(v: boolean): void }) => void): void } }).server.on(
    'connection',
    (socket) => socket.setNoDelay(true),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server as unknown as { server: { address(): { port: number } } }).server.address().port;
  return { port, received: () => received, close: () => new Promise((r) => server.close(() => r())) };
}

function throughput(name: string, count: number, ms: number): Measurement {
  const opsPerSecond = (count / ms) * 1000;
  return { name, opsPerSecond, medianMicros: 1e6 / opsPerSecond };
}

const mail = (i: number) => ({ from: 'bench@studio.example', to: `p${i}@example.com`, subject: `Booking ${i}`, text: 'See you at 10:00.' });

async function smtpTable(): Promise<void> {
  const server = await smtpServer();
  try {
    const plain = nodemailer.createTransport({ host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true });
    let t = performance.now();
    for (let i = 0; i < ANCHOR_EMAILS; i++) await plain.sendMail(mail(i));
    const anchor = throughput(
      `plain nodemailer, one by one (${ANCHOR_EMAILS.toLocaleString('en-US')} emails)`,
      ANCHOR_EMAILS,
      performance.now() - t,
    );
    plain.close();

    const pool = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 5,
    });
    t = performance.now();
    await Promise.all(Array.from({ length: POOL_EMAILS }, (_, i) => pool.sendMail(mail(i))));
    const plainPooled = throughput(
      `plain nodemailer, pool: true ×5 (${POOL_EMAILS.toLocaleString('en-US')} emails)`,
      POOL_EMAILS,
      performance.now() - t,
    );
    pool.close();

    const ours = createSmtpEmail({
      host: '127.0.0.1',
      port: server.port,
      requireTLS: false,
      from: 'bench@studio.example',
      pool: { maxConnections: 5 },
    });
    const before = server.received();
    t = performance.now();
    // In flight together, in windows of 500 so memory stays flat.
    for (let start = 0; start < EMAILS; start += 500) {
      const batch: Promise<unknown>[] = [];
      for (let i = start; i < Math.min(EMAILS, start + 500); i++) {
        batch.push(
          ours.send(
            { channel: 'email', to: `p${i}@example.com`, subject: `Booking ${i}`, text: 'See you at 10:00.' },
            { idempotencyKey: `bench-${i}` },
          ),
        );
      }
      await Promise.all(batch);
    }
    const pooled = throughput(
      `switchyard createSmtpEmail, pooled ×5 (${EMAILS.toLocaleString('en-US')} emails)`,
      EMAILS,
      performance.now() - t,
    );
    await ours.close();
    if (server.received() - before !== EMAILS) throw new Error(`expected ${EMAILS} emails, the server got ${server.received() - before}`);
    report('notify: emails per second to a local SMTP server (ratio < 1 = faster than the anchor)', anchor, [plainPooled, pooled]);
  } finally {
    await server.close();
  }
}

async function dispatchTable(): Promise<void> {
  const sms: NotifyMessage = { channel: 'sms', to: '+14155550100', body: 'Booked: Morning yoga at 10:00.' };
  let n = 0;
  const sink: unknown[] = [];
  // The anchor: what a transport does at minimum (record the message, hand back an id).
  const bare = async (message: NotifyMessage) => {
    sink.push(message);
    if (sink.length > 10_000) sink.length = 0;
    return { id: n++ };
  };
  const anchor = await measure('bare transport call', () => bare(sms), { batch: 1000 });
  const fake = createFakeNotifier({ channels: ['sms'] });
  const reset = () => {
    if (fake.sent.length > 10_000) fake.reset();
  };
  const rows: Measurement[] = [];
  rows.push(
    await measure(
      'fake.send (validation + record)',
      () => {
        reset();
        return fake.send(sms, { idempotencyKey: `a${n++}` });
      },
      { batch: 1000 },
    ),
  );
  const guarded = guardSends(fake, { store: createMemoryStore() });
  rows.push(
    await measure(
      'guardSends(fake), memory store, new key',
      () => {
        reset();
        return guarded.send(sms, { idempotencyKey: `b${n++}` });
      },
      {
        batch: 500,
      },
    ),
  );
  const strategy = fallback([fake], { store: createMemoryStore() });
  rows.push(
    await measure(
      'fallback([fake]), memory store, new key',
      () => {
        reset();
        return strategy.send({ sms }, { idempotencyKey: `c${n++}` });
      },
      {
        batch: 500,
      },
    ),
  );
  report('notify: dispatch overhead of send() per message (target < 50 µs)', anchor, rows);
}

await dispatchTable();
await smtpTable();
