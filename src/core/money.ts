/**
 * Money as integer minor units plus an ISO 4217 code: `{ amount: 1050, currency: 'EUR' }` is €10.50,
 * `{ amount: 1050, currency: 'JPY' }` is ¥1,050. Floats never enter: decimal amounts are parsed from
 * strings digit by digit, so 0.1 + 0.2 problems cannot happen.
 */
import { CURRENCY_EXPONENTS } from './currencies.js';
import { IntegrationError } from './errors.js';

/** An amount of money: integer minor units plus an ISO 4217 code (`{ amount: 1050, currency: 'EUR' }` is €10.50). */
export interface Money {
  /** Integer amount in the currency's minor unit (cents, yen, fils). */
  amount: number;
  /** ISO 4217 alphabetic code, upper case. */
  currency: string;
}

/**
 * Number of decimal places of the currency's minor unit (0 for JPY, 2 for EUR, 3 for KWD).
 *
 * @example
 * currencyExponent('jpy'); // 0
 * currencyExponent('KWD'); // 3
 */
export function currencyExponent(currency: string): number {
  const code = normalizeCurrency(currency);
  return CURRENCY_EXPONENTS[code] as number;
}

/**
 * True when `currency` is a known ISO 4217 code, in any case; never throws.
 *
 * @example
 * isCurrency('eur'); // true
 * isCurrency('XYZ'); // false
 */
export function isCurrency(currency: unknown): boolean {
  return typeof currency === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, currency.toUpperCase());
}

function normalizeCurrency(currency: unknown): string {
  if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency)) {
    throw new IntegrationError('invalid_input', `currency must be a three-letter ISO 4217 code, got ${describe(currency)}`, {
      details: { field: 'currency' },
    });
  }
  const code = currency.toUpperCase();
  if (!Object.hasOwn(CURRENCY_EXPONENTS, code)) {
    throw new IntegrationError('invalid_input', `unknown ISO 4217 currency code "${code}"`, { details: { field: 'currency' } });
  }
  return code;
}

/**
 * Build a validated `Money` from an integer amount of minor units; throws `invalid_input` otherwise.
 *
 * @example
 * createMoney(1050, 'eur'); // { amount: 1050, currency: 'EUR' }
 */
export function createMoney(amount: number, currency: string): Money {
  const code = normalizeCurrency(currency);
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
    throw new IntegrationError(
      'invalid_input',
      `amount must be an integer number of minor units (e.g. 1050 for 10.50 ${code}), got ${describe(amount)}`,
      { details: { field: 'amount' } },
    );
  }
  return { amount, currency: code };
}

/**
 * Parse a decimal string such as `"10.50"` into minor units. Rejects numbers (pass a string, so no
 * float ever rounds), more fraction digits than the currency has, exponents, and unknown codes.
 *
 * @example
 * parseMoney('10.50', 'EUR'); // { amount: 1050, currency: 'EUR' }
 * parseMoney('1050', 'JPY'); // { amount: 1050, currency: 'JPY' }
 */
export function parseMoney(decimal: string, currency: string): Money {
  const code = normalizeCurrency(currency);
  if (typeof decimal !== 'string') {
    throw new IntegrationError(
      'invalid_input',
      `parseMoney takes the amount as a decimal string (e.g. "10.50"), got ${describe(decimal)}`,
      { details: { field: 'amount' } },
    );
  }
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) {
    throw new IntegrationError('invalid_input', `"${decimal}" is not a plain decimal amount like "10.50"`, {
      details: { field: 'amount' },
    });
  }
  const [, sign, whole = '0', fraction = ''] = match;
  const exponent = CURRENCY_EXPONENTS[code] as number;
  if (fraction.length > exponent) {
    throw new IntegrationError(
      'invalid_input',
      `${code} has ${exponent} decimal place${exponent === 1 ? '' : 's'}; "${decimal}" has ${fraction.length}`,
      { details: { field: 'amount' } },
    );
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0')) * (sign ? -1n : 1n);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new IntegrationError('invalid_input', `amount "${decimal}" is too large`, { details: { field: 'amount' } });
  }
  return { amount: Number(minor), currency: code };
}

/**
 * The exact decimal string of a `Money`: `{ amount: 1050, currency: 'EUR' }` → `"10.50"`.
 *
 * @example
 * toDecimalString({ amount: 5, currency: 'KWD' }); // '0.005'
 */
export function toDecimalString(money: Money): string {
  const { amount, currency } = createMoney(money?.amount, money?.currency);
  const exponent = CURRENCY_EXPONENTS[currency] as number;
  const digits = Math.abs(amount)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${amount < 0 ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/**
 * Locale-aware display string, e.g. `€10.50` or `¥1,050`. Uses `Intl`, exact to the minor unit.
 *
 * @example
 * formatMoney({ amount: 1050, currency: 'EUR' }); // '€10.50'
 * formatMoney({ amount: 1050, currency: 'EUR' }, 'de-DE'); // '10,50 €'
 */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const decimal = toDecimalString(money);
  const exponent = CURRENCY_EXPONENTS[money.currency.toUpperCase()] as number;
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
    // Intl accepts decimal strings exactly (ES2023 Intl.NumberFormat v3), so no float rounding happens here either.
  }).format(decimal as unknown as number);
}

/**
 * Add amounts of the same currency; mixing currencies is a bug and throws `invalid_input`.
 *
 * @example
 * addMoney(createMoney(1050, 'EUR'), createMoney(250, 'EUR')); // { amount: 1300, currency: 'EUR' }
 */
export function addMoney(a: Money, b: Money): Money {
  const left = createMoney(a?.amount, a?.currency);
  const right = createMoney(b?.amount, b?.currency);
  if (left.currency !== right.currency) {
    throw new IntegrationError('invalid_input', `cannot add ${left.currency} to ${right.currency}`, {
      details: { field: 'currency' },
    });
  }
  return createMoney(left.amount + right.amount, left.currency);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  return typeof value;
}
