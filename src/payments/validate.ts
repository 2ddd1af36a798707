/**
 * Turns a zod failure into the `IntegrationError` every switchyard caller expects: code
 * `invalid_input`, the failing field's path in `details.field`, and no echo of the value (it may
 * be a card fingerprint or an email).
 */
import type { z } from 'zod';
import { IntegrationError } from '../core/errors.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string, provider?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : what;
  const message = issue?.message ?? 'invalid';
  throw new IntegrationError('invalid_input', `${what}: ${field}: ${message}`, {
    ...(provider ? { provider } : {}),
    details: { field },
  });
}

/** Ids are opaque strings from the provider; reject empties and anything that could smuggle a path. */
export function checkId(id: unknown, field: string, provider?: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(id)) {
    throw new IntegrationError('invalid_input', `${field} must be a provider id (letters, digits, _ and -)`, {
      ...(provider ? { provider } : {}),
      details: { field },
    });
  }
  return id;
}
