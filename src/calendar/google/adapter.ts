/**
 * `createGoogleCalendar`: the `CalendarProvider` port on `@googleapis/calendar` (the official
 * client). Every call goes through switchyard's `retry` (quota 403s, 429 and 5xx with backoff and
 * `Retry-After`; the client's own retry is turned off so there is exactly one policy) and through
 * telemetry. Writes are retry-safe: creates carry a client-chosen id, so a create whose answer was
 * lost comes back as 409 and is resolved to the event it made.
 */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { IntegrationError, isIntegrationError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { adapterTelemetry, type Telemetry } from '../../core/observability.js';
import type { RetryPolicy } from '../../retry/index.js';
import { providerCall } from '../../retry/provider-call.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { mergeIntervals } from '../free-busy.js';
import { inputFingerprint, newEventId } from '../ids.js';
import type { AccessRole, CalendarEvent, CalendarInfo, CalendarProvider, ChangePage, EventChange, FreeBusyResult } from '../types.js';
import { assertId, assertRange, assertWindow, parseEventInput, parseEventPatch } from '../validate.js';
import { mapGoogleError } from './errors.js';
import { FINGERPRINT_KEY, fromGoogle, isTombstone, toGoogle } from './map.js';

/** What the adapter needs to authenticate: a bearer token, or a function returning one (`oauth.tokenProvider(userId)`). */
export type GoogleAuth = string | ((options?: { rejected?: string }) => Promise<string>);

/** The resources of a `calendar_v3.Calendar` the adapter calls; a real client satisfies it. */
export interface GoogleCalendarClientLike {
  events: object;
  calendarList: object;
  freebusy: object;
  channels: object;
}

/** Options of `createGoogleCalendar`. */
export interface GoogleCalendarOptions {
  /** An access token or a token provider. Omit only when `client` is already authenticated. */
  auth?: GoogleAuth;
  /**
   * A `calendar_v3.Calendar` you built yourself (custom auth, proxy): `calendar({ version: 'v3', auth, retry: false })`.
   * Typed structurally so the published types do not pull in googleapis' own declarations (whose
   * google-auth-library types do not compile for CommonJS consumers under `node16` resolution).
   */
  client?: GoogleCalendarClientLike;
  /** API root, for a local mock or a proxy. Default Google's. */
  rootUrl?: string;
  retry?: RetryPolicy;
  telemetry?: Telemetry;
  /** Host logger (wrapped with `withRedaction`); shorthand for `telemetry: createTelemetry({ logger })` without spans. */
  logger?: Logger;
  /** `maxResults` of change listings (Google: up to 2500). Default 250. */
  pageSize?: number;
}

type GoogleCursor = { t: 'sync'; v: string } | { t: 'page'; v: string };
const isGoogleCursor = (v: unknown): v is GoogleCursor =>
  typeof v === 'object' &&
  v !== null &&
  ((v as GoogleCursor).t === 'sync' || (v as GoogleCursor).t === 'page') &&
  typeof (v as GoogleCursor).v === 'string';

/** freebusy.query refuses long ranges; 90 days per request is within what Google documents. */
export const FREEBUSY_MAX_DAYS = 90;
/** freebusy.query answers for at most 50 calendars per request (`calendarExpansionMax`). */
export const FREEBUSY_MAX_CALENDARS = 50;
const DAY = 86_400_000;
const ROLES: ReadonlySet<string> = new Set(['owner', 'writer', 'reader', 'freeBusyReader']);

/**
 * The `CalendarProvider` port on Google Calendar v3 through `@googleapis/calendar`: `syncToken`
 * change listings, quota-aware retries, idempotent creates (client-chosen ids) and push channels.
 *
 * @example
 * const google = createGoogleCalendar({ auth: () => oauth.accessToken(userId) });
 * const calendars = await google.listCalendars();
 * const page = await google.listChanges('primary'); // a full listing; pass page.cursor next time
 */
export function createGoogleCalendar(options: GoogleCalendarOptions): CalendarProvider {
  if (!options || typeof options !== 'object') throw new IntegrationError('invalid_config', 'createGoogleCalendar needs options');
  const { auth } = options;
  if (auth === undefined && options.client === undefined) {
    throw new IntegrationError('invalid_config', 'auth (a token or token provider) or client is required', { details: { field: 'auth' } });
  }
  if (auth !== undefined && typeof auth !== 'function' && (typeof auth !== 'string' || auth.length === 0)) {
    throw new IntegrationError('invalid_config', 'auth must be a non-empty access token or a function returning one', {
      details: { field: 'auth' },
    });
  }
  const client = options.client as Partial<Record<keyof GoogleCalendarClientLike, unknown>> | undefined;
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.events !== 'object')) {
    throw new IntegrationError('invalid_config', "client must be a calendar_v3.Calendar (calendar({ version: 'v3', auth }))", {
      details: { field: 'client' },
    });
  }
  const pageSize = options.pageSize ?? 250;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 2500) {
    throw new IntegrationError('invalid_config', 'pageSize must be an integer from 1 to 2500', { details: { field: 'pageSize' } });
  }
  const api =
    (options.client as calendar_v3.Calendar | undefined) ??
    calendar({ version: 'v3', retry: false, ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}) } as Parameters<typeof calendar>[0]);
  const telemetry = adapterTelemetry('createGoogleCalendar', options);
  const zones = new Map<string, string>();

  async function headers(rejected?: string): Promise<Record<string, string>> {
    if (auth === undefined) return {};
    const token = typeof auth === 'string' ? auth : await auth(rejected === undefined ? undefined : { rejected });
    return { Authorization: `Bearer ${token}` };
  }

  /** One provider call: auth header, one token refresh on 401, retry policy, telemetry, error mapping. */
  function call<T>(
    operation: string,
    run: (h: Record<string, string>) => Promise<{ data: T; status: number }>,
    policy: { mutation?: boolean; idempotencyKey?: string } = {},
  ): Promise<T> {
    return providerCall(
      {
        telemetry,
        provider: 'google',
        operation,
        policy: { ...options.retry, ...policy },
        mapError: (error) => mapGoogleError(error, operation),
      },
      async (ctx) => {
        let h = await headers();
        const res = await run(h).catch(async (error: unknown) => {
          const status = (error as { status?: number }).status ?? (error as { response?: { status?: number } }).response?.status;
          if (status !== 401 || typeof auth !== 'function') throw error;
          h = await headers(h.Authorization?.slice(7));
          return run(h);
        });
        ctx?.setStatus(res.status);
        return res.data;
      },
    );
  }

  async function zoneOf(calendarId: string): Promise<string> {
    const known = zones.get(calendarId);
    if (known) return known;
    const cal = await call('calendars.get', (h) => api.calendars.get({ calendarId }, { headers: h }));
    const zone = cal.timeZone ?? 'UTC';
    zones.set(calendarId, zone);
    return zone;
  }

  async function getRaw(calendarId: string, eventId: string): Promise<calendar_v3.Schema$Event> {
    return call('events.get', (h) => api.events.get({ calendarId, eventId }, { headers: h }));
  }

  const provider: CalendarProvider = {
    name: 'google',

    async listCalendars() {
      const out: CalendarInfo[] = [];
      let pageToken: string | undefined;
      do {
        const page = await call('calendarList.list', (h) =>
          api.calendarList.list({ maxResults: 250, ...(pageToken ? { pageToken } : {}) }, { headers: h }),
        );
        for (const c of page.items ?? []) {
          if (!c.id) continue;
          const timeZone = c.timeZone ?? 'UTC';
          zones.set(c.id, timeZone);
          out.push({
            id: c.id,
            title: c.summaryOverride ?? c.summary ?? c.id,
            timeZone,
            accessRole: (ROLES.has(c.accessRole ?? '') ? c.accessRole : 'reader') as AccessRole,
            primary: c.primary === true,
          });
        }
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      return out;
    },

    async getEvent(calendarId, eventId) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const ev = await getRaw(calendarId, eventId);
      return fromGoogle(ev, calendarId, await zoneOf(calendarId));
    },

    async listEvents(calendarId, opts) {
      assertId(calendarId, 'calendarId');
      assertWindow(opts?.from, opts?.to);
      const out: CalendarEvent[] = [];
      let pageToken: string | undefined;
      do {
        const page = await call('events.list', (h) =>
          api.events.list(
            {
              calendarId,
              timeMin: opts.from,
              timeMax: opts.to,
              singleEvents: opts.expand === true,
              showDeleted: opts.includeCancelled === true,
              maxResults: 2500,
              ...(pageToken ? { pageToken } : {}),
            },
            { headers: h },
          ),
        );
        const zone = page.timeZone ?? (await zoneOf(calendarId));
        zones.set(calendarId, zone);
        for (const ev of page.items ?? []) {
          if (isTombstone(ev)) continue;
          if (ev.status === 'cancelled' && !opts.includeCancelled) continue;
          out.push(fromGoogle(ev, calendarId, zone));
        }
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      return out;
    },

    async createEvent(calendarId, input) {
      assertId(calendarId, 'calendarId');
      const parsed = parseEventInput(input);
      const id = parsed.id ?? newEventId();
      const fingerprint = await inputFingerprint({ ...parsed, id });
      const body = toGoogle({ ...parsed, id }, fingerprint);
      try {
        const ev = await call('events.insert', (h) => api.events.insert({ calendarId, requestBody: body }, { headers: h }), {
          mutation: true,
          idempotencyKey: id,
        });
        return fromGoogle(ev, calendarId, await zoneOf(calendarId));
      } catch (error) {
        if (!isIntegrationError(error) || error.code !== 'conflict') throw error;
        // 409 duplicate: our earlier attempt (or an earlier run) made it. Same content → that event.
        const existing = await getRaw(calendarId, id).catch(() => undefined);
        if (existing && existing.status !== 'cancelled' && existing.extendedProperties?.private?.[FINGERPRINT_KEY] === fingerprint) {
          return fromGoogle(existing, calendarId, await zoneOf(calendarId));
        }
        throw new IntegrationError('conflict', `an event with id ${id} already exists with other content`, {
          provider: 'google',
          status: 409,
          cause: error,
        });
      }
    },

    async updateEvent(calendarId, eventId, patch, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const parsed = parseEventPatch(patch);
      if (parsed.start && parsed.end) assertRange(parsed.start, parsed.end);
      const h0: Record<string, string> = opts?.etag ? { 'If-Match': opts.etag } : {};
      const ev = await call(
        'events.patch',
        (h) => api.events.patch({ calendarId, eventId, requestBody: toGoogle(parsed) }, { headers: { ...h, ...h0 } }),
        // A patch without a precondition sets the same fields again: safe to retry. With one, a
        // retry after a lost answer would fail its own precondition, so it is not retried.
        { mutation: true, ...(opts?.etag ? {} : { idempotencyKey: `patch:${eventId}` }) },
      );
      return fromGoogle(ev, calendarId, await zoneOf(calendarId));
    },

    async deleteEvent(calendarId, eventId, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const h0: Record<string, string> = opts?.etag ? { 'If-Match': opts.etag } : {};
      // A delete is idempotent: retried after a lost answer, Google says 410 "deleted", which means
      // our first attempt worked. The first attempt's 404/410 is still reported as not_found.
      let attempts = 0;
      await call(
        'events.delete',
        async (h) => {
          attempts += 1;
          try {
            return await api.events.delete({ calendarId, eventId }, { headers: { ...h, ...h0 } });
          } catch (error) {
            const status = (error as { status?: number }).status ?? (error as { response?: { status?: number } }).response?.status;
            if (attempts > 1 && status === 410) return { data: undefined, status: 204 };
            throw error;
          }
        },
        { mutation: true, ...(opts?.etag ? {} : { idempotencyKey: `delete:${eventId}` }) },
      );
    },

    async respondToEvent(calendarId, eventId, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      if (!opts || !['accepted', 'declined', 'tentative'].includes(opts.response)) {
        throw new IntegrationError('invalid_input', 'response must be accepted, declined or tentative', { details: { field: 'response' } });
      }
      // Google has no "respond" call: the attendee patches its own responseStatus, guarded by the etag.
      const ev = await getRaw(calendarId, eventId);
      const attendees = ev.attendees ?? [];
      if (!attendees.some((a) => a.self)) {
        throw new IntegrationError('invalid_input', 'the calendar owner is not an attendee of this event', {
          details: { field: 'eventId' },
        });
      }
      const next = attendees.map((a) =>
        a.self ? { ...a, responseStatus: opts.response, ...(opts.comment ? { comment: opts.comment } : {}) } : a,
      );
      // Guarded by the etag, so not retried once sent: a retry after a lost answer would fail its own precondition.
      const updated = await call(
        'events.patch',
        (h) =>
          api.events.patch(
            { calendarId, eventId, requestBody: { attendees: next } },
            { headers: { ...h, ...(ev.etag ? { 'If-Match': ev.etag } : {}) } },
          ),
        { mutation: true },
      );
      return fromGoogle(updated, calendarId, await zoneOf(calendarId));
    },

    async freeBusy(request) {
      const window = assertWindow(request?.from, request?.to);
      if (!Array.isArray(request.calendarIds) || request.calendarIds.length === 0) {
        throw new IntegrationError('invalid_input', 'calendarIds must be a non-empty array', { details: { field: 'calendarIds' } });
      }
      const spans = new Map<string, { start: number; end: number }[]>();
      const errors = new Map<string, string[]>();
      for (let i = 0; i < request.calendarIds.length; i += FREEBUSY_MAX_CALENDARS) {
        const ids = request.calendarIds.slice(i, i + FREEBUSY_MAX_CALENDARS);
        for (let from = window.from; from < window.to; from += FREEBUSY_MAX_DAYS * DAY) {
          const to = Math.min(window.to, from + FREEBUSY_MAX_DAYS * DAY);
          const res = await call('freebusy.query', (h) =>
            api.freebusy.query(
              {
                requestBody: {
                  timeMin: new Date(from).toISOString(),
                  timeMax: new Date(to).toISOString(),
                  items: ids.map((id) => ({ id })),
                },
              },
              { headers: h },
            ),
          );
          for (const id of ids) {
            const entry = res.calendars?.[id];
            for (const e of entry?.errors ?? []) errors.set(id, [...(errors.get(id) ?? []), e.reason ?? 'error']);
            const list = spans.get(id) ?? [];
            for (const b of entry?.busy ?? []) if (b.start && b.end) list.push({ start: Date.parse(b.start), end: Date.parse(b.end) });
            spans.set(id, list);
          }
        }
      }
      const result: FreeBusyResult = {};
      for (const id of request.calendarIds) {
        // Chunks meet at their edges: merging joins an event that spans two chunks back into one.
        const busy = mergeIntervals(spans.get(id) ?? []).map((s) => ({
          start: new Date(s.start).toISOString(),
          end: new Date(s.end).toISOString(),
          kind: 'busy' as const,
        }));
        const errs = errors.get(id);
        result[id] = errs ? { busy, errors: [...new Set(errs)] } : { busy };
      }
      return result;
    },

    async listChanges(calendarId, cursor): Promise<ChangePage> {
      assertId(calendarId, 'calendarId');
      const c = cursor === undefined ? undefined : decodeCursor(cursor, 'google', isGoogleCursor);
      // A sync token cannot be combined with timeMin/timeMax/q/orderBy: the listing is unfiltered,
      // with deleted events shown so a full listing also reports cancelled exceptions.
      const params: calendar_v3.Params$Resource$Events$List = { calendarId, maxResults: pageSize, showDeleted: true, singleEvents: false };
      if (c?.t === 'sync') params.syncToken = c.v;
      if (c?.t === 'page') params.pageToken = c.v;
      const full = c === undefined || (c.t === 'page' && c.v.startsWith('F'));
      const page = await call('events.list', (h) =>
        api.events.list({ ...params, ...(params.pageToken ? { pageToken: params.pageToken.slice(1) } : {}) }, { headers: h }),
      );
      const zone = page.timeZone ?? (await zoneOf(calendarId));
      zones.set(calendarId, zone);
      const changes: EventChange[] = (page.items ?? []).map((ev) =>
        isTombstone(ev)
          ? { type: 'delete', calendarId, eventId: ev.id ?? '' }
          : { type: 'upsert', event: fromGoogle(ev, calendarId, zone) },
      );
      if (page.nextPageToken) {
        // Google's page tokens do not say whether the listing is a full one: remember it in ours.
        return { changes, cursor: encodeCursor({ t: 'page', v: `${full ? 'F' : 'I'}${page.nextPageToken}` }), more: true, full };
      }
      if (!page.nextSyncToken) {
        throw new IntegrationError('provider_error', 'google events.list ended without a nextSyncToken', { provider: 'google' });
      }
      return { changes, cursor: encodeCursor({ t: 'sync', v: page.nextSyncToken }), more: false, full };
    },

    async watch(request) {
      assertId(request?.calendarId, 'calendarId');
      if (typeof request.address !== 'string' || !request.address.startsWith('https://')) {
        throw new IntegrationError('invalid_input', 'address must be an https URL', { details: { field: 'address' } });
      }
      if (typeof request.token !== 'string' || request.token.length === 0 || request.token.length > 256) {
        throw new IntegrationError('invalid_input', 'token must be 1-256 characters', { details: { field: 'token' } });
      }
      const id = newEventId();
      const res = await call('events.watch', (h) =>
        api.events.watch(
          {
            calendarId: request.calendarId,
            requestBody: {
              id,
              type: 'web_hook',
              address: request.address,
              token: request.token,
              ...(request.ttlSeconds ? { params: { ttl: String(request.ttlSeconds) } } : {}),
            },
          },
          { headers: h },
        ),
      );
      return { id: res.id ?? id, resourceId: res.resourceId ?? '', calendarId: request.calendarId, expiresAt: Number(res.expiration ?? 0) };
    },

    async stopWatch(channel) {
      assertId(channel?.id, 'channel.id');
      assertId(channel.resourceId, 'channel.resourceId');
      await call('channels.stop', (h) =>
        api.channels.stop({ requestBody: { id: channel.id, resourceId: channel.resourceId } }, { headers: h }),
      );
    },
  };
  return provider;
}
