/**
 * `createCalDavCalendar`: the `CalendarProvider` port over CalDAV (RFC 4791) on tsdav, with
 * iCalendar handled by ical.js. One resource per series (`<calendar>/<id>.ics`, UID = id).
 *
 * - Creates send `If-None-Match: *`, so a retried create can never overwrite or duplicate; a 412
 *   on create is resolved by comparing a stored fingerprint (same content → the same event).
 * - Updates and deletes send `If-Match` when given an etag; 412 → `precondition_failed`.
 * - Changes come from RFC 6578 `sync-collection`; servers without it fall back to a ctag + etag
 *   comparison. An invalid token (403 `valid-sync-token`, Nextcloud's 418) → `sync_token_expired`.
 * - Expansion and free/busy are computed client-side with `switchyard/recurrence`: servers that
 *   ignore `expand` or lack `free-busy-query` (Radicale, tsdav #116) are common.
 * - No push: CalDAV has no standard webhook, so `watch` is `unsupported` (poll `listChanges`).
 */
import type ICAL from 'ical.js';
import {
  createAccount,
  createObject,
  type DAVAccount,
  type DAVResponse,
  davRequest,
  deleteObject,
  fetchCalendars,
  freeBusyQuery,
  propfind,
  syncCollection,
  updateObject,
} from 'tsdav';
import { IntegrationError, isIntegrationError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { adapterTelemetry, type Telemetry } from '../../core/observability.js';
import type { RetryPolicy } from '../../retry/index.js';
import { providerCall } from '../../retry/provider-call.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { mergeIntervals } from '../free-busy.js';
import { inputFingerprint, newEventId } from '../ids.js';
import { eventSpan, expandSeries, originalKey } from '../instances.js';
import type { CalendarEvent, CalendarInfo, CalendarProvider, ChangePage, EventChange, EventTime, FreeBusyResult } from '../types.js';
import { assertId, assertRange, assertWindow, parseEventInput, parseEventPatch } from '../validate.js';
import {
  applyFields,
  ensureTimezones,
  masterOf,
  newOverride,
  newResource,
  parseCalendar,
  readFreeBusy,
  readResource,
  readTime,
  serializeCalendar,
  setPartstat,
  writeTime,
  X_FINGERPRINT,
} from './ical.js';
import { parseIcalTimezone } from './zone.js';

/** Options of {@link createCalDavCalendar}: the server, its credentials, and how changes and windows are read. */
export interface CalDavCalendarOptions {
  /** The server's URL (discovery starts here: `/.well-known/caldav`, then the principal). */
  serverUrl: string;
  /** HTTP Basic credentials. Omit for servers that need none. */
  credentials?: { username: string; password: string };
  /** The calendar user's address: marks `self` attendees and is the one `respondToEvent` answers for. */
  ownerEmail?: string;
  /** Zone for floating times and calendars without `calendar-timezone`. Default `UTC`. */
  defaultTimeZone?: string;
  /** Upserts per `listChanges` page. Default 100. */
  pageSize?: number;
  /** `auto` (default) uses `sync-collection` and falls back to ctag + etags when the server refuses it. */
  syncMethod?: 'auto' | 'sync-collection' | 'ctag';
  /**
   * `listEvents` asks the server for the resources in the window (`calendar-query` with a
   * `time-range` filter) and falls back to reading the collection when the server refuses it.
   * Default true; false always reads the whole collection (for a server whose filter is known to
   * miss recurring series).
   */
  timeRangeQuery?: boolean;
  /** Retry policy for reads and precondition-guarded writes (backoff, attempts). Default the `switchyard/retry` one. */
  retry?: RetryPolicy;
  /** A fetch implementation (tests, proxies). Default the global one. */
  fetch?: typeof fetch;
  /** Spans, metrics and hooks per call (`createTelemetry` from `switchyard`), as the Google and Outlook adapters take. */
  telemetry?: Telemetry;
  /** Host logger (wrapped with `withRedaction`); shorthand for `telemetry: createTelemetry({ logger })` without spans. */
  logger?: Logger;
}

/**
 * `page`: hrefs still to hydrate, then done at token `v` (or, with `m`, the server truncated its
 * answer: continue `sync-collection` from `v`). `more`: a truncated listing (RFC 6578 §3.6)
 * continues from token `v`, still full when `f`.
 */
type SyncCursor =
  | { t: 'sync'; v: string }
  | { t: 'page'; v: string; h: string[]; f: boolean; m?: true }
  | { t: 'more'; v: string; f: boolean }
  | { t: 'ctag'; e: Record<string, string>; g?: string }
  | { t: 'cpage'; e: Record<string, string>; h: string[]; f: boolean; g?: string };
const isCursor = (v: unknown): v is SyncCursor => {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (c.t === 'sync') return typeof c.v === 'string';
  if (c.t === 'page')
    return typeof c.v === 'string' && Array.isArray(c.h) && c.h.every((h) => typeof h === 'string') && typeof c.f === 'boolean';
  if (c.t === 'more') return typeof c.v === 'string' && typeof c.f === 'boolean';
  if (c.g !== undefined && typeof c.g !== 'string') return false;
  if (c.t === 'ctag') return typeof c.e === 'object' && c.e !== null;
  if (c.t === 'cpage') return typeof c.e === 'object' && c.e !== null && Array.isArray(c.h) && typeof c.f === 'boolean';
  return false;
};

const INSTANCE_SUFFIX = /^(.+)_(\d{8}(?:T\d{6}Z)?)$/;
const EVENT_PROPS = { 'd:getetag': {}, 'c:calendar-data': {} };
const DAV_NAMESPACES = { 'xmlns:d': 'DAV:', 'xmlns:c': 'urn:ietf:params:xml:ns:caldav' };
/** Statuses with which a server says it does not do a REPORT or filter (not that the request failed). */
const REFUSED = [400, 403, 405, 415, 422, 501];
const DAY_MS = 86_400_000;
/** `20260301T000000Z`: the UTC form RFC 4791 time-range attributes take. */
const utcStamp = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

/**
 * The `IntegrationError` for a CalDAV HTTP status: 401 `authentication`, 403 `permission`, 404/410
 * `not_found`, 409 `conflict`, 412 `precondition_failed`, 429 `rate_limited`, 5xx `unavailable`
 * (both retryable), and an invalid sync token (403/409 with `valid-sync-token` in the body,
 * Nextcloud's 418) `sync_token_expired`. `body` is only searched, never put in the message.
 *
 * @example
 * ```ts
 * import { mapCalDavStatus } from 'switchyard/calendar/caldav';
 *
 * const res = await fetch(url, { method: 'REPORT', headers, body });
 * if (!res.ok) throw mapCalDavStatus(res.status, 'sync-collection', await res.text());
 * // 403 with <D:valid-sync-token/> → code 'sync_token_expired': start a full listing
 * ```
 */
export function mapCalDavStatus(status: number, operation: string, body = ''): IntegrationError {
  const opts = { provider: 'caldav', status, details: { operation } };
  if (status === 418 || ((status === 403 || status === 409) && body.includes('valid-sync-token'))) {
    return new IntegrationError('sync_token_expired', 'the CalDAV sync token is no longer valid: start a full listing', opts);
  }
  if (status === 401) return new IntegrationError('authentication', `caldav ${operation}: credentials rejected`, opts);
  if (status === 403) return new IntegrationError('permission', `caldav ${operation}: forbidden`, opts);
  if (status === 404 || status === 410) return new IntegrationError('not_found', `caldav ${operation}: not found`, opts);
  if (status === 409) return new IntegrationError('conflict', `caldav ${operation}: conflict`, opts);
  if (status === 412)
    return new IntegrationError('precondition_failed', `caldav ${operation}: the resource changed since its etag was read`, opts);
  if (status === 429) return new IntegrationError('rate_limited', `caldav ${operation}: rate limited`, { ...opts, retryable: true });
  if (status >= 500)
    return new IntegrationError('unavailable', `caldav ${operation}: server error ${status}`, { ...opts, retryable: true });
  return new IntegrationError('provider_error', `caldav ${operation}: unexpected status ${status}`, opts);
}

function calendarDataOf(r: DAVResponse): string | undefined {
  const d = r.props?.calendarData as unknown;
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object' && typeof (d as { _cdata?: unknown })._cdata === 'string') return (d as { _cdata: string })._cdata;
  if (d && typeof d === 'object' && typeof (d as { _text?: unknown })._text === 'string') return (d as { _text: string })._text;
  return undefined;
}

const etagOf = (r: DAVResponse): string => String(r.props?.getetag ?? '');

/**
 * A `CalendarProvider` over CalDAV (iCloud, Fastmail, Nextcloud, Radicale …) on tsdav and ical.js.
 * Windows are narrowed by the server (`calendar-query` time-range) and expanded on the client;
 * changes come from `sync-collection` (ctag + etag fallback); free/busy from `free-busy-query`
 * where the server has it, computed from events otherwise. Bad options throw `invalid_config`.
 *
 * @example
 * ```ts
 * import { createCalDavCalendar } from 'switchyard/calendar/caldav';
 * import { createCalendarSync } from 'switchyard/calendar';
 *
 * const caldav = createCalDavCalendar({
 *   serverUrl: 'https://caldav.fastmail.com/',
 *   credentials: { username: 'me@fastmail.com', password: appPassword },
 *   ownerEmail: 'me@fastmail.com',
 * });
 * const [calendar] = await caldav.listCalendars();
 * const week = await caldav.listEvents(calendar.id, { from: '2026-03-02T00:00:00Z', to: '2026-03-09T00:00:00Z', expand: true });
 * await createCalendarSync({ provider: caldav, store, onChange: save }).sync(calendar.id);
 * ```
 */
export function createCalDavCalendar(options: CalDavCalendarOptions): CalendarProvider {
  if (!options || typeof options !== 'object') throw new IntegrationError('invalid_config', 'createCalDavCalendar needs options');
  let server: URL;
  try {
    server = new URL(options.serverUrl);
    if (server.protocol !== 'http:' && server.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new IntegrationError('invalid_config', 'serverUrl must be an http(s) URL', { details: { field: 'serverUrl' } });
  }
  const pageSize = options.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new IntegrationError('invalid_config', 'pageSize must be an integer from 1 to 1000', { details: { field: 'pageSize' } });
  }
  const syncMethod = options.syncMethod ?? 'auto';
  if (!['auto', 'sync-collection', 'ctag'].includes(syncMethod))
    throw new IntegrationError('invalid_config', 'syncMethod must be auto, sync-collection or ctag', { details: { field: 'syncMethod' } });
  const creds = options.credentials;
  if (creds !== undefined && (typeof creds.username !== 'string' || typeof creds.password !== 'string' || creds.username.length === 0)) {
    throw new IntegrationError('invalid_config', 'credentials need a username and a password', { details: { field: 'credentials' } });
  }
  if (options.timeRangeQuery !== undefined && typeof options.timeRangeQuery !== 'boolean')
    throw new IntegrationError('invalid_config', 'timeRangeQuery must be a boolean', { details: { field: 'timeRangeQuery' } });
  const telemetry = adapterTelemetry('createCalDavCalendar', options);
  const defaultZone = options.defaultTimeZone ?? 'UTC';
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = creds ? { Authorization: `Basic ${btoa(`${creds.username}:${creds.password}`)}` } : {};
  const ownerEmail = options.ownerEmail;
  let account: Promise<DAVAccount> | undefined;
  const zones = new Map<string, string>();
  /** Calendars whose server answered free-busy-query with no VFREEBUSY (Radicale): computed from events. */
  const noFreeBusyQuery = new Set<string>();
  /** Servers found not to support sync-collection (auto mode). */
  const noSyncCollection = new Set<string>();
  /** Calendars whose server refused a calendar-query time-range filter: read whole from then on. */
  const noTimeRange = new Set<string>();
  const timeRangeQuery = options.timeRangeQuery ?? true;

  /** Read-only and precondition-guarded calls are safe to retry; transport errors become `unavailable`. */
  function call<T>(operation: string, run: () => Promise<T>, policy: { mutation?: boolean; idempotencyKey?: string } = {}): Promise<T> {
    return providerCall(
      {
        telemetry,
        provider: 'caldav',
        operation,
        policy: { ...options.retry, ...policy },
        mapError: (error) =>
          isIntegrationError(error)
            ? error
            : new IntegrationError('unavailable', `caldav ${operation}: ${(error as Error)?.message ?? 'request failed'}`, {
                provider: 'caldav',
                retryable: true,
                cause: error,
              }),
      },
      run,
    );
  }

  async function check(res: Response, operation: string): Promise<Response> {
    if (res.ok) return res;
    throw mapCalDavStatus(res.status, operation, await res.text().catch(() => ''));
  }

  function davCheck(rs: DAVResponse[], operation: string): DAVResponse[] {
    const first = rs[0];
    if (rs.length === 1 && first && first.ok === false && first.status !== undefined && first.status >= 400 && !first.props) {
      throw mapCalDavStatus(first.status, operation, typeof first.raw === 'string' ? first.raw : '');
    }
    return rs;
  }

  function discover(): Promise<DAVAccount> {
    account ??= call('discover', async () => {
      // tsdav's discovery throws untyped errors; one PROPFIND first turns 401/403/5xx into ours.
      davCheck(
        await propfind({ url: server.href, props: { 'd:current-user-principal': {} }, depth: '0', headers, fetch: fetchImpl }),
        'discover',
      );
      return createAccount({ account: { serverUrl: server.href, accountType: 'caldav' }, headers, fetch: fetchImpl });
    }).catch((error: unknown) => {
      account = undefined;
      throw isIntegrationError(error)
        ? error
        : new IntegrationError('unavailable', 'caldav discovery failed', { provider: 'caldav', cause: error });
    });
    return account;
  }

  const calendarUrl = (calendarId: string) => new URL(calendarId.endsWith('/') ? calendarId : `${calendarId}/`, server).href;
  /**
   * Objects other clients stored under a name that is not `<id>.ics` keep their href: the id is the
   * name (without `.ics`), and the href seen in a listing is remembered so getEvent/update/delete
   * reach the same object. (Unlisted in this process, such an id is looked up as `<id>.ics`.)
   */
  const foreignHrefs = new Map<string, string>();
  const eventUrl = (calendarId: string, id: string) =>
    foreignHrefs.get(`${calendarUrl(calendarId)}|${id}`) ?? new URL(`${encodeURIComponent(id)}.ics`, calendarUrl(calendarId)).href;
  const idOfHref = (calendarId: string, href: string) => {
    const name = decodeURIComponent(href.replace(/\/$/, '').split('/').pop() ?? '');
    const id = name.replace(/\.ics$/i, '');
    const absolute = new URL(href, server).href;
    const key = `${calendarUrl(calendarId)}|${id}`;
    if (absolute !== new URL(`${encodeURIComponent(id)}.ics`, calendarUrl(calendarId)).href) {
      if (foreignHrefs.size >= 10_000) foreignHrefs.delete(foreignHrefs.keys().next().value as string);
      foreignHrefs.set(key, absolute);
    }
    return id;
  };

  async function zoneOf(calendarId: string): Promise<string> {
    const known = zones.get(calendarId);
    if (known) return known;
    await provider.listCalendars();
    return zones.get(calendarId) ?? defaultZone;
  }

  async function getResource(calendarId: string, id: string): Promise<{ cal: ICAL.Component; etag: string }> {
    const res = await call('get', async () => check(await fetchImpl(eventUrl(calendarId, id), { method: 'GET', headers }), 'get'));
    const etag = res.headers.get('etag') ?? '';
    return { cal: parseCalendar(await res.text()), etag };
  }

  function toEvents(calendarId: string, id: string, cal: ICAL.Component, etag: string, zone: string, withCancelled = false) {
    return readResource(cal, { id, calendarId, etag }, zone, ownerEmail, { cancelled: withCancelled });
  }

  /** PUT a resource; with `etag` guarded by If-Match, without it by If-None-Match: * (create). */
  async function put(calendarId: string, id: string, cal: ICAL.Component, etag: string | undefined, operation: string): Promise<string> {
    ensureTimezones(cal);
    const url = eventUrl(calendarId, id);
    const data = serializeCalendar(cal);
    const h = { ...headers, 'Content-Type': 'text/calendar; charset=utf-8' };
    const res =
      etag === undefined
        ? await call(
            operation,
            async () => check(await createObject({ url, data, headers: { ...h, 'If-None-Match': '*' }, fetch: fetchImpl }), operation),
            { mutation: true, idempotencyKey: id },
          )
        : await call(operation, async () => check(await updateObject({ url, data, etag, headers: h, fetch: fetchImpl }), operation), {
            mutation: true,
          });
    const newEtag = res.headers.get('etag');
    if (newEtag) return newEtag;
    // Servers may omit the etag of a PUT whose body they rewrote (RFC 4791 §5.3.4): read it back.
    return (await getResource(calendarId, id)).etag;
  }

  async function readEvent(
    calendarId: string,
    eventId: string,
  ): Promise<{ event: CalendarEvent; cal: ICAL.Component; etag: string; masterId: string }> {
    const zone = await zoneOf(calendarId);
    const m = INSTANCE_SUFFIX.exec(eventId);
    if (m?.[1]) {
      const masterId = m[1];
      const { cal, etag } = await getResource(calendarId, masterId);
      const parsed = toEvents(calendarId, masterId, cal, etag, zone);
      const override = parsed.overrides.find((o) => o.id === eventId);
      if (override) return { event: override, cal, etag, masterId };
      if (parsed.master?.recurrence) {
        const day = 86_400_000;
        const key = m[2] as string;
        const at =
          key.length === 8
            ? Date.parse(`${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}T00:00:00Z`)
            : Date.parse(
                `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}T${key.slice(9, 11)}:${key.slice(11, 13)}:${key.slice(13, 15)}Z`,
              );
        const found = expandSeries(parsed.master, parsed.overrides, { from: at - day, to: at + 2 * day }).find((e) => e.id === eventId);
        if (found) return { event: found, cal, etag, masterId };
      }
      throw new IntegrationError('not_found', `no occurrence ${eventId}`, { provider: 'caldav', status: 404 });
    }
    const { cal, etag } = await getResource(calendarId, eventId);
    const parsed = toEvents(calendarId, eventId, cal, etag, zone);
    if (!parsed.master)
      throw new IntegrationError('not_found', `resource ${eventId} holds no master VEVENT`, { provider: 'caldav', status: 404 });
    return { event: parsed.master, cal, etag, masterId: eventId };
  }

  /**
   * The resources of a calendar that may have an event in `window` (all of them without one, or
   * when the server refuses the time-range filter), every VEVENT of each read.
   */
  async function allEvents(
    calendarId: string,
    window?: { from: number; to: number },
    withCancelled = false,
  ): Promise<{ masters: CalendarEvent[]; overrides: CalendarEvent[]; cancelled: CalendarEvent[] }> {
    const zone = await zoneOf(calendarId);
    let rs = window && timeRangeQuery ? await queryWindow(calendarId, window) : undefined;
    // PROPFIND then multiget by href: every object is read, whatever its name (tsdav's
    // fetchCalendarObjects drops hrefs not ending in .ics).
    rs ??= await hydrate(calendarId, Object.keys(await listHrefs(calendarId)));
    const masters: CalendarEvent[] = [];
    const overrides: CalendarEvent[] = [];
    const cancelled: CalendarEvent[] = [];
    for (const r of rs) {
      const text = calendarDataOf(r);
      if (!text || !r.href) continue;
      const parsed = toEvents(calendarId, idOfHref(calendarId, r.href), parseCalendar(text), etagOf(r), zone, withCancelled);
      if (parsed.master) masters.push(parsed.master);
      overrides.push(...parsed.overrides);
      cancelled.push(...parsed.cancelled);
    }
    return { masters, overrides, cancelled };
  }

  /** A REPORT on a calendar collection (depth 1), with per-href statuses kept (tsdav's collectionQuery throws on any 404 in a multistatus). */
  async function report(operation: string, calendarId: string, body: Record<string, unknown>): Promise<DAVResponse[]> {
    return call(operation, () =>
      davRequest({
        url: calendarUrl(calendarId),
        init: { method: 'REPORT', namespace: 'c', headers: { ...headers, depth: '1' }, body },
        fetch: fetchImpl,
      }),
    );
  }

  /** A whole-request failure (one response, no props): the status and body, else undefined. */
  function failureOf(rs: DAVResponse[]): { status: number; body: string } | undefined {
    const first = rs[0];
    if (rs.length === 1 && first && first.ok === false && !first.props && (first.status ?? 0) >= 400) {
      return { status: first.status ?? 0, body: typeof first.raw === 'string' ? first.raw : '' };
    }
    return undefined;
  }

  /**
   * The resources with a VEVENT overlapping the window, by `calendar-query` with a `time-range`
   * filter (RFC 4791 §9.9): the server narrows, the caller still filters and expands exactly.
   * The window is widened by a day each way because the server reads floating times and all-day
   * dates in its own idea of the calendar's zone. Undefined when the server refuses the query.
   */
  async function queryWindow(calendarId: string, window: { from: number; to: number }): Promise<DAVResponse[] | undefined> {
    const url = calendarUrl(calendarId);
    if (noTimeRange.has(url)) return undefined;
    const timeRange = { _attributes: { start: utcStamp(window.from - DAY_MS), end: utcStamp(window.to + DAY_MS) } };
    const rs = await report('calendar-query', calendarId, {
      'calendar-query': {
        _attributes: DAV_NAMESPACES,
        'd:prop': EVENT_PROPS,
        filter: {
          'comp-filter': {
            _attributes: { name: 'VCALENDAR' },
            'comp-filter': { _attributes: { name: 'VEVENT' }, 'time-range': timeRange },
          },
        },
      },
    });
    const failure = failureOf(rs);
    if (failure) {
      if (REFUSED.includes(failure.status)) {
        noTimeRange.add(url);
        return undefined;
      }
      throw mapCalDavStatus(failure.status, 'calendar-query', failure.body);
    }
    const objects = rs.filter((r) => r.href && new URL(r.href, server).href !== url);
    // A server may leave calendar-data out of a query answer (size limits): fetch those by href.
    const missing = objects
      .filter((r) => r.ok !== false && calendarDataOf(r) === undefined)
      .map((r) => new URL(r.href as string, server).pathname);
    return [...objects.filter((r) => calendarDataOf(r) !== undefined), ...(await hydrate(calendarId, missing))];
  }

  /** href → etag of every object in the collection (PROPFIND depth 1). Any href, not only `.ics`. */
  async function listHrefs(calendarId: string): Promise<Record<string, string>> {
    const url = calendarUrl(calendarId);
    const rs = await call('propfind', async () =>
      davCheck(
        await propfind({ url, props: { 'd:getetag': {}, 'd:resourcetype': {} }, depth: '1', headers, fetch: fetchImpl }),
        'propfind',
      ),
    );
    const out: Record<string, string> = {};
    for (const r of rs) {
      if (!r.href || new URL(r.href, server).href === url) continue;
      if (r.props?.resourcetype && Object.keys(r.props.resourcetype as object).includes('collection')) continue;
      out[new URL(r.href, server).pathname] = etagOf(r);
    }
    return out;
  }

  /**
   * calendar-multiget of the given hrefs (a multiget, not a query: tsdav's `.ics` URL filter never
   * applies). A href gone since it was listed comes back as its own 404 (a deletion), not as a
   * failure of the whole request.
   */
  async function hydrate(calendarId: string, hrefs: string[]): Promise<DAVResponse[]> {
    if (hrefs.length === 0) return [];
    const rs = await report('multiget', calendarId, {
      'calendar-multiget': { _attributes: DAV_NAMESPACES, 'd:prop': EVENT_PROPS, 'd:href': hrefs },
    });
    const failure = failureOf(rs);
    if (failure) throw mapCalDavStatus(failure.status, 'multiget', failure.body);
    return rs;
  }

  /** Deletions of resources: the series' instances go with them (an empty instance list). */
  function deletions(calendarId: string, ids: string[]): Pick<ChangePage, 'changes' | 'series'> {
    return {
      changes: ids.map((eventId) => ({ type: 'delete' as const, calendarId, eventId })),
      series: ids.map((seriesId) => ({ seriesId, instanceIds: [] })),
    };
  }

  /**
   * Upserts for the given hrefs: every VEVENT of each resource, plus the occurrences its EXDATEs
   * cancel. A series comes with the complete list of its instances, so an override another client
   * removed from the resource is delivered as a deletion by the sync engine. In an incremental
   * listing every resource gets its list (a series that became a single event has none left); a
   * full listing needs them only for series, since the engine drops whatever it does not list.
   */
  async function changesFor(calendarId: string, hrefs: string[], full: boolean): Promise<Pick<ChangePage, 'changes' | 'series'>> {
    const zone = await zoneOf(calendarId);
    const changes: EventChange[] = [];
    const series: NonNullable<ChangePage['series']> = [];
    for (const r of await hydrate(calendarId, hrefs)) {
      const text = calendarDataOf(r);
      if (!r.href) continue;
      if (!text) {
        if (r.status === 404 || r.status === 410) {
          const gone = deletions(calendarId, [idOfHref(calendarId, r.href)]);
          changes.push(...gone.changes);
          series.push(...(gone.series ?? []));
        }
        continue;
      }
      const id = idOfHref(calendarId, r.href);
      const parsed = toEvents(calendarId, id, parseCalendar(text), etagOf(r), zone, true);
      if (parsed.master) changes.push({ type: 'upsert', event: parsed.master });
      const instances = [...parsed.overrides, ...parsed.cancelled];
      for (const o of instances) changes.push({ type: 'upsert', event: o });
      if (!full || parsed.master?.recurrence || instances.length > 0)
        series.push({ seriesId: id, instanceIds: instances.map((o) => o.id) });
    }
    return { changes, series };
  }

  async function syncReport(
    calendarId: string,
    token: string,
  ): Promise<{ changed: string[]; deleted: string[]; token: string; truncated: boolean } | 'unsupported'> {
    const url = calendarUrl(calendarId);
    const rs = await call('sync-collection', async () =>
      syncCollection({ url, props: { 'd:getetag': {} }, syncLevel: 1, syncToken: token, headers, fetch: fetchImpl }),
    );
    const first = rs[0];
    const failure = failureOf(rs);
    if (failure) {
      const { status, body } = failure;
      if (token === '' && syncMethod === 'auto' && [400, 403, 405, 501].includes(status) && !body.includes('valid-sync-token'))
        return 'unsupported';
      throw mapCalDavStatus(status, 'sync-collection', body);
    }
    const raw = first?.raw as { multistatus?: { syncToken?: unknown } } | undefined;
    const next = raw?.multistatus?.syncToken;
    if (typeof next !== 'string' || next.length === 0) {
      if (token === '' && syncMethod === 'auto') return 'unsupported';
      throw new IntegrationError('provider_error', 'sync-collection answered without a sync-token', { provider: 'caldav' });
    }
    const changed: string[] = [];
    const deleted: string[] = [];
    let truncated = false;
    for (const r of rs) {
      if (!r.href) continue;
      const path = new URL(r.href, server).pathname;
      if (new URL(path, server).href === url) {
        // RFC 6578 §3.6: a 507 on the collection itself means the server truncated the answer;
        // the token returned covers what was sent, and the rest follows from it.
        if (r.status === 507) truncated = true;
        continue;
      }
      if (r.status === 404 || r.status === 410) deleted.push(idOfHref(calendarId, path));
      else changed.push(path);
    }
    return { changed, deleted, token: next, truncated };
  }

  /** A page out: more hrefs to hydrate (`next`), a truncated listing to continue (`done` is `more`), or the end. */
  function pageOut(
    page: Pick<ChangePage, 'changes' | 'series'>,
    rest: string[],
    next: (h: string[]) => SyncCursor,
    done: SyncCursor,
    full: boolean,
  ): ChangePage {
    const series = page.series && page.series.length > 0 ? { series: page.series } : {};
    if (rest.length > 0) return { changes: page.changes, cursor: encodeCursor(next(rest)), more: true, full, ...series };
    return { changes: page.changes, cursor: encodeCursor(done), more: done.t === 'more', full, ...series };
  }

  /** Merge deletions and upserts of one page. */
  const joined = (...parts: Pick<ChangePage, 'changes' | 'series'>[]): Pick<ChangePage, 'changes' | 'series'> => ({
    changes: parts.flatMap((p) => p.changes),
    series: parts.flatMap((p) => p.series ?? []),
  });

  /** The collection's `getctag` (calendarserver.org), or undefined when the server has none. */
  async function ctagOf(calendarId: string): Promise<string | undefined> {
    const url = calendarUrl(calendarId);
    const rs = await call('propfind', async () =>
      davCheck(await propfind({ url, props: { 'cs:getctag': {} }, depth: '0', headers, fetch: fetchImpl }), 'propfind'),
    );
    const own = rs.find((r) => r.href && new URL(r.href, server).href === url) ?? rs[0];
    const ctag = own?.props?.getctag as unknown;
    return typeof ctag === 'string' || typeof ctag === 'number' ? String(ctag) : undefined;
  }

  /**
   * Changes by ctag + etag comparison. The ctag is read first (before the etags, so a write in
   * between shows up next time): unchanged since the cursor's, nothing is listed at all.
   */
  async function ctagChanges(calendarId: string, previous: Record<string, string> | undefined, previousCtag?: string): Promise<ChangePage> {
    const ctag = await ctagOf(calendarId);
    const g = ctag === undefined ? {} : { g: ctag };
    if (previous !== undefined && ctag !== undefined && ctag === previousCtag) {
      return { changes: [], cursor: encodeCursor({ t: 'ctag', e: previous, ...g }), more: false, full: false };
    }
    const now = await listHrefs(calendarId);
    const changed = Object.keys(now).filter((h) => previous === undefined || previous[h] !== now[h]);
    const deleted = previous === undefined ? [] : Object.keys(previous).filter((h) => !(h in now));
    const head = changed.slice(0, pageSize);
    const page = joined(
      deletions(
        calendarId,
        deleted.map((h) => idOfHref(calendarId, h)),
      ),
      await changesFor(calendarId, head, previous === undefined),
    );
    const full = previous === undefined;
    return pageOut(page, changed.slice(pageSize), (h) => ({ t: 'cpage', e: now, h, f: full, ...g }), { t: 'ctag', e: now, ...g }, full);
  }

  /**
   * Busy spans from the server's `free-busy-query` REPORT (RFC 4791 §7.10), or undefined when it
   * has none: the answer is then computed from the events, and the server is not asked again.
   */
  async function serverFreeBusy(calendarId: string, from: string, to: string): Promise<{ start: number; end: number }[] | undefined> {
    const url = calendarUrl(calendarId);
    if (noFreeBusyQuery.has(url)) return undefined;
    const response = await call('free-busy-query', async () => {
      let r: DAVResponse;
      try {
        r = await freeBusyQuery({ url, timeRange: { start: from, end: to }, depth: '1', headers, fetch: fetchImpl });
      } catch (error) {
        // A network failure is real (retried); tsdav throwing because it found no answer means "not supported".
        if (error instanceof TypeError) throw error;
        return undefined;
      }
      const status = r.status ?? 0;
      if (status === 401 || status === 429 || status >= 500)
        throw mapCalDavStatus(status, 'free-busy-query', typeof r.raw === 'string' ? r.raw : '');
      return r;
    });
    const raw = typeof response?.raw === 'string' ? response.raw : '';
    if (!response?.ok || !raw.includes('BEGIN:VFREEBUSY')) {
      noFreeBusyQuery.add(url);
      return undefined;
    }
    return readFreeBusy(parseCalendar(raw));
  }

  /**
   * A read-modify-write of a resource, PUT with If-Match on the etag it read. When the caller gave
   * no etag of its own, a 412 only means another client wrote in between: read again and re-apply
   * (a few times). With the caller's etag, the 412 is the caller's answer.
   */
  async function readModifyWrite<T>(callerEtag: string | undefined, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (callerEtag !== undefined || attempt >= 3 || !isIntegrationError(error) || error.code !== 'precondition_failed') throw error;
      }
    }
  }

  const provider: CalendarProvider = {
    name: 'caldav',

    async listCalendars() {
      const acc = await discover();
      const cals = await call('calendars', () => fetchCalendars({ account: acc, headers, fetch: fetchImpl }));
      const out: CalendarInfo[] = [];
      for (const c of cals) {
        const id = new URL(c.url, server).pathname;
        const tz = (typeof c.timezone === 'string' && parseIcalTimezone(c.timezone)) || defaultZone;
        zones.set(id, tz);
        const title = typeof c.displayName === 'string' && c.displayName ? c.displayName : id;
        out.push({ id, title, timeZone: tz, accessRole: 'owner', primary: out.length === 0 });
      }
      return out;
    },

    async getEvent(calendarId, eventId) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      return (await readEvent(calendarId, eventId)).event;
    },

    async listEvents(calendarId, opts) {
      assertId(calendarId, 'calendarId');
      const window = assertWindow(opts?.from, opts?.to);
      const zone = await zoneOf(calendarId);
      const found = await allEvents(calendarId, window, opts.includeCancelled === true);
      const { masters } = found;
      // Occurrences cancelled by an EXDATE are cancelled instances, shown only with includeCancelled.
      const overrides = opts.includeCancelled ? [...found.overrides, ...found.cancelled] : found.overrides;
      const out: CalendarEvent[] = [];
      const overlaps = (e: CalendarEvent) => {
        const s = eventSpan(e, zone);
        return s.start < window.to && s.end > window.from;
      };
      for (const m of masters) {
        const mine = overrides.filter((o) => o.recurringEventId === m.id);
        if (m.recurrence) {
          if (opts.expand) out.push(...expandSeries(m, mine, window, { includeCancelled: opts.includeCancelled === true }));
          else {
            // Masters as stored: a series is listed when any occurrence falls in the window.
            if (expandSeries(m, mine, window, { includeCancelled: true }).length > 0) out.push(m);
            out.push(...mine.filter(overlaps));
          }
        } else if (overlaps(m)) out.push(m);
      }
      return out.filter((e) => opts.includeCancelled || e.status !== 'cancelled');
    },

    async createEvent(calendarId, input) {
      assertId(calendarId, 'calendarId');
      const parsed = parseEventInput(input);
      const id = parsed.id ?? newEventId();
      const fingerprint = await inputFingerprint({ ...parsed, id });
      const cal = newResource(id, { ...parsed, id }, fingerprint);
      try {
        await put(calendarId, id, cal, undefined, 'create');
      } catch (error) {
        if (!isIntegrationError(error) || error.code !== 'precondition_failed') throw error;
        // If-None-Match: * failed: the resource exists. Our own earlier attempt (same content) → that event.
        const existing = await getResource(calendarId, id).catch(() => undefined);
        const master = existing && masterOf(existing.cal);
        if (existing && master && master.getFirstPropertyValue(X_FINGERPRINT) === fingerprint) {
          return toEvents(calendarId, id, existing.cal, existing.etag, await zoneOf(calendarId)).master as CalendarEvent;
        }
        throw new IntegrationError('conflict', `an event with id ${id} already exists with other content`, {
          provider: 'caldav',
          status: 412,
          cause: error,
        });
      }
      return this.getEvent(calendarId, id);
    },

    async updateEvent(calendarId, eventId, patch, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const parsed = parseEventPatch(patch);
      if (parsed.start && parsed.end) assertRange(parsed.start, parsed.end);
      return readModifyWrite(opts?.etag, async () => {
        const current = await readEvent(calendarId, eventId);
        if (opts?.etag !== undefined && opts.etag !== current.etag) {
          throw new IntegrationError('precondition_failed', 'the event changed since its etag was read', {
            provider: 'caldav',
            status: 412,
          });
        }
        const { cal } = current;
        let target: ICAL.Component | undefined;
        if (current.event.recurringEventId && current.event.originalStart) {
          // An occurrence: edit its override, creating one (RECURRENCE-ID) from the master when needed.
          const key = originalKey(current.event.originalStart);
          const zone = await zoneOf(calendarId);
          target = cal.getAllSubcomponents('vevent').find((v) => {
            const rid = v.getFirstProperty('recurrence-id');
            return rid !== null && originalKey(readTime(rid, zone)) === key;
          });
          if (!target) {
            const master = masterOf(cal);
            if (!master) throw new IntegrationError('not_found', 'series master missing', { provider: 'caldav', status: 404 });
            const {
              id: _i,
              etag: _e,
              calendarId: _c,
              iCalUID: _u,
              updated: _up,
              organizer: _o,
              recurringEventId: _m,
              originalStart,
              recurrence: _r,
              conferenceUrl: _cu,
              attendees,
              ...fields
            } = current.event;
            target = newOverride(master, originalStart as EventTime, {
              ...fields,
              attendees: attendees.map((x) => ({
                email: x.email,
                ...(x.displayName ? { displayName: x.displayName } : {}),
                ...(x.optional ? { optional: true } : {}),
              })),
            });
            cal.addSubcomponent(target);
          }
        } else target = masterOf(cal);
        if (!target) throw new IntegrationError('not_found', 'event missing', { provider: 'caldav', status: 404 });
        applyFields(target, parsed, ownerEmail ? { ownerEmail } : {});
        await put(calendarId, current.masterId, cal, current.etag, 'update');
        return this.getEvent(calendarId, eventId);
      });
    },

    async deleteEvent(calendarId, eventId, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      const m = INSTANCE_SUFFIX.exec(eventId);
      if (!m) {
        const url = eventUrl(calendarId, eventId);
        let attempts = 0;
        await call(
          'delete',
          async () => {
            attempts += 1;
            const res = await deleteObject({ url, ...(opts?.etag ? { etag: opts.etag } : {}), headers, fetch: fetchImpl });
            // Retried after a lost answer, the resource is gone: our first attempt worked.
            if (attempts > 1 && res.status === 404) return res;
            return check(res, 'delete');
          },
          {
            mutation: true,
            ...(opts?.etag ? {} : { idempotencyKey: `delete:${eventId}` }),
          },
        );
        return;
      }
      // One occurrence: an EXDATE on the master (and its override removed), guarded by the resource etag.
      await readModifyWrite(opts?.etag, async () => {
        const current = await readEvent(calendarId, eventId);
        if (opts?.etag !== undefined && opts.etag !== current.etag) {
          throw new IntegrationError('precondition_failed', 'the event changed since its etag was read', {
            provider: 'caldav',
            status: 412,
          });
        }
        const original = current.event.originalStart;
        const master = masterOf(current.cal);
        if (!original || !master) throw new IntegrationError('not_found', `no occurrence ${eventId}`, { provider: 'caldav', status: 404 });
        const zone = await zoneOf(calendarId);
        for (const v of current.cal.getAllSubcomponents('vevent')) {
          const rid = v.getFirstProperty('recurrence-id');
          if (rid && originalKey(readTime(rid, zone)) === originalKey(original)) current.cal.removeSubcomponent(v);
        }
        const tmp = masterOf(current.cal) as ICAL.Component;
        const before = tmp.getAllProperties('exdate').map((p) => p.toICALString());
        writeTime(tmp, 'exdate', original, false);
        const after = tmp.getAllProperties('exdate');
        // Deleting the same occurrence twice must not stack identical EXDATEs.
        if (before.includes(after[after.length - 1]?.toICALString() ?? '')) tmp.removeProperty(after[after.length - 1] as ICAL.Property);
        await put(calendarId, current.masterId, current.cal, current.etag, 'delete-occurrence');
      });
    },

    async respondToEvent(calendarId, eventId, opts) {
      assertId(calendarId, 'calendarId');
      assertId(eventId, 'eventId');
      if (!opts || !['accepted', 'declined', 'tentative'].includes(opts.response)) {
        throw new IntegrationError('invalid_input', 'response must be accepted, declined or tentative', { details: { field: 'response' } });
      }
      if (!ownerEmail)
        throw new IntegrationError('invalid_config', 'respondToEvent needs ownerEmail', { details: { field: 'ownerEmail' } });
      return readModifyWrite(undefined, async () => {
        const current = await readEvent(calendarId, INSTANCE_SUFFIX.exec(eventId)?.[1] ?? eventId);
        const master = masterOf(current.cal);
        if (!master || !setPartstat(master, ownerEmail, opts.response)) {
          throw new IntegrationError('invalid_input', 'the calendar owner is not an attendee of this event', {
            details: { field: 'eventId' },
          });
        }
        await put(calendarId, current.masterId, current.cal, current.etag, 'respond');
        return this.getEvent(calendarId, eventId);
      });
    },

    async freeBusy(request) {
      const window = assertWindow(request?.from, request?.to);
      if (!Array.isArray(request.calendarIds) || request.calendarIds.length === 0) {
        throw new IntegrationError('invalid_input', 'calendarIds must be a non-empty array', { details: { field: 'calendarIds' } });
      }
      // free-busy-query where the server has it; otherwise computed from the events, expanded
      // client-side (Radicale and many servers have no free-busy-query).
      const result: FreeBusyResult = {};
      for (const id of request.calendarIds) {
        try {
          const zone = await zoneOf(id);
          const fromServer = await serverFreeBusy(id, request.from, request.to);
          const events = fromServer ? [] : await provider.listEvents(id, { from: request.from, to: request.to, expand: true });
          const spans = (
            fromServer ?? events.filter((e) => e.transparency === 'opaque' && e.status !== 'cancelled').map((e) => eventSpan(e, zone))
          )
            .map((s) => ({ start: Math.max(s.start, window.from), end: Math.min(s.end, window.to) }))
            .filter((s) => s.end > s.start);
          result[id] = {
            busy: mergeIntervals(spans).map((s) => ({
              start: new Date(s.start).toISOString(),
              end: new Date(s.end).toISOString(),
              kind: 'busy' as const,
            })),
          };
        } catch (error) {
          result[id] = { busy: [], errors: [isIntegrationError(error) ? error.code : 'error'] };
        }
      }
      return result;
    },

    async listChanges(calendarId, cursor): Promise<ChangePage> {
      assertId(calendarId, 'calendarId');
      const c = cursor === undefined ? undefined : decodeCursor(cursor, 'caldav', isCursor);
      if (c?.t === 'page' || c?.t === 'cpage') {
        const page = await changesFor(calendarId, c.h.slice(0, pageSize), c.f);
        const rest = c.h.slice(pageSize);
        if (c.t === 'cpage') {
          const g = c.g === undefined ? {} : { g: c.g };
          return pageOut(page, rest, (h) => ({ t: 'cpage', e: c.e, h, f: c.f, ...g }), { t: 'ctag', e: c.e, ...g }, c.f);
        }
        const done: SyncCursor = c.m ? { t: 'more', v: c.v, f: c.f } : { t: 'sync', v: c.v };
        return pageOut(page, rest, (h) => ({ t: 'page', v: c.v, h, f: c.f, ...(c.m ? { m: true as const } : {}) }), done, c.f);
      }
      if (c?.t === 'ctag') return ctagChanges(calendarId, c.e, c.g);
      const useCtag = syncMethod === 'ctag' || (syncMethod === 'auto' && noSyncCollection.has(calendarUrl(calendarId)));
      if (c === undefined && useCtag) return ctagChanges(calendarId, undefined);
      const answer = await syncReport(calendarId, c?.v ?? '');
      if (answer === 'unsupported') {
        noSyncCollection.add(calendarUrl(calendarId));
        return ctagChanges(calendarId, undefined);
      }
      // A continuation of a truncated listing is still the full listing it continues.
      const full = c === undefined || (c.t === 'more' && c.f);
      const head = answer.changed.slice(0, pageSize);
      const page = joined(deletions(calendarId, answer.deleted), await changesFor(calendarId, head, full));
      const m = answer.truncated ? { m: true as const } : {};
      return pageOut(
        page,
        answer.changed.slice(pageSize),
        (h) => ({ t: 'page', v: answer.token, h, f: full, ...m }),
        answer.truncated ? { t: 'more', v: answer.token, f: full } : { t: 'sync', v: answer.token },
        full,
      );
    },

    async watch() {
      throw new IntegrationError('unsupported', 'CalDAV has no push channel: poll listChanges (cheap with sync-collection)', {
        provider: 'caldav',
      });
    },

    async stopWatch() {
      throw new IntegrationError('unsupported', 'CalDAV has no push channel', { provider: 'caldav' });
    },
  };
  return provider;
}
