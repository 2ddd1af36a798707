// What each subpath may load. Read by scripts/check-package.mjs (on the packed tarball) and by
// test/package/imports.test.ts (on the sources), so the rule is written once.

/** Provider SDKs (optional peers), and the only subpaths allowed to load each. */
export const SDK_OWNERS = {
  stripe: ['./payments/stripe'],
  googleapis: ['./calendar/google'],
  '@googleapis/calendar': ['./calendar/google'],
  '@microsoft/microsoft-graph-client': ['./calendar/outlook'],
  tsdav: ['./calendar/caldav'],
  'ical.js': ['./calendar/caldav'],
  nodemailer: ['./notify/smtp'],
  'web-push': ['./notify/webpush'],
  ioredis: ['./stores/redis'],
  pg: ['./stores/postgres'],
};

/** Subpaths that must run on Web-standard runtimes: no static `node:` import anywhere in their graph. */
export const EDGE_READY = ['.', './stores', './webhooks', './retry', './idempotency', './time', './recurrence', './oauth', './openapi'];

/** The npm package a bare specifier belongs to: `@scope/name/x` → `@scope/name`, `luxon/src` → `luxon`. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
