/**
 * Wall time ↔ instant through an IANA zone, with explicit policies for the two places where the
 * mapping is not one-to-one: the spring-forward gap (02:30 does not exist) and the fall-back
 * overlap (01:30 happens twice). The policy names follow Temporal's `disambiguation`.
 */
import { IANAZone } from 'luxon';
import { IntegrationError } from '../core/errors.js';
import { formatOffset, formatWall, MS_PER_DAY, MS_PER_MINUTE, parseDateTime, parseInstant } from './wall.js';
import { assertTimeZone } from './zones.js';

/** What to do with a wall time skipped by a DST change (see `DstPolicy.gap`). */
export type GapPolicy = 'forward' | 'backward' | 'reject';
/** What to do with a wall time that happens twice at a DST change (see `DstPolicy.overlap`). */
export type OverlapPolicy = 'earlier' | 'later' | 'reject';

/** How `toInstant` resolves wall times that DST makes missing or ambiguous. */
export interface DstPolicy {
  /**
   * A wall time that does not exist (spring forward). `forward` (default, RFC 5545 §3.3.5) reads it
   * with the offset from before the gap, so 02:30 becomes 03:30; `backward` reads it with the offset
   * after the gap, so it becomes 01:30; `reject` throws `invalid_input`.
   */
  gap?: GapPolicy;
  /** A wall time that happens twice (fall back). `earlier` (default, RFC 5545) is the first one. */
  overlap?: OverlapPolicy;
}

/** A wall time in a named zone, the shape Google and switchyard use for timed values. */
export interface LocalDateTime {
  dateTime: string;
  timeZone: string;
}

const zones = new Map<string, IANAZone>();

function zoneObject(zone: string): IANAZone {
  let z = zones.get(zone);
  if (!z) {
    z = IANAZone.create(zone);
    zones.set(zone, z);
  }
  return z;
}

/** Offsets at UTC midnights, per zone: `day number → minutes`. Bounded; zone data never changes in a process. */
const dayOffsets = new Map<string, Map<number, number>>();
const MAX_CACHED_DAYS = 50_000;

function offsetAtDayStart(zone: string, day: number): number {
  let days = dayOffsets.get(zone);
  if (!days) {
    days = new Map();
    dayOffsets.set(zone, days);
  }
  let offset = days.get(day);
  if (offset === undefined) {
    if (days.size >= MAX_CACHED_DAYS) days.clear();
    offset = zoneObject(zone).offset(day * MS_PER_DAY);
    days.set(day, offset);
  }
  return offset;
}

/**
 * The zone's UTC offset at `ts` (epoch ms), in minutes. `zone` must already be validated.
 *
 * Asking Intl (through luxon) costs microseconds per call, several calls per occurrence. Offsets
 * only change at transitions, and no zone has had two transitions within one day since 1970, so
 * when the offsets at the UTC midnights around `ts` agree, that is the offset all day (cached per
 * day); only on a transition day do we ask Intl for the exact instant.
 */
export function offsetAt(zone: string, ts: number): number {
  if (zone === 'UTC') return 0;
  const day = Math.floor(ts / MS_PER_DAY);
  const before = offsetAtDayStart(zone, day);
  if (before === offsetAtDayStart(zone, day + 1)) return before;
  return zoneObject(zone).offset(ts);
}

/**
 * The instant of a fake-UTC wall value in `zone` (already canonical). Candidates come from the
 * offsets a day before and after: a wall time with two valid candidates is in an overlap, one with
 * none is in a gap. (Transitions less than a day apart do not exist in the tz database since 1970.)
 */
export function wallToEpoch(wall: number, zone: string, policy: DstPolicy = {}): number {
  if (zone === 'UTC') return wall;
  const before = offsetAt(zone, wall - MS_PER_DAY);
  const after = offsetAt(zone, wall + MS_PER_DAY);
  const tBefore = wall - before * MS_PER_MINUTE;
  if (before === after) {
    // The common case: one offset around, and it must hold at the candidate too (a transition and
    // its reversal within two days would show up here).
    if (offsetAt(zone, tBefore) === before) return tBefore;
  }
  const tAfter = wall - after * MS_PER_MINUTE;
  const validBefore = offsetAt(zone, tBefore) === before;
  const validAfter = offsetAt(zone, tAfter) === after;
  if (validBefore && validAfter && tBefore !== tAfter) {
    const overlap = policy.overlap ?? 'earlier';
    if (overlap === 'reject') throw dstError('overlap', wall, zone);
    return overlap === 'earlier' ? Math.min(tBefore, tAfter) : Math.max(tBefore, tAfter);
  }
  if (validBefore) return tBefore;
  if (validAfter) return tAfter;
  const gap = policy.gap ?? 'forward';
  if (gap === 'reject') throw dstError('gap', wall, zone);
  // forward: offset in force before the gap (EST for 02:30 → 07:30Z = 03:30 EDT); backward: after it.
  return gap === 'forward' ? tBefore : tAfter;
}

