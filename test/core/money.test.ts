import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENTS, IntegrationError, addMoney, createMoney, currencyExponent, formatMoney, parseMoney, toDecimalString } from '../../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IntegrationError);
    return (e as IntegrationError).code;
  }
  return undefined;
}

describe('Money', () => {
  it('knows zero-, two-, three- and four-decimal currencies', () => {
    for (const c of ['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'XOF']) expect(currencyExponent(c)).toBe(0);
    for (const c of ['USD', 'EUR', 'GBP', 'CHF', 'INR']) expect(currencyExponent(c)).toBe(2);
    for (const c of ['KWD', 'BHD', 'JOD', 'OMR', 'TND', 'IQD', 'LYD']) expect(currencyExponent(c)).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
    expect(currencyExponent('usd')).toBe(2);
    expect(Object.keys(CURRENCY_EXPONENTS).length).toBeGreaterThan(150);
  });

  it('parses decimal strings exactly', () => {
    expect(parseMoney('10.50', 'EUR')).toEqual({ amount: 1050, currency: 'EUR' });
    expect(parseMoney('10.5', 'eur')).toEqual({ amount: 1050, currency: 'EUR' });
    expect(parseMoney('1050', 'JPY')).toEqual({ amount: 1050, currency: 'JPY' });
    expect(parseMoney('1.234', 'KWD')).toEqual({ amount: 1234, currency: 'KWD' });
    expect(parseMoney('-0.01', 'USD')).toEqual({ amount: -1, currency: 'USD' });
    expect(parseMoney('0.3', 'USD').amount).toBe(30);
  });

  it('formats exactly, in both directions', () => {
    expect(toDecimalString({ amount: 1050, currency: 'EUR' })).toBe('10.50');
    expect(toDecimalString({ amount: 5, currency: 'KWD' })).toBe('0.005');
    expect(toDecimalString({ amount: -7, currency: 'USD' })).toBe('-0.07');
    expect(toDecimalString({ amount: 1050, currency: 'JPY' })).toBe('1050');
    expect(formatMoney({ amount: 1050, currency: 'EUR' }, 'en-US')).toBe('€10.50');
    expect(formatMoney({ amount: 1050, currency: 'JPY' }, 'en-US')).toBe('¥1,050');
    expect(formatMoney({ amount: 1234, currency: 'KWD' }, 'en-US')).toContain('1.234');
  });

  it('parse ∘ toDecimalString is the identity for every currency and safe amount', () => {
    const codes = Object.keys(CURRENCY_EXPONENTS);
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.maxSafeInteger(), (currency, amount) => {
        const m = createMoney(amount, currency);
        expect(parseMoney(toDecimalString(m), currency)).toEqual(m);
      }),
    );
  });

  it('rejects floats, unknown codes and malformed strings with invalid_input', () => {
    expect(codeOf(() => createMoney(10.5, 'USD'))).toBe('invalid_input');
    expect(codeOf(() => createMoney(Number.NaN, 'USD'))).toBe('invalid_input');
    expect(codeOf(() => createMoney(2 ** 60, 'USD'))).toBe('invalid_input');
    expect(codeOf(() => createMoney('10' as unknown as number, 'USD'))).toBe('invalid_input');
    expect(codeOf(() => createMoney(100, 'XYZ'))).toBe('invalid_input');
    expect(codeOf(() => createMoney(100, 'US'))).toBe('invalid_input');
    expect(codeOf(() => createMoney(100, undefined as unknown as string))).toBe('invalid_input');
    expect(codeOf(() => parseMoney(10.5 as unknown as string, 'USD'))).toBe('invalid_input');
    expect(codeOf(() => parseMoney('10.505', 'USD'))).toBe('invalid_input');
    expect(codeOf(() => parseMoney('1.5', 'JPY'))).toBe('invalid_input');
    for (const bad of ['', '1e3', '1,000.00', '10.', '.5', 'abc', '--1', '1.2.3', 'Infinity', '99999999999999999999']) {
      expect(codeOf(() => parseMoney(bad, 'USD')), bad).toBe('invalid_input');
    }
    expect(codeOf(() => addMoney({ amount: 1, currency: 'USD' }, { amount: 1, currency: 'EUR' }))).toBe('invalid_input');
    expect(addMoney({ amount: 1, currency: 'USD' }, { amount: 2, currency: 'usd' })).toEqual({ amount: 3, currency: 'USD' });
  });
});
