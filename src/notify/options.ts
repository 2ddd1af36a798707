/** zod-validated adapter options: a bad option is `invalid_config` naming the field, never a crash later. */
import type { z } from 'zod';
import { IntegrationError } from '../core/errors.js';

export function parseOptions<S extends z.ZodType>(owner: string, schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || '(options)';
  // The issue message names the expectation, never the value (which may be a key).
  throw new IntegrationError('invalid_config', `${owner}: ${field}: ${issue?.message ?? 'invalid'}`, { details: { field } });
}