function dstError(kind: 'gap' | 'overlap', wall: number, zone: string): IntegrationError {
  const what = kind === 'gap' ? 'does not exist (it falls in the DST gap)' : 'happens twice (it falls in the DST overlap)';
  return new IntegrationError('invalid_input', `${formatWall(wall)} in ${zone} ${what}`, { details: { field: 'dateTime', kind } });
}

/** ISO-8601 with the zone's offset at that instant, e.g. `2024-03-10T03:30:00-04:00`. */
export function formatInstantIn(ts: number, zone: string): string {
  const offset = offsetAt(zone, ts);
  return `${formatWall(ts + offset * MS_PER_MINUTE)}${formatOffset(offset)}`;
}

/** The fake-UTC wall value of instant `ts` in `zone`. */
export function epochToWall(ts: number, zone: string): number {
  return ts + offsetAt(zone, ts) * MS_PER_MINUTE;
}

/**
 * The instant of a local wall time, as ISO-8601 with the zone's offset. A `dateTime` that already
 * carries an offset (as Google sends them) is an instant: the policy does not apply to it.
 *
 * @example
 * toInstant({ dateTime: '2026-03-08T02:30:00', timeZone: 'America/New_York' }); // '2026-03-08T03:30:00-04:00' (gap: forward)
 * toInstant({ dateTime: '2026-11-01T01:30:00', timeZone: 'America/New_York' }, { overlap: 'later' }); // '2026-11-01T01:30:00-05:00'
 */
export function toInstant(local: LocalDateTime, policy?: DstPolicy): string {
  if (typeof local !== 'object' || local === null) {
    throw new IntegrationError('invalid_input', 'toInstant expects { dateTime, timeZone }', { details: { field: 'local' } });
  }
  const zone = assertTimeZone(local.timeZone);
  assertPolicy(policy);
  const parsed = parseDateTime(local.dateTime);
  const ts =
    parsed.offsetMinutes === undefined ? wallToEpoch(parsed.wall, zone, policy) : parsed.wall - parsed.offsetMinutes * MS_PER_MINUTE;
  return formatInstantIn(ts, zone);
}

/**
 * The wall time of an instant in a zone: `{ dateTime: 'YYYY-MM-DDTHH:mm:ss', timeZone }`.
 *
 * @example
 * toLocal('2026-07-01T12:00:00Z', 'Asia/Kolkata'); // { dateTime: '2026-07-01T17:30:00', timeZone: 'Asia/Kolkata' }
 */
export function toLocal(instant: string, timeZone: string): LocalDateTime {
  const zone = assertTimeZone(timeZone);
  const ts = parseInstant(instant);
  return { dateTime: formatWall(epochToWall(ts, zone)), timeZone: zone };
}

/** Throws `invalid_input` for a policy that is not `{ gap?, overlap? }` with known values. */
export function assertPolicy(policy: DstPolicy | undefined): void {
  if (policy === undefined) return;
  if (typeof policy !== 'object' || policy === null) {
    throw new IntegrationError('invalid_input', 'policy must be an object like { gap, overlap }', { details: { field: 'policy' } });
  }
  if (policy.gap !== undefined && !['forward', 'backward', 'reject'].includes(policy.gap)) {
    throw new IntegrationError('invalid_input', `policy.gap must be forward, backward or reject`, { details: { field: 'policy.gap' } });
  }
  if (policy.overlap !== undefined && !['earlier', 'later', 'reject'].includes(policy.overlap)) {
    throw new IntegrationError('invalid_input', `policy.overlap must be earlier, later or reject`, {
      details: { field: 'policy.overlap' },
    });
  }
}
