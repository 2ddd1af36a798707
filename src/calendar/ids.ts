/**
 * Client-chosen event ids. Google accepts ids of base32hex characters (a-v, 0-9), 5 to 1024 long,
 * and answers 409 to a second create with the same id: choosing the id on our side turns a retried
 * create into a duplicate-id conflict instead of a duplicate event.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuv';

function base32hex(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A random 26-character base32hex id (128 bits), valid as an event id on every provider.
 *
 * @example
 * const event = await provider.createEvent('primary', { id: newEventId(), ...input });
 */
export function newEventId(): string {
  return base32hex(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * A stable id derived from the host's own key (`booking:42`): the same booking always maps to the
 * same event id, so a create retried by a job runner after a crash cannot duplicate the event.
 *
 * @example
 * const id = await eventIdFromKey(`booking:${booking.id}`);
 * await provider.createEvent('primary', { id, ...input }); // a retry returns the same event
 */
export async function eventIdFromKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`switchyard:event:${key}`));
  return base32hex(new Uint8Array(digest).slice(0, 20));
}

/** A short digest of an event input, stored with a create so a retried create can be told from a different one with the same id. */
export async function inputFingerprint(value: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(value)));
  return base32hex(new Uint8Array(digest).slice(0, 15));
}
