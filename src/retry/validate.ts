/** Checks for policy knobs: each names the field, so a typo in a policy fails at construction. */
import { IntegrationError } from '../core/errors.js';

function bad(owner: string, field: string, rule: string, value: unknown): IntegrationError {
  const shown =
    typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null ? String(value) : typeof value;
  return new IntegrationError('invalid_config', `${owner}: ${field} must be ${rule}, got ${shown}`, { details: { field } });
}

/** A whole number ≥ `min`, or the default when absent. */
export function intOption(owner: string, field: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw bad(owner, field, `an integer ≥ ${min}`, value);
  return value;
}

/** A finite number ≥ `min` (or > `min` when `exclusive`), or the default when absent. */
export function numberOption(owner: string, field: string, value: unknown, fallback: number, min = 0, exclusive = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (exclusive && value === min)) {
    throw bad(owner, field, `a finite number ${exclusive ? '>' : '≥'} ${min}`, value);
  }
  return value;
}

/** Like `numberOption`, but `undefined` stays "not set". */
export function optionalNumber(owner: string, field: string, value: unknown, min = 0, exclusive = false): number | undefined {
  return value === undefined ? undefined : numberOption(owner, field, value, 0, min, exclusive);
}

export function functionOption<F>(owner: string, field: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw bad(owner, field, 'a function', value);
  return value as F;
}

export function oneOf<T extends string>(owner: string, field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(owner, field, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

export function objectOption(owner: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(owner, 'options', 'an object', value);
  return value as Record<string, unknown>;
}

export function signalOption(owner: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as AbortSignal).aborted !== 'boolean') {
    throw bad(owner, 'signal', 'an AbortSignal', value);
  }
  return value as AbortSignal;
}
