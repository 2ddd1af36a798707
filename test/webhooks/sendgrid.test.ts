/**
 * SendGrid signed Event Webhook: differential against @sendgrid/eventwebhook (its own ECDSA
 * implementation, starkbank-ecdsa), with keys and signatures made by node:crypto; plus the
 * timestamp window SendGrid's helper lacks and malformed keys and signatures.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { describe, expect, it } from 'vitest';
import { verifySendGridWebhook } from '../../src/webhooks/index.js';
import { expectCode, NOW_S, now } from './helpers.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKeyB64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });

// SendGrid posts a JSON array with CRLF after each event; the signature covers exactly those bytes.
const body = `[{"email":"a@example.com","timestamp":${NOW_S},"event":"delivered","sg_event_id":"e1"}\r\n,{"email":"b@example.com","timestamp":${NOW_S},"event":"bounce","sg_event_id":"e2"}\r\n]\r\n`;

function signBody(ts: string, payload: string, key = privateKey): string {
  return sign('sha256', Buffer.from(ts + payload), key).toString('base64');
}

const headers = (signature: string, ts: string) => ({
  'X-Twilio-Email-Event-Webhook-Signature': signature,
  'X-Twilio-Email-Event-Webhook-Timestamp': ts,
});

async function ours(payload: string, signature: string, ts: string): Promise<boolean> {
  try {
    await verifySendGridWebhook({ body: payload, headers: headers(signature, ts) }, { publicKey: publicKeyB64, now });
    return true;
  } catch {
    return false;
  }
}

describe('verifySendGridWebhook against @sendgrid/eventwebhook', () => {
  const ew = new EventWebhook();
  const key = ew.convertPublicKeyToECDSA(publicKeyPem);
  const ts = String(NOW_S);
  const good = signBody(ts, body);
  const cases: Array<[string, string, string, string]> = [
    ['valid', body, good, ts],
    ['tampered body', body.replace('bounce', 'open'), good, ts],
    ['CRLF normalised to LF', body.replace(/\r\n/g, '\n'), good, ts],
    ['other timestamp', body, good, String(NOW_S - 1)],
    ['signed by another key', body, signBody(ts, body, other.privateKey), ts],
    ['signature of another body', body, signBody(ts, '[]'), ts],
    ['garbage signature', body, 'MEUCIQD', ts],
  ];
  it.each(cases)('%s: same verdict as EventWebhook.verifySignature', async (_name, payload, signature, t) => {
    let official: boolean;
    try {
      official = ew.verifySignature(key, payload, signature, t);
    } catch {
      official = false;
    }
    expect(await ours(payload, signature, t)).toBe(official);
  });

  it('returns the events and the signed timestamp', async () => {
    const result = await verifySendGridWebhook({ body, headers: headers(good, ts) }, { publicKey: publicKeyB64, now });
    expect(result.provider).toBe('sendgrid');
    expect(result.timestamp).toBe(NOW_S);
    expect(result.payload.map((e) => e.sg_event_id)).toEqual(['e1', 'e2']);
  });

  it('accepts the key wrapped in PEM too', async () => {
    await expect(verifySendGridWebhook({ body, headers: headers(good, ts) }, { publicKey: publicKeyPem, now })).resolves.toBeTruthy();
  });
});

describe("verifySendGridWebhook: what SendGrid's helper does not check", () => {
  it('a validly signed but stale batch is timestamp_out_of_tolerance', async () => {
    const ts = String(NOW_S - 3600);
    const signature = signBody(ts, body);
    expect(new EventWebhook().verifySignature(new EventWebhook().convertPublicKeyToECDSA(publicKeyPem), body, signature, ts)).toBe(true);
    await expectCode(
      verifySendGridWebhook({ body, headers: headers(signature, ts) }, { publicKey: publicKeyB64, now }),
      'timestamp_out_of_tolerance',
    );
  });

  it.each([
    ['not base64', 'not base64!'],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    ],
    [
      'a P-384 key',
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    ],
    ['empty', ''],
  ])('publicKey that is %s is invalid_config', async (_name, bad) => {
    const ts = String(NOW_S);
    await expectCode(verifySendGridWebhook({ body, headers: headers(signBody(ts, body), ts) }, { publicKey: bad, now }), 'invalid_config');
  });

  it('a DER signature with trailing bytes is rejected', async () => {
    const ts = String(NOW_S);
    const der = Buffer.concat([Buffer.from(signBody(ts, body), 'base64'), Buffer.from([0])]);
    expect(await ours(body, der.toString('base64'), ts)).toBe(false);
  });

  it('missing headers are invalid_input', async () => {
    await expectCode(verifySendGridWebhook({ body, headers: {} }, { publicKey: publicKeyB64, now }), 'invalid_input');
  });
});
