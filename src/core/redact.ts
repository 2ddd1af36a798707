/**
 * `redact(value)` returns a copy of `value` in which every secret we can recognise is masked,
 * however deeply it is nested and whether it sits under a telling key (`password`, `authorization`)
 * or inside free text (a URL, an error message, a header dump).
 *
 * Masks keep just enough to recognise the secret in an incident (`sk_live_****abcd`,
 * `Bearer ****`, `****4242`) and never enough to use it.
 */

const MASK = '****';

/** Keys whose values are secrets whatever they look like. Compared case- and separator-insensitively. */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'password',
    'passwd',
    'pwd',
    'pass',
    'secret',
    'client_secret',
    'api_key',
    'api_secret',
    'secret_key',
    'private_key',
    'signing_key',
    'webhook_secret',
    'webhook_secrets',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'session_token',
    'auth_token',
    'twilio_auth_token',
    'x-api-key',
    'x-auth-token',
    'client_state',
    'encryption_key',
    'vapid_private_key',
    'card_number',
    'cvc',
    'cvv',
  ].map(normalizeKey),
);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * Whether a property name holds a secret whatever its value (`password`, `apiKey`, `client_secret`,
 * `Authorization`…): case, `-`, `_` and spaces are ignored. `redact` masks the values under such keys.
 *
 * @example
 * ```ts
 * import { isSecretKey } from 'switchyard';
 *
 * isSecretKey('Client-Secret'); // true
 * isSecretKey('customerId');    // false
 * ```
 */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalizeKey(key));
}

/** Keep the last four characters only when the secret is long enough for that to reveal nothing useful. */
function tail(secret: string): string {
  return secret.length >= 16 ? secret.slice(-4) : '';
}

const AUTH_SCHEME = /^(Bearer|Basic|Digest|Token|AWS4-HMAC-SHA256)$/i;

interface Rule {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

// Order matters: the most specific shapes first, so a Stripe key inside a URL is masked as a Stripe key.
const RULES: Rule[] = [
  // Stripe secret and restricted keys, webhook signing secrets (also Standard Webhooks' whsec_).
  {
    pattern: /\b((?:sk|rk)_(?:live|test)_|whsec_)([A-Za-z0-9+/=_]{6,})/g,
    replace: (_m, prefix: string, body: string) => `${prefix}${MASK}${tail(body)}`,
  },
  // JSON Web Tokens (OAuth id tokens, Microsoft access tokens, FCM assertions).
  {
    pattern: /\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g,
    replace: () => `eyJ${MASK}`,
  },
  // Google OAuth access and refresh tokens.
  {
    pattern: /\b(ya29\.|1\/\/)([A-Za-z0-9_\-.]{8,})/g,
    replace: (_m, prefix: string) => `${prefix}${MASK}`,
  },
  // SendGrid API keys.
  {
    pattern: /\bSG\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: () => `SG.${MASK}`,
  },
  // Authorization header values: Bearer, Basic, Digest, AWS SigV4. The credential must look like one
  // (no spaces, at least 8 characters) so prose such as "the bearer of this message" stays readable.
  {
    pattern: /\b(Bearer|Basic|Digest|AWS4-HMAC-SHA256)(\s+)[^\s"',;]{8,}(?:,\s*[A-Za-z]+=[^\s"',;]+)*/gi,
    replace: (_m, scheme: string, space: string) => `${scheme}${space}${MASK}`,
  },
  // The generic `Token` scheme only where it is clearly a header value.
  {
    pattern: /\b(authorization\s*[:=]\s*Token)(\s+)[^\s"',;]+/gi,
    replace: (_m, head: string, space: string) => `${head}${space}${MASK}`,
  },
  // Credentials in URLs: scheme://user:password@host
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi,
    replace: (_m, head: string) => `${head}${MASK}@`,
  },
  // key=value and "key": "value" pairs in query strings, form bodies, JSON text and log lines.
  {
    pattern:
      /\b((?:access|refresh|id|auth|session|api|client)?[_-]?(?:password|passwd|pwd|secret|token|key|authtoken|clientstate)|authorization|code_verifier)(\\?["']?\s*[:=]\s*\\?["']?)([^\s"'&,;}\\]+)/gi,
    replace: (match: string, key: string, sep: string, value: string) => {
      // `publishable_key=pk_…` or `idempotency_key=…` are not secrets: only mask telling names.
      if (!isSecretKey(key) && !/(password|passwd|pwd|secret|token|authtoken|clientstate|code_verifier)$/i.test(key)) {
        return match;
      }
      // Already masked by a more specific rule (`Authorization: Bearer ****`, `sk_live_****abcd`).
      if (value.includes(MASK) || AUTH_SCHEME.test(value)) return match;
      // `key: value` with a space and no quote reads like prose ("clientState: it must match"):
      // mask only values that look like credentials there. `key=value` and quoted JSON always mask.
      const prose = /:\s/.test(sep) && !/["']/.test(sep);
      if (prose && value.length < 8 && !/\d/.test(value)) return match;
      return `${key}${sep}${MASK}`;
    },
  },
];

// Primary account numbers: 13–19 digits, optionally grouped by spaces or dashes, that pass Luhn.
const PAN = /\b\d(?:[ -]?\d){12,18}\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Redact the secrets recognisable in free text (API keys, bearer tokens, JWTs, URL passwords,
 * `key=value` secrets, card numbers), leaving the prose readable.
 *
 * @example
 * ```ts
 * import { redactString } from 'switchyard';
 *
 * redactString('Authorization: Bearer ya29.a0AfH6SMB…'); // the token is masked, the words stay
 * ```
 */
export function redactString(text: string): string {
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, rule.replace as (substring: string, ...args: unknown[]) => string);
  }
  return out.replace(PAN, (match) => {
    const digits = match.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? `${MASK}${digits.slice(-4)}` : match;
  });
}

/** Mask a value known to be secret because of the key it sits under. */
function maskSecretValue(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (typeof value === 'string') {
    const recognised = redactString(value);
    // A recognised shape keeps its prefix; anything else is masked whole.
    return recognised !== value ? recognised : MASK;
  }
  if (Array.isArray(value)) return value.map(maskSecretValue);
  return MASK;
}

const MAX_DEPTH = 12;

/**
 * Return a redacted deep copy of `value`. Plain objects, arrays, `Headers`, `Map`s and `Error`s are
 * walked; strings are scanned; binary data is summarised; cycles become `"[Circular]"`.
 *
 * @example
 * ```ts
 * import { redact } from 'switchyard';
 *
 * logger.info(redact({ userId: 'u_1', apiKey: 'sk_live_…', note: 'token=abc123' }), 'calling Stripe');
 * // apiKey and the token are masked; userId is kept
 * ```
 */
export function redact<T>(value: T): T {
  return walk(value, new WeakSet(), 0) as T;
}

function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Uint8Array || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item) => walk(item, seen, depth + 1));
    if (typeof Headers !== 'undefined' && value instanceof Headers) {
      const out: Record<string, unknown> = {};
      value.forEach((v, k) => {
        out[k] = isSecretKey(k) ? maskSecretValue(v) : redactString(v);
      });
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      for (const [k, v] of value) {
        out.set(k, typeof k === 'string' && isSecretKey(k) ? maskSecretValue(v) : walk(v, seen, depth + 1));
      }
      return out;
    }
    if (value instanceof Error) {
      const out: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
      for (const [k, v] of Object.entries(value)) {
        out[k] = isSecretKey(k) ? maskSecretValue(v) : walk(v, seen, depth + 1);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretKey(k) ? maskSecretValue(v) : walk(v, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
