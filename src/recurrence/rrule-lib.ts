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
