/**
 * `createFakeCalendar()`: an in-memory `CalendarProvider` that behaves like the real ones where it
 * matters to a host: etags and `precondition_failed`, idempotent creates by client id, series
 * masters with exceptions and cancelled instances, paged change listings whose cursors can be
 * expired on demand (`expireCursors`) and failures injected on demand (`failNext`). It passes the
 * same conformance suite as the Google and Outlook adapters.
 */
import { IntegrationError } from '../core/errors.js';
import { assertTimeZone } from '../time/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { mergeIntervals } from './free-busy.js';
import { newEventId } from './ids.js';
import { eventSpan, expandSeries } from './instances.js';
import type {
  AccessRole,
  CalendarEvent,
  CalendarInfo,
  CalendarProvider,
  ChangePage,
  Channel,
  EventChange,
  EventInput,
  EventPatch,
  FreeBusyRequest,
  FreeBusyResult,
  ListEventsOptions,
  RespondOptions,
  UpdateOptions,
  WatchRequest,
} from './types.js';
import { assertId, assertRange, assertWindow, parseEventInput, parseEventPatch } from './validate.js';

/** Options of `createFakeCalendar`: starting calendars, owner, page size, clock and channel lifetime. */
export interface FakeCalendarOptions {
  /** Calendars to start with. Default: one `primary` calendar in UTC owned by `me@example.com`. */
  calendars?: { id: string; title?: string; timeZone?: string; accessRole?: AccessRole; primary?: boolean }[];
  /** The authenticated user (the attendee `respondToEvent` answers for). */
  ownerEmail?: string;
  /** Changes per `listChanges` page. Default 50. */
  pageSize?: number;
  /** Clock, epoch ms. */
  now?: () => number;
  /** Longest channel lifetime granted, seconds. Default 7 days (Google's cap). */
  maxChannelSeconds?: number;
}

/** A port method of the fake, for `failNext`. */
export type FakeCalendarOperation = Exclude<keyof CalendarProvider, 'name'>;
type Operation = FakeCalendarOperation;

/** The in-memory `CalendarProvider`, plus the controls a test needs: cursor expiry, injected failures, snapshots, channels. */
export interface FakeCalendar extends CalendarProvider {
  /** Make every cursor issued so far for `calendarId` (or all calendars) expire, like Google's 410. */
  expireCursors(calendarId?: string): void;
  /** The next call of `operation` (or of any operation) throws `error` (default: a retryable `unavailable`). */
  failNext(operation: Operation | 'any', error?: IntegrationError): void;
  /** Everything stored in a calendar: single events, masters and exceptions (cancelled ones included). */
  snapshot(calendarId: string): CalendarEvent[];
  /** Channels currently open. */
  channels(): Channel[];
  /** Called after each change with the channels watching that calendar (to simulate push notifications). */
  onNotify(listener: (channel: Channel) => void): () => void;
}

interface Record_ {
  event: CalendarEvent;
  seq: number;
  deleted: boolean;
  fingerprint?: string;
}

interface CalendarState {
  info: CalendarInfo;
  seq: number;
  epoch: number;
  records: Map<string, Record_>;
}

type FakeCursor = { e: number; k: 'full'; s: number; a: string } | { e: number; k: 'inc'; s: number };

function isFakeCursor(v: unknown): v is FakeCursor {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.e === 'number' && typeof c.s === 'number' && (c.k === 'inc' || (c.k === 'full' && typeof c.a === 'string'));
}

const clone = <T>(value: T): T => structuredClone(value);
const PROVIDER = 'fake';

function notFound(what: string): IntegrationError {
  return new IntegrationError('not_found', `${what} not found`, { provider: PROVIDER, status: 404 });
}

