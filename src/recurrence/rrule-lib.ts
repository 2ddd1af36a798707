/**
 * rrule ships CommonJS for Node and an ESM build (with extensionless imports) for bundlers. Node's
 * ESM loader sees only `default` on the CommonJS build and bundlers see named exports on the ESM
 * one, so `import { RRule } from 'rrule'` breaks one or the other: take whichever shape we got.
 */
import * as rruleModule from 'rrule';

type RRuleModule = typeof import('rrule');
const ns = rruleModule as unknown as RRuleModule & { default?: RRuleModule };
const lib: RRuleModule = typeof ns.RRule === 'function' ? ns : (ns.default as RRuleModule);

export const RRule = lib.RRule;
export const Weekday = lib.Weekday;
export type { Options as RRuleOptions } from 'rrule';

const MIN_PERIOD_MS = [365, 28, 7, 1, 1 / 24, 1 / 1440, 1 / 86_400].map((d) => d * 86_400_000);

/**
 * An RRule whose iteration stops once it has walked past `end` (fake-UTC ms), even when the rule
 * produces nothing. rrule checks UNTIL only against dates it produces, so a rule that can never
 * match (`BYDAY=2TU,TH` needs a day that is both, `BYMONTH=2;BYMONTHDAY=30`) walks every period up
 * to year 9999: close to a second for a monthly rule, far more for a daily one, on every call, for
 * a rule any CalDAV server can send us.
 *
 * rrule's loop reads `options.interval` twice per period: once in its `interval === 0` exit check
 * (even reads, after the initial one) and once to advance. After the number of periods between
 * DTSTART and `end` (with margin), the exit check reads 0 and the loop ends. Only the exit check
 * ever sees 0, so the dates produced before are untouched; if rrule's loop changed shape, the guard
 * would simply never fire (slow, still correct).
 */
export function boundedRRule(options: Partial<import('rrule').Options>, end: number): InstanceType<typeof RRule> {
  const rr = new RRule(options, true);
  const interval = rr.options.interval;
  const start = rr.options.dtstart.getTime();
  const periods = Math.ceil(Math.max(0, end - start) / (MIN_PERIOD_MS[rr.options.freq]! * interval)) + 4;
  const budget = 2 * periods + 1;
  let reads = 0;
  Object.defineProperty(rr.options, 'interval', {
    configurable: true,
    enumerable: true,
    get: () => {
      reads++;
      return reads > budget && reads % 2 === 0 ? 0 : interval;
    },
  });
  return rr;
}
