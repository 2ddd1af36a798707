/**
 * Any valid choice of providers, order and basePath gives a document with exactly those paths,
 * in that order, whose every `$ref` resolves and which survives a JSON round trip (plain data).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { buildWebhookOpenApi, WEBHOOK_PROVIDERS } from '../../src/openapi/index.js';

const segment = fc.stringMatching(/^[a-z0-9._-]{1,12}$/);
const basePath = fc.oneof(
  fc.constant(''),
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`),
);
const providers = fc.shuffledSubarray([...WEBHOOK_PROVIDERS], { minLength: 1 });

it('paths follow basePath and the providers given, and every $ref resolves', () => {
  fc.assert(
    fc.property(basePath, providers, (base, chosen) => {
      const doc = buildWebhookOpenApi({ basePath: base, providers: chosen });
      expect(Object.keys(doc.paths)).toEqual(chosen.map((p) => `${base}/${p}`));
      expect(doc.tags.map((t) => t.name)).toEqual(chosen);
      const text = JSON.stringify(doc);
      expect(JSON.parse(text)).toEqual(doc);
      for (const [, kind, name] of text.matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)) {
        expect((doc.components as Record<string, Record<string, unknown>>)[kind as string]?.[name as string]).toBeDefined();
      }
    }),
    { numRuns: 50 },
  );
});