/**
 * An in-memory, deterministic `CalendarProvider` that passes the same conformance suite as the
 * Google and Outlook adapters, with change cursors, cursor expiry and failures on demand.
 *
 * @example
 * const calendar = createFakeCalendar({ calendars: [{ id: 'primary', timeZone: 'Europe/Paris' }] });
 * const event = await calendar.createEvent('primary', {
 *   title: 'Haircut',
 *   start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
 *   end: { dateTime: '2026-03-02T09:30:00', timeZone: 'Europe/Paris' },
 * });
 * calendar.expireCursors('primary'); // the next listChanges with an old cursor throws sync_token_expired
 */
export function createFakeCalendar(options: FakeCalendarOptions = {}): FakeCalendar {
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new IntegrationError('invalid_config', 'pageSize must be a positive integer', { details: { field: 'pageSize' } });
  }
  const ownerEmail = options.ownerEmail ?? 'me@example.com';
  const maxChannelMs = (options.maxChannelSeconds ?? 7 * 86_400) * 1000;
  const calendars = new Map<string, CalendarState>();
  for (const c of options.calendars ?? [{ id: 'primary', primary: true }]) {
    calendars.set(c.id, {
      info: {
        id: c.id,
        title: c.title ?? c.id,
        timeZone: assertTimeZone(c.timeZone ?? 'UTC', 'calendars.timeZone'),
        accessRole: c.accessRole ?? 'owner',
        primary: c.primary ?? false,
      },
      seq: 0,
      epoch: 0,
      records: new Map(),
    });
  }
  const failures: { operation: Operation | 'any'; error: IntegrationError }[] = [];
  const openChannels = new Map<string, Channel>();
  const listeners = new Set<(channel: Channel) => void>();

  function gate(operation: Operation): void {
    const i = failures.findIndex((f) => f.operation === operation || f.operation === 'any');
    if (i >= 0) {
      const [failure] = failures.splice(i, 1);
      if (failure) throw failure.error;
    }
  }

  function calendar(id: unknown): CalendarState {
    const state = calendars.get(assertId(id, 'calendarId'));
    if (!state) throw notFound(`calendar ${JSON.stringify(id)}`);
    return state;
  }

  function writable(state: CalendarState): void {
    if (state.info.accessRole === 'reader' || state.info.accessRole === 'freeBusyReader') {
      throw new IntegrationError('permission', `calendar ${state.info.id} is read-only`, { provider: PROVIDER, status: 403 });
    }
  }

  function write(state: CalendarState, event: CalendarEvent, deleted = false, fingerprint?: string): CalendarEvent {
    state.seq += 1;
    const stored: CalendarEvent = { ...event, etag: `"${state.seq}"`, updated: new Date(now()).toISOString() };
    const previous = state.records.get(event.id);
    state.records.set(event.id, { event: stored, seq: state.seq, deleted, fingerprint: fingerprint ?? previous?.fingerprint });
    for (const channel of openChannels.values()) {
      if (channel.calendarId === state.info.id && channel.expiresAt > now()) for (const l of listeners) l(clone(channel));
    }
    return clone(stored);
  }

  function live(state: CalendarState, id: string): Record_ | undefined {
    const r = state.records.get(id);
    return r && !r.deleted ? r : undefined;
  }

  /** A generated instance id (`master_20240305T170000Z`) that has no exception record yet. */
  function virtualInstance(state: CalendarState, id: string): CalendarEvent | undefined {
    const cut = id.lastIndexOf('_');
    if (cut <= 0) return undefined;
    const master = live(state, id.slice(0, cut))?.event;
    if (!master?.recurrence) return undefined;
    const suffix = id.slice(cut + 1);
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(suffix);
    if (!m) return undefined;
    const at = m[4] ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
    const window =
      at === undefined
        ? {
            from: Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`) - 86_400_000,
            to: Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`) + 2 * 86_400_000,
          }
        : { from: at, to: at + 1 };
    const found = expandSeries(master, [], window).find((i) => i.id === id);
    return found;
  }

  function exceptionsOf(state: CalendarState, masterId: string): CalendarEvent[] {
    const out: CalendarEvent[] = [];
    for (const r of state.records.values()) if (!r.deleted && r.event.recurringEventId === masterId) out.push(r.event);
    return out;
  }

  function fromInput(calendarId: string, id: string, input: EventInput): CalendarEvent {
    const event: CalendarEvent = {
      id,
      calendarId,
      iCalUID: `${id}@fake.switchyard`,
      etag: '',
      start: input.start,
      end: input.end,
      attendees: (input.attendees ?? []).map((a) => ({
        ...a,
        responseStatus: 'needsAction' as const,
        ...(a.email === ownerEmail ? { self: true } : {}),
      })),
      organizer: { email: ownerEmail },
      status: input.status ?? 'confirmed',
      transparency: input.transparency ?? 'opaque',
    };
    if (input.title !== undefined) event.title = input.title;
    if (input.description !== undefined) event.description = input.description;
    if (input.location !== undefined) event.location = input.location;
    if (input.recurrence !== undefined) event.recurrence = [...input.recurrence];
    if (input.reminders !== undefined) event.reminders = input.reminders;
    if (input.extendedProperties !== undefined) event.extendedProperties = { ...input.extendedProperties };
    return event;
  }

  function applyPatch(event: CalendarEvent, patch: EventPatch): CalendarEvent {
    const next: CalendarEvent = { ...event };
    for (const key of [
      'title',
      'description',
      'location',
      'start',
      'end',
      'recurrence',
      'status',
      'transparency',
      'reminders',
      'extendedProperties',
    ] as const) {
      if (patch[key] !== undefined) (next as unknown as Record<string, unknown>)[key] = clone(patch[key]);
    }
    if (patch.attendees) {
      const old = new Map(event.attendees.map((a) => [a.email, a]));
      next.attendees = patch.attendees.map((a) => ({ ...a, responseStatus: old.get(a.email)?.responseStatus ?? 'needsAction' }));
    }
    assertRange(next.start, next.end);
    return next;
  }

  function checkEtag(event: CalendarEvent, options?: UpdateOptions): void {
    if (options?.etag !== undefined && options.etag !== event.etag) {
      throw new IntegrationError('precondition_failed', 'the event changed since it was read (etag mismatch)', {
        provider: PROVIDER,
        status: 412,
      });
    }
  }

  const fake: FakeCalendar = {
    name: PROVIDER,

    async listCalendars() {
      gate('listCalendars');
      return [...calendars.values()].map((c) => clone(c.info));
    },

    async getEvent(calendarId, eventId) {
      gate('getEvent');
      const state = calendar(calendarId);
      assertId(eventId, 'eventId');
      const found = live(state, eventId)?.event ?? virtualInstance(state, eventId);
      if (!found) throw notFound(`event ${JSON.stringify(eventId)}`);
      return clone(found);
    },

    async listEvents(calendarId, options: ListEventsOptions) {
      gate('listEvents');
      const state = calendar(calendarId);
      const window = assertWindow(options?.from, options?.to);
      const zone = state.info.timeZone;
      const out: CalendarEvent[] = [];
      for (const { event, deleted } of state.records.values()) {
        if (deleted) continue;
        if (options.expand) {
          if (event.recurringEventId) continue; // exceptions come out of their master's expansion
          if (event.recurrence) {
            out.push(...expandSeries(event, exceptionsOf(state, event.id), window, { includeCancelled: options.includeCancelled }));
            continue;
          }
        }
        if (event.status === 'cancelled' && !options.includeCancelled) continue;
        if (event.recurrence) {
          // A master is listed when any of its occurrences falls in the window.
          if (expandSeries(event, [], window).length > 0) out.push(event);
          continue;
        }
        const span = eventSpan(
          event.originalStart && event.status === 'cancelled' ? { start: event.originalStart, end: event.originalStart } : event,
          zone,
        );
        if (span.start < window.to && (span.end > window.from || span.start >= window.from)) out.push(event);
      }
      return clone(out.sort((a, b) => eventSpan(a, zone).start - eventSpan(b, zone).start || a.id.localeCompare(b.id)));
    },

    async createEvent(calendarId, input) {
      gate('createEvent');
      const state = calendar(calendarId);
      writable(state);
      const parsed = parseEventInput(input);
      const id = parsed.id ?? newEventId();
      const fingerprint = JSON.stringify(parsed);
      const existing = state.records.get(id);
      if (existing) {
        // A retried create (same id, same content) returns the event it made the first time.
        if (!existing.deleted && existing.fingerprint === fingerprint) return clone(existing.event);
        throw new IntegrationError('conflict', `an event with id ${id} already exists`, { provider: PROVIDER, status: 409 });
      }
      return write(state, fromInput(state.info.id, id, parsed), false, fingerprint);
    },

    async updateEvent(calendarId, eventId, patch, options) {
      gate('updateEvent');
      const state = calendar(calendarId);
      writable(state);
      assertId(eventId, 'eventId');
      const parsed = parseEventPatch(patch);
      const current = live(state, eventId)?.event ?? virtualInstance(state, eventId);
      if (!current) throw notFound(`event ${JSON.stringify(eventId)}`);
      checkEtag(current, options);
      if (current.recurringEventId && parsed.recurrence) {
        throw new IntegrationError('invalid_input', 'an instance of a series cannot have its own recurrence', {
          details: { field: 'recurrence' },
        });
      }
      return write(state, applyPatch(current, parsed));
    },

    async deleteEvent(calendarId, eventId, options) {
      gate('deleteEvent');
      const state = calendar(calendarId);
      writable(state);
      assertId(eventId, 'eventId');
      const current = live(state, eventId)?.event ?? virtualInstance(state, eventId);
      if (!current || current.status === 'cancelled') throw notFound(`event ${JSON.stringify(eventId)}`);
      checkEtag(current, options);
      if (current.recurringEventId) {
        // Deleting one occurrence leaves a cancelled exception, as Google and Graph do.
        write(state, { ...current, status: 'cancelled' });
        return;
      }
      for (const e of exceptionsOf(state, current.id)) write(state, e, true);
      write(state, { ...current, status: 'cancelled' }, true);
    },

    async respondToEvent(calendarId, eventId, options: RespondOptions) {
      gate('respondToEvent');
      const state = calendar(calendarId);
      assertId(eventId, 'eventId');
      if (!options || !['accepted', 'declined', 'tentative'].includes(options.response)) {
        throw new IntegrationError('invalid_input', 'response must be accepted, declined or tentative', { details: { field: 'response' } });
      }
      const current = live(state, eventId)?.event ?? virtualInstance(state, eventId);
      if (!current) throw notFound(`event ${JSON.stringify(eventId)}`);
      if (!current.attendees.some((a) => a.email === ownerEmail)) {
        throw new IntegrationError('invalid_input', 'the calendar owner is not an attendee of this event', {
          details: { field: 'eventId' },
        });
      }
      return write(state, {
        ...current,
        attendees: current.attendees.map((a) => (a.email === ownerEmail ? { ...a, responseStatus: options.response, self: true } : a)),
      });
    },

    async freeBusy(request: FreeBusyRequest) {
      gate('freeBusy');
      const window = assertWindow(request?.from, request?.to);
      if (!Array.isArray(request.calendarIds) || request.calendarIds.length === 0) {
        throw new IntegrationError('invalid_input', 'calendarIds must be a non-empty array', { details: { field: 'calendarIds' } });
      }
      const result: FreeBusyResult = {};
      for (const id of request.calendarIds) {
        const state = calendars.get(id);
        if (!state) {
          result[id] = { busy: [], errors: ['notFound'] };
          continue;
        }
        const events = await fake.listEvents(id, { from: request.from, to: request.to, expand: true });
        const spans = events
          .filter((e) => e.status !== 'cancelled' && e.transparency === 'opaque')
          .map((e) => eventSpan(e, state.info.timeZone))
          .map((s) => ({ start: Math.max(s.start, window.from), end: Math.min(s.end, window.to) }))
          .filter((s) => s.end > s.start);
        result[id] = {
          busy: mergeIntervals(spans).map((s) => ({
            start: new Date(s.start).toISOString(),
            end: new Date(s.end).toISOString(),
            kind: 'busy' as const,
          })),
        };
      }
      return result;
    },

    async listChanges(calendarId, cursor?: string): Promise<ChangePage> {
      gate('listChanges');
      const state = calendar(calendarId);
      const c: FakeCursor =
        cursor === undefined ? { e: state.epoch, k: 'full', s: state.seq, a: '' } : decodeCursor(cursor, PROVIDER, isFakeCursor);
      if (c.e !== state.epoch) {
        throw new IntegrationError('sync_token_expired', 'the sync cursor expired: a full sync is required', {
          provider: PROVIDER,
          status: 410,
        });
      }
      if (c.k === 'full') {
        const all = [...state.records.values()]
          .filter((r) => !r.deleted && r.event.id > c.a)
          .sort((x, y) => (x.event.id < y.event.id ? -1 : 1));
        const page = all.slice(0, pageSize);
        const more = all.length > page.length;
        const last = page[page.length - 1]?.event.id ?? c.a;
        return {
          changes: page.map((r) => ({ type: 'upsert', event: clone(r.event) })),
          // Changes made while the full listing runs have seq > s: the incremental cursor replays them.
          cursor: encodeCursor(more ? { e: c.e, k: 'full', s: c.s, a: last } : { e: c.e, k: 'inc', s: c.s }),
          more,
          full: true,
        };
      }
      const all = [...state.records.values()].filter((r) => r.seq > c.s).sort((x, y) => x.seq - y.seq);
      const page = all.slice(0, pageSize);
      const more = all.length > page.length;
      const changes: EventChange[] = page.map((r) =>
        r.deleted ? { type: 'delete', calendarId: state.info.id, eventId: r.event.id } : { type: 'upsert', event: clone(r.event) },
      );
      return { changes, cursor: encodeCursor({ e: c.e, k: 'inc', s: page[page.length - 1]?.seq ?? c.s }), more, full: false };
    },

    async watch(request: WatchRequest) {
      gate('watch');
      const state = calendar(request?.calendarId);
      if (typeof request.address !== 'string' || !request.address.startsWith('https://')) {
        throw new IntegrationError('invalid_input', 'address must be an https URL', { details: { field: 'address' } });
      }
      if (typeof request.token !== 'string' || request.token.length === 0) {
        throw new IntegrationError('invalid_input', 'token must be a non-empty string', { details: { field: 'token' } });
      }
      const ttl = Math.min((request.ttlSeconds ?? maxChannelMs / 1000) * 1000, maxChannelMs);
      const channel: Channel = { id: newEventId(), resourceId: `res-${state.info.id}`, calendarId: state.info.id, expiresAt: now() + ttl };
      openChannels.set(channel.id, channel);
      return clone(channel);
    },

    async stopWatch(channel: Channel) {
      gate('stopWatch');
      if (!openChannels.delete(assertId(channel?.id, 'channel.id'))) throw notFound(`channel ${channel.id}`);
    },

    expireCursors(calendarId?: string) {
      for (const state of calendarId === undefined ? calendars.values() : [calendar(calendarId)]) state.epoch += 1;
    },

    failNext(operation, error) {
      failures.push({
        operation,
        error: error ?? new IntegrationError('unavailable', 'injected failure', { provider: PROVIDER, status: 503 }),
      });
    },

    snapshot(calendarId) {
      return [...calendar(calendarId).records.values()].filter((r) => !r.deleted).map((r) => clone(r.event));
    },

    channels() {
      return [...openChannels.values()].map(clone);
    },

    onNotify(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return fake;
}
