/**
 * `createOutlookCalendar`: the `CalendarProvider` port on Microsoft Graph v1.0 through
 * `@microsoft/microsoft-graph-client`. The client's own RetryHandler is left out of the middleware
 * so switchyard's `retry` is the one policy (429/503/504 with `Retry-After`, backoff, budget).
 *
 * Sync is `calendarView/delta` over a window (default 30 days back, 365 ahead). A delta link keeps
 * the window it was made with, so a window that is never moved stops covering the future: when the
 * committed window ends less than `futureDays - rotateDays` ahead, the next `listChanges` starts a
 * new full listing over a fresh window (the sync engine then reports what left the window).
 */
import { Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { IntegrationError, isIntegrationError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { adapterTelemetry, type Telemetry } from '../../core/observability.js';
import type { RetryPolicy } from '../../retry/index.js';
import { providerCall } from '../../retry/provider-call.js';

import { decodeCursor, encodeCursor } from '../cursor.js';
import { mergeIntervals } from '../free-busy.js';
import { inputFingerprint, newEventId } from '../ids.js';
import { eventSpan } from '../instances.js';
import type { CalendarEvent, CalendarInfo, CalendarProvider, ChangePage, Channel, EventChange, FreeBusyResult } from '../types.js';
import { assertId, assertRange, assertWindow, parseEventInput, parseEventPatch } from '../validate.js';
import { mapGraphError } from './errors.js';
import { EXT_PROP_ID, fingerprintOf, fromGraph, type GraphEventResource, ianaOf, toGraph } from './map.js';

/** An access token, or a function returning one (called again with the token Graph rejected with 401). */
export type GraphAuth = string | ((options?: { rejected?: string }) => Promise<string>);

/** Options of `createOutlookCalendar`. */
export interface OutlookCalendarOptions {
  /** An access token or a token provider. Omit only when `client` is already authenticated. */
  auth?: GraphAuth;
  /** A Graph `Client` you built yourself; leave its RetryHandler out or retries multiply. */
  client?: Client;
  /** The retry policy of every Graph call (429/503/504 honour `Retry-After`). */
  retry?: RetryPolicy;
  /** Spans, metrics and hooks of every Graph call. */
  telemetry?: Telemetry;
  /** Host logger (wrapped with `withRedaction`); shorthand for `telemetry: createTelemetry({ logger })` without spans. */
  logger?: Logger;
  /** `Prefer: odata.maxpagesize` of delta pages. Default 100. */
  pageSize?: number;
  /** The delta window: days back and ahead of now. Defaults 30 and 365. */
  pastDays?: number;
  futureDays?: number;
  /** Start a fresh window once the committed one has shrunk ahead by this many days. Default 7. */
  rotateDays?: number;
  /** The user's address, to mark `self` attendees and answer getSchedule. Default: the calendars' owner. */
  ownerEmail?: string;
  /** Clock, epoch ms (like `Date.now`): places the delta window and the subscription expiry. */
  now?: () => number;
}

type Cursor = { u: string; full: boolean; from: number; end: number };
const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Cursor).u === 'string' &&
  typeof (v as Cursor).full === 'boolean' &&
  typeof (v as Cursor).from === 'number' &&
  typeof (v as Cursor).end === 'number';

const DAY = 86_400_000;
/**
 * What we ask Graph for: 70 hours. The lead's rule is "at most 3 days", and Graph's documented
 * maximum for Outlook events has been 4230 minutes (70.5 h, under 3 days) on many tenants; asking
 * for more is a 400. Whatever Graph grants is what the channel's `expiresAt` says.
 */
export const MAX_SUBSCRIPTION_SECONDS = 70 * 3600;
const PREFER_UTC = 'outlook.timezone="UTC"';
const EXPAND = `singleValueExtendedProperties($filter=id eq '${EXT_PROP_ID}')`;

/**
 * The `CalendarProvider` port on Microsoft Graph v1.0 through `@microsoft/microsoft-graph-client`:
 * `calendarView/delta` over a rotating window, cancelled occurrences found through `/instances`,
 * `transactionId` creates, Windows ↔ IANA zones and renewable subscriptions.
 *
 * @example
 * const outlook = createOutlookCalendar({ auth: () => oauth.accessToken(userId) });
 * const calendarId = (await outlook.listCalendars()).find((c) => c.primary)?.id ?? '';
 * const page = await outlook.listChanges(calendarId); // a full listing over the window; pass page.cursor next time
 */
export function createOutlookCalendar(options: OutlookCalendarOptions): CalendarProvider {
  if (!options || typeof options !== 'object') throw new IntegrationError('invalid_config', 'createOutlookCalendar needs options');
  const { auth } = options;
  if (auth === undefined && options.client === undefined) {
    throw new IntegrationError('invalid_config', 'auth (a token or token provider) or client is required', { details: { field: 'auth' } });
  }
  if (auth !== undefined && typeof auth !== 'function' && (typeof auth !== 'string' || auth.length === 0)) {
    throw new IntegrationError('invalid_config', 'auth must be a non-empty access token or a function returning one', {
      details: { field: 'auth' },
    });
  }
  const num = (v: number | undefined, d: number, field: string, max: number) => {
    const n = v ?? d;
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new IntegrationError('invalid_config', `${field} must be an integer from 1 to ${max}`, { details: { field } });
    return n;
  };
  const pageSize = num(options.pageSize, 100, 'pageSize', 1000);
  const pastDays = num(options.pastDays, 30, 'pastDays', 3650);
  const futureDays = num(options.futureDays, 365, 'futureDays', 3650);
  const rotateDays = num(options.rotateDays, 7, 'rotateDays', futureDays);
  const now = options.now ?? Date.now;
  const client = options.client ?? Client.initWithMiddleware({ middleware: new HTTPMessageHandler() });
  const telemetry = adapterTelemetry('createOutlookCalendar', options);
  let mailboxZone: string | undefined;
  let owner = options.ownerEmail;

  async function token(rejected?: string): Promise<string | undefined> {
    if (auth === undefined) return undefined;
    return typeof auth === 'string' ? auth : auth(rejected === undefined ? undefined : { rejected });
  }

  function call<T>(
    operation: string,
    run: (headers: Record<string, string>) => Promise<T>,
    policy: { mutation?: boolean; idempotencyKey?: string } = {},
  ): Promise<T> {
    return providerCall(
      {
        telemetry,
        provider: 'outlook',
        operation,
        policy: { ...options.retry, ...policy },
        mapError: (error) => mapGraphError(error, operation),
      },
      async () => {
        let t = await token();
        const headersFor = (x: string | undefined): Record<string, string> => (x ? { Authorization: `Bearer ${x}` } : {});
        return run(headersFor(t)).catch(async (error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 401 || typeof auth !== 'function') throw error;
          t = await token(t);
          return run(headersFor(t));
        });
      },
    );
  }

  /** A request with our headers. Every answer in UTC; `prefer` adds to (never replaces) that preference. */
  const req = (path: string, headers: Record<string, string>, prefer?: string) => {
    let r = client.api(path);
    for (const [k, v] of Object.entries(headers)) r = r.header(k, v);
    return r.header('Prefer', prefer ? `${PREFER_UTC}, ${prefer}` : PREFER_UTC);
  };

  async function zone(): Promise<string> {
    if (mailboxZone) return mailboxZone;
    const settings = await call('mailboxSettings.get', (h) => req('/me/mailboxSettings', h).get() as Promise<{ timeZone?: string }>);
    mailboxZone = ianaOf(settings.timeZone, 'UTC');
    return mailboxZone;
  }

  async function norm(ev: GraphEventResource, calendarId: string): Promise<CalendarEvent> {
    return fromGraph(ev, calendarId, await zone(), owner);
  }

  async function getRaw(eventId: string): Promise<GraphEventResource> {
    return call(
      'events.get',
      (h) =>
        req(`/me/events/${encodeURIComponent(eventId)}`, h)
          .query({ $expand: EXPAND })
          .get() as Promise<GraphEventResource>,
    );
  }

  async function pagesOf(first: string, operation: string, headers: Record<string, string> = {}): Promise<GraphEventResource[]> {
    const out: GraphEventResource[] = [];
    let url: string | undefined = first;
    while (url) {
      const page: { value?: GraphEventResource[]; '@odata.nextLink'?: string } = await call(operation, (h) =>
        req(url as string, { ...h, ...headers }).get(),
      );
      out.push(...(page.value ?? []));
      url = page['@odata.nextLink'];
    }
    return out;
  }

  async function instancesOf(seriesId: string, from: number, to: number): Promise<{ seriesId: string; instanceIds: string[] }> {
    const url = `/me/events/${encodeURIComponent(seriesId)}/instances?startDateTime=${new Date(from).toISOString()}&endDateTime=${new Date(to).toISOString()}&$select=id&$top=200`;
    try {
      const items = await pagesOf(url, 'events.instances');
      return { seriesId, instanceIds: items.flatMap((i) => (i.id && !i.isCancelled ? [i.id] : [])) };
    } catch (error) {
      // The series is gone: none of its instances remain.
      if (isIntegrationError(error) && error.code === 'not_found') return { seriesId, instanceIds: [] };
      throw error;
    }
  }

  const viewUrl = (calendarId: string, from: number, to: number) =>
    `/me/calendars/${encodeURIComponent(calendarId)}/calendarView?startDateTime=${new Date(from).toISOString()}&endDateTime=${new Date(to).toISOString()}&$top=100&$expand=${encodeURIComponent(EXPAND)}`;

  const provider: CalendarProvider = {
    name: 'outlook',

    async listCalendars() {
      const tz = await zone();
      const res = await call(
        'calendars.list',
        (h) =>
          req('/me/calendars', h).get() as Promise<{
            value?: { id: string; name?: string; canEdit?: boolean; isDefaultCalendar?: boolean; owner?: { address?: string } }[];
          }>,
      );
      const out: CalendarInfo[] = [];
      for (const c of res.value ?? []) {
        owner ??= c.isDefaultCalendar ? c.owner?.address : undefined;
        const mine = owner !== undefined && c.owner?.address?.toLowerCase() === owner.toLowerCase();
        out.push({
          id: c.id,
          title: c.name ?? c.id,
          timeZone: tz,
          accessRole: c.canEdit ? (mine ? 'owner' : 'writer') : 'reader',
          primary: c.isDefaultCalendar === true,
        });
      }
      return out;
    },

    async getEvent(calendarId, eventId) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      return norm(await getRaw(eventId), calendarId);
    },

    async listEvents(calendarId, opts) {
      assertId(calendarId, 'calendarId');
      const w = assertWindow(opts?.from, opts?.to);
      const items = await pagesOf(viewUrl(calendarId, w.from, w.to), 'calendarView.list');
      const events = await Promise.all(items.map((i) => norm(i, calendarId)));
      if (opts.expand) return events;
      // Not expanded: occurrences fold back into their series master, exceptions stay.
      const out: CalendarEvent[] = [];
      const masters = new Set<string>();
      for (const [i, raw] of items.entries()) {
        const ev = events[i] as CalendarEvent;
        if (raw.type === 'occurrence' && raw.seriesMasterId) {
          if (!masters.has(raw.seriesMasterId)) {
            masters.add(raw.seriesMasterId);
            out.push(await norm(await getRaw(raw.seriesMasterId), calendarId));
          }
        } else out.push(ev);
      }
      return out;
    },

    async createEvent(calendarId, input) {
      assertId(calendarId, 'calendarId');
      const parsed = parseEventInput(input);
      const tz = await zone();
      // Graph chooses event ids; the client's key goes in `transactionId`, which Graph uses to
      // answer a repeated create with the event it already made.
      const transactionId = parsed.id ?? newEventId();
      const fingerprint = await inputFingerprint({ ...parsed, id: transactionId });
      const body = toGraph(parsed, tz, { fingerprint, transactionId });
      const created = await call(
        'events.create',
        (h) =>
          req(`/me/calendars/${encodeURIComponent(calendarId)}/events`, h)
            .query({ $expand: EXPAND })
            .post(body) as Promise<GraphEventResource>,
        { mutation: true, idempotencyKey: transactionId },
      );
      const fp = fingerprintOf(created) ?? fingerprintOf(await getRaw(created.id ?? ''));
      if (fp !== fingerprint) {
        throw new IntegrationError('conflict', `an event with transactionId ${transactionId} already exists with other content`, {
          provider: 'outlook',
          status: 409,
        });
      }
      return norm(created.singleValueExtendedProperties ? created : await getRaw(created.id ?? ''), calendarId);
    },

    async updateEvent(calendarId, eventId, patch, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const parsed = parseEventPatch(patch);
      if (parsed.start && parsed.end) assertRange(parsed.start, parsed.end);
      let body = toGraph(parsed, await zone());
      if (parsed.extendedProperties) {
        // Keep the create fingerprint next to the host's new properties.
        const fp = fingerprintOf(await getRaw(eventId));
        body = toGraph(parsed, await zone(), fp ? { fingerprint: fp } : {});
      }
      const extra: Record<string, string> = opts?.etag ? { 'If-Match': opts.etag } : {};
      const updated = await call(
        'events.update',
        (h) => req(`/me/events/${encodeURIComponent(eventId)}`, { ...h, ...extra }).patch(body) as Promise<GraphEventResource>,
        {
          mutation: true,
          ...(opts?.etag ? {} : { idempotencyKey: `patch:${eventId}` }),
        },
      );
      return norm(
        updated?.id
          ? {
              ...updated,
              ...(updated.singleValueExtendedProperties
                ? {}
                : { singleValueExtendedProperties: (await getRaw(eventId)).singleValueExtendedProperties ?? [] }),
            }
          : await getRaw(eventId),
        calendarId,
      );
    },

    async deleteEvent(calendarId, eventId, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const extra: Record<string, string> = opts?.etag ? { 'If-Match': opts.etag } : {};
      // Idempotent: a retry after a lost answer finds the event gone (404), which means the first
      // attempt worked. A 404 on the first attempt is still not_found.
      let attempts = 0;
      await call(
        'events.delete',
        async (h) => {
          attempts += 1;
          try {
            return await req(`/me/events/${encodeURIComponent(eventId)}`, { ...h, ...extra }).delete();
          } catch (error) {
            if (attempts > 1 && (error as { statusCode?: number }).statusCode === 404) return undefined;
            throw error;
          }
        },
        { mutation: true, ...(opts?.etag ? {} : { idempotencyKey: `delete:${eventId}` }) },
      );
    },

    async respondToEvent(calendarId, eventId, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const action = { accepted: 'accept', declined: 'decline', tentative: 'tentativelyAccept' }[opts?.response as string];
      if (!action)
        throw new IntegrationError('invalid_input', 'response must be accepted, declined or tentative', { details: { field: 'response' } });
      await call('events.respond', (h) =>
        req(`/me/events/${encodeURIComponent(eventId)}/${action}`, h).post({
          sendResponse: true,
          ...(opts.comment ? { comment: opts.comment } : {}),
        }),
      );
      return norm(await getRaw(eventId), calendarId);
    },

    async freeBusy(request) {
      const w = assertWindow(request?.from, request?.to);
      if (!Array.isArray(request.calendarIds) || request.calendarIds.length === 0) {
        throw new IntegrationError('invalid_input', 'calendarIds must be a non-empty array', { details: { field: 'calendarIds' } });
      }
      const tz = await zone();
      const result: FreeBusyResult = {};
      // Email addresses (people, rooms) go to getSchedule; the user's own calendar ids are read
      // through calendarView, which getSchedule cannot address.
      const emails = request.calendarIds.filter((id) => id.includes('@'));
      const ids = request.calendarIds.filter((id) => !id.includes('@'));
      for (const id of ids) {
        const events = await provider.listEvents(id, { from: request.from, to: request.to, expand: true });
        const busy = events.filter((e) => e.status !== 'cancelled' && e.transparency === 'opaque');
        const spans = (kind: 'busy' | 'tentative') =>
          mergeIntervals(busy.filter((e) => (e.status === 'tentative') === (kind === 'tentative')).map((e) => eventSpan(e, tz))).map(
            (s) => ({
              start: new Date(Math.max(s.start, w.from)).toISOString(),
              end: new Date(Math.min(s.end, w.to)).toISOString(),
              kind,
            }),
          );
        result[id] = { busy: [...spans('busy'), ...spans('tentative')].sort((a, b) => Date.parse(a.start) - Date.parse(b.start)) };
      }
      for (let i = 0; i < emails.length; i += 100) {
        const chunk = emails.slice(i, i + 100);
        const res = await call(
          'calendar.getSchedule',
          (h) =>
            req('/me/calendar/getSchedule', h).post({
              schedules: chunk,
              startTime: { dateTime: new Date(w.from).toISOString().slice(0, 19), timeZone: 'UTC' },
              endTime: { dateTime: new Date(w.to).toISOString().slice(0, 19), timeZone: 'UTC' },
              availabilityViewInterval: 30,
            }) as Promise<{
              value?: {
                scheduleId: string;
                error?: { responseCode?: string };
                scheduleItems?: { status: string; start: { dateTime: string }; end: { dateTime: string } }[];
              }[];
            }>,
        );
        for (const s of res.value ?? []) {
          const busy = (s.scheduleItems ?? [])
            .filter((x) => x.status !== 'free')
            .map((x) => ({
              start: `${x.start.dateTime.slice(0, 19)}.000Z`,
              end: `${x.end.dateTime.slice(0, 19)}.000Z`,
              kind: x.status === 'tentative' ? ('tentative' as const) : ('busy' as const),
            }));
          result[s.scheduleId] = s.error ? { busy, errors: [s.error.responseCode ?? 'error'] } : { busy };
        }
      }
      return result;
    },

    async listChanges(calendarId, cursor): Promise<ChangePage> {
      assertId(calendarId, 'calendarId');
      let c = cursor === undefined ? undefined : decodeCursor(cursor, 'outlook', isCursor);
      if (c && !c.full && c.end - now() < (futureDays - rotateDays) * DAY) c = undefined; // window rotation
      let full = c === undefined || c.full;
      let url: string;
      let from: number;
      let end: number;
      if (c) {
        url = c.u;
        from = c.from;
        end = c.end;
      } else {
        full = true;
        from = now() - pastDays * DAY;
        end = now() + futureDays * DAY;
        url = `/me/calendars/${encodeURIComponent(calendarId)}/calendarView/delta?startDateTime=${new Date(from).toISOString()}&endDateTime=${new Date(end).toISOString()}`;
      }
      const page = await call(
        'calendarView.delta',
        (h) =>
          req(url, h, `odata.maxpagesize=${pageSize}`).get() as Promise<{
            value?: GraphEventResource[];
            '@odata.nextLink'?: string;
            '@odata.deltaLink'?: string;
          }>,
      );
      const changes: EventChange[] = [];
      for (const item of page.value ?? []) {
        // The view holds instances, not masters: a series master in the feed only says the series changed.
        if (item.type === 'seriesMaster' && !item['@removed']) continue;
        if (item['@removed'] || item.isCancelled) changes.push({ type: 'delete', calendarId, eventId: item.id ?? '' });
        else changes.push({ type: 'upsert', event: await norm(item, calendarId) });
      }
      const next = page['@odata.nextLink'];
      const delta = page['@odata.deltaLink'];
      if (!next && !delta)
        throw new IntegrationError('provider_error', 'graph delta page has neither nextLink nor deltaLink', { provider: 'outlook' });
      const out: ChangePage = next
        ? { changes, cursor: encodeCursor({ u: next, full, from, end }), more: true, full }
        : { changes, cursor: encodeCursor({ u: delta as string, full: false, from, end }), more: false, full };
      if (!full) {
        // v1.0 delta never reports a cancelled occurrence. When a series shows up in an increment
        // (its changed master, or one of its instances), list its instances in the window: the
        // engine drops the ones it holds that are missing. The master is the only trace when every
        // instance left in the window was cancelled.
        const seriesIds = [
          ...new Set(
            (page.value ?? []).flatMap((i) => {
              if (i['@removed']) return [];
              if (i.type === 'seriesMaster' && i.id) return [i.id];
              return i.seriesMasterId ? [i.seriesMasterId] : [];
            }),
          ),
        ];
        if (seriesIds.length > 0) out.series = await Promise.all(seriesIds.map((id) => instancesOf(id, from, end)));
      }
      return out;
    },

    async watch(request) {
      assertId(request?.calendarId, 'calendarId');
      if (typeof request.address !== 'string' || !request.address.startsWith('https://')) {
        throw new IntegrationError('invalid_input', 'address must be an https URL', { details: { field: 'address' } });
      }
      if (typeof request.token !== 'string' || request.token.length === 0 || request.token.length > 128) {
        throw new IntegrationError('invalid_input', 'token (clientState) must be 1-128 characters', { details: { field: 'token' } });
      }
      const ttl = Math.min(request.ttlSeconds ?? MAX_SUBSCRIPTION_SECONDS, MAX_SUBSCRIPTION_SECONDS);
      const sub = await call(
        'subscriptions.create',
        (h) =>
          req('/subscriptions', h).post({
            changeType: 'created,updated,deleted',
            notificationUrl: request.address,
            lifecycleNotificationUrl: request.address,
            resource: `/me/calendars/${request.calendarId}/events`,
            expirationDateTime: new Date(now() + ttl * 1000).toISOString(),
            clientState: request.token,
          }) as Promise<{ id: string; expirationDateTime: string }>,
      );
      return { id: sub.id, resourceId: sub.id, calendarId: request.calendarId, expiresAt: Date.parse(sub.expirationDateTime) };
    },

    async renewWatch(channel: Channel, ttlSeconds?: number) {
      assertId(channel?.id, 'channel.id');
      const ttl = Math.min(ttlSeconds ?? MAX_SUBSCRIPTION_SECONDS, MAX_SUBSCRIPTION_SECONDS);
      const sub = await call(
        'subscriptions.renew',
        (h) =>
          req(`/subscriptions/${encodeURIComponent(channel.id)}`, h).patch({
            expirationDateTime: new Date(now() + ttl * 1000).toISOString(),
          }) as Promise<{ expirationDateTime: string }>,
      );
      // Trust the expiry Graph granted, not the one we asked for.
      return { ...channel, expiresAt: Date.parse(sub.expirationDateTime) };
    },

    async stopWatch(channel) {
      assertId(channel?.id, 'channel.id');
      await call('subscriptions.delete', (h) => req(`/subscriptions/${encodeURIComponent(channel.id)}`, h).delete()).catch(
        (error: unknown) => {
          // Already gone (expired or removed by Graph): stopping it is done.
          if (isIntegrationError(error) && error.code === 'not_found') return;
          throw error;
        },
      );
    },
  };
  return provider;
}
