/**
 * A DKIM verifier for tests (RFC 6376, rsa-sha256, relaxed/relaxed, the canonicalization nodemailer
 * signs with), written from the RFC so the SMTP test proves what a receiver will check: the
 * signature covers List-Unsubscribe and List-Unsubscribe-Post, and tampering with them breaks it.
 */
import { createHash, type KeyObject, verify } from 'node:crypto';

function splitMessage(raw: string): { headers: string[]; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at === -1 ? raw : raw.slice(0, at);
  const body = at === -1 ? '' : raw.slice(at + 4);
  // One entry per header field, folded continuation lines kept with their field.
  const headers: string[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers[headers.length - 1] += `\r\n${line}`;
    else headers.push(line);
  }
  return { headers, body };
}

function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}

export function verifyDkim(raw: string, publicKey: KeyObject): { ok: boolean; signedHeaders: string[] } {
  const { headers, body } = splitMessage(raw);
  const sigField = headers.find((h) => /^dkim-signature:/i.test(h));
  if (!sigField) return { ok: false, signedHeaders: [] };
  const tags = Object.fromEntries(
    relaxedHeader(sigField)
      .slice('dkim-signature:'.length)
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1).replace(/\s+/g, '')]),
  ) as Record<string, string>;
  if (tags.a !== 'rsa-sha256' || tags.c !== 'relaxed/relaxed') return { ok: false, signedHeaders: [] };
  const bodyHash = createHash('sha256').update(relaxedBody(body)).digest('base64');
  if (bodyHash !== tags.bh) return { ok: false, signedHeaders: [] };
  const names = (tags.h ?? '').toLowerCase().split(':');
  const pool = headers.filter((h) => h !== sigField);
  let data = '';
  for (const name of names) {
    // The last not-yet-used instance of the field, from the bottom up (RFC 6376 §5.4.2).
    for (let i = pool.length - 1; i >= 0; i--) {
      const field = pool[i] as string;
      if (field.slice(0, field.indexOf(':')).trim().toLowerCase() === name) {
        data += `${relaxedHeader(field)}\r\n`;
        pool.splice(i, 1);
        break;
      }
    }
  }
  data += relaxedHeader(sigField)
    .replace(/b=[^;]*$/, 'b=')
    .replace(/(;\s*)b=[^;]*(;|$)/, '$1b=$2');
  const ok = verify('sha256', Buffer.from(data), publicKey, Buffer.from(tags.b ?? '', 'base64'));
  return { ok, signedHeaders: names };
}
