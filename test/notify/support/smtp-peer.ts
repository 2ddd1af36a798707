/**
 * A real SMTP peer for tests: the `smtp-server` package on a loopback port, with STARTTLS (a
 * self-signed certificate made with openssl for this run) and AUTH PLAIN/LOGIN. It keeps every
 * message's raw bytes, counts connections (to observe pooling), and can be told to answer the
 * next RCPT or DATA with an SMTP error code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  from: string | undefined;
  to: string[];
  user: string | undefined;
  secure: boolean;
}

export interface SmtpPeer {
  port: number;
  cert: string;
  user: string;
  pass: string;
  received: ReceivedMail[];
  connections: number;
  maxConcurrent: number;
  /** Connections open right now (a pooled client keeps some open until it is closed). */
  openConnections(): number;
  /** The next RCPT TO gets this reply code (e.g. 550, 452). */
  failNextRecipient(code: number): void;
  close(): Promise<void>;
}

export function selfSignedLocalhost(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=localhost',
        '-days',
        '2',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSmtpPeer(options: { hideSTARTTLS?: boolean; tls?: { cert: string; key: string } } = {}): Promise<SmtpPeer> {
  const { cert, key } = options.tls ?? selfSignedLocalhost();
  const user = 'booking-app';
  const pass = 'correct horse battery staple';
  let failRcpt: number | undefined;
  let open = 0;
  const peer: SmtpPeer = {
    port: 0,
    cert,
    user,
    pass,
    received: [],
    connections: 0,
    maxConcurrent: 0,
    openConnections: () => open,
    failNextRecipient(code) {
      failRcpt = code;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    key,
    cert,
    secure: false,
    ...(options.hideSTARTTLS ? { hideSTARTTLS: true, disabledCommands: ['STARTTLS'] } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    // AUTH only after STARTTLS: credentials never cross in clear.
    allowInsecureAuth: false,
    logger: false,
    size: 1024 * 1024,
    onConnect(_session, callback) {
      peer.connections++;
      open++;
      peer.maxConcurrent = Math.max(peer.maxConcurrent, open);
      callback();
    },
    onClose() {
      open--;
    },
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (failRcpt !== undefined) {
        const code = failRcpt;
        failRcpt = undefined;
        return callback(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        peer.received.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          secure: session.secure,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  peer.port = ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port;
  return peer;
}
