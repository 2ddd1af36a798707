/**
 * A local HTTPS push service (RFC 8030) and a browser's side of a subscription: the test holds the
 * user agent's ECDH key and auth secret, so it can decrypt what the adapter sent (RFC 8291,
 * aes128gcm from RFC 8188) and check the VAPID JWT (RFC 8292) with the key the request names.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface PushRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface PushService {
  origin: string;
  requests: PushRequest[];
  /** Answer requests to this path with this status (e.g. 410 for a gone subscription). */
  statusFor: Map<string, number>;
  close(): Promise<void>;
}

export async function startPushService(tls: { cert: string; key: string }): Promise<PushService> {
  const requests: PushRequest[] = [];
  const statusFor = new Map<string, number>();
  let n = 0;
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = statusFor.get(req.url ?? '') ?? 201;
      res.writeHead(status, status === 201 ? { location: `https://localhost/m/${++n}` } : { 'content-type': 'text/plain' });
      res.end(status === 201 ? '' : 'gone');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { origin: `https://localhost:${port}`, requests, statusFor, close: () => new Promise((r) => server.close(() => r())) };
}

/** A browser subscription: the public parts go to the server, the private parts stay here. */
export function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    subscription: { endpoint, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
    ecdh,
    auth,
  };
}

/** RFC 8291 §3.4 + RFC 8188: decrypt a single-record aes128gcm body. */
export function decryptPush(body: Buffer, ua: { ecdh: ReturnType<typeof createECDH>; auth: Buffer }): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20] as number;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (ciphertext.length > rs) throw new Error('more than one record');
  const ecdhSecret = ua.ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.ecdh.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, ua.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 followed by zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('bad padding delimiter');
  return padded.subarray(0, end).toString('utf8');
}

/** RFC 8292: `Authorization: vapid t=<JWT>, k=<public key>`; the JWT is ES256 over the key. */
export function checkVapid(authorization: string | undefined, audience: string, nowS: number): { sub: string; k: string } {
  const m = /^vapid t=([^,]+),\s*k=(.+)$/.exec(authorization ?? '');
  if (!m) throw new Error('not a vapid authorization');
  const [, jwt, k] = m as unknown as [string, string, string];
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const raw = Buffer.from(k, 'base64url');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')))
    throw new Error('bad VAPID signature');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  if (header.alg !== 'ES256') throw new Error('alg');
  if (claims.aud !== audience) throw new Error(`aud ${claims.aud}`);
  if (!(claims.exp > nowS && claims.exp <= nowS + 86_400)) throw new Error('exp');
  return { sub: claims.sub, k };
}
