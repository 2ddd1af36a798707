/**
 * The `CalendarProvider` port and its plain-data types. Every adapter (Google, Outlook, the fake)
 * speaks exactly these shapes, so the sync engine and the host never see a provider's JSON.
 */

/** A timed value (local wall time in an IANA zone) or an all-day date (`YYYY-MM-DD`). */
export type EventTime = { dateTime: string; timeZone: string } | { date: string };

/** An attendee's answer to an invitation (Google's names; Graph's are mapped onto them). */
export type ResponseStatus = 'needsAction' | 'accepted' | 'declined' | 'tentative';
/** Whether an event (or one occurrence) stands, is tentative, or was cancelled. */
export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';
/** `transparent` events do not block time (Google `transparency`, Graph `showAs: free`). */
export type Transparency = 'opaque' | 'transparent';
/** What the account may do in a calendar: from `owner` down to seeing free/busy only. */
export type AccessRole = 'owner' | 'writer' | 'reader' | 'freeBusyReader';

/** One invitee of an event, with the answer the provider reports. */
export interface Attendee {
  email: string;
  displayName?: string;
  responseStatus: ResponseStatus;
  optional?: boolean;
  /** The attendee is the calendar owner the adapter is authenticated as. */
  self?: boolean;
}

/** The event's reminders: the calendar's defaults, or these overrides in minutes before the start. */
export interface Reminders {
  useDefault: boolean;
  overrides?: { method: 'email' | 'popup'; minutes: number }[];
}

/** One event as every adapter returns it: a single event, a series master, or one instance of a series. */
export interface CalendarEvent {
  id: string;
  calendarId: string;
  iCalUID?: string;
  /** Changes on every write at the provider; the precondition of `updateEvent` and the dedupe key of the sync engine. */
  etag: string;
  title?: string;
  description?: string;
  location?: string;
  start: EventTime;
  end: EventTime;
  attendees: Attendee[];
  organizer?: { email: string; displayName?: string };
  /** RRULE / EXDATE / RDATE lines of a series master (`RRULE:FREQ=WEEKLY;BYDAY=TU`). */
  recurrence?: string[];
  /** For an instance or an exception of a series: the master's id. */
  recurringEventId?: string;
  /** For an instance or an exception: the start the series generated for it. */
  originalStart?: EventTime;
  status: EventStatus;
  transparency: Transparency;
  conferenceUrl?: string;
  reminders?: Reminders;
  /** The host's own ids (booking id, …), private to the app. String values only, as both providers store them. */
  extendedProperties?: Record<string, string>;
  /** Last modification, ISO-8601 instant. */
  updated?: string;
}

/** What a host writes. `id` is optional: adapters derive one so a retried create never duplicates. */
export interface EventInput {
  id?: string;
  title?: string;
  description?: string;
  location?: string;
  start: EventTime;
  end: EventTime;
  attendees?: { email: string; displayName?: string; optional?: boolean }[];
  recurrence?: string[];
  status?: Exclude<EventStatus, 'cancelled'>;
  transparency?: Transparency;
  reminders?: Reminders;
  extendedProperties?: Record<string, string>;
}

/** A partial update; `start` and `end` must be changed together when the kind (timed / all-day) changes. */
export type EventPatch = Partial<Omit<EventInput, 'id'>>;

/** One calendar the account can see, from `listCalendars`. */
export interface CalendarInfo {
  id: string;
  title: string;
  timeZone: string;
  accessRole: AccessRole;
  primary: boolean;
}

/** The window (and expansion) of a `listEvents` call. */
export interface ListEventsOptions {
  /** Half-open window `[from, to)`, ISO-8601 instants. */
  from: string;
  to: string;
  /** `true`: one event per occurrence (instances); `false` (default): masters and exceptions as stored. */
  expand?: boolean;
  /** Include cancelled events and cancelled instances. Default false. */
  includeCancelled?: boolean;
}

/** One change from `listChanges`: an event created or updated (`upsert`), or gone (`delete`). */
export type EventChange =
  | { type: 'upsert'; event: CalendarEvent }
  /** The event (a single event or a whole series) is gone. */
  | { type: 'delete'; calendarId: string; eventId: string };

/**
 * One page of changes. `cursor` is opaque: pass it back to get the next page. When `more` is
 * false, `cursor` is the checkpoint for the next incremental sync (Google `nextSyncToken`, Graph
 * `@odata.deltaLink`); otherwise it continues this listing (`nextPageToken`, `@odata.nextLink`).
 */
export interface ChangePage {
  changes: EventChange[];
  cursor: string;
  more: boolean;
  /** This listing is a full one (no cursor, or one after an expiry): events absent from it are gone. */
  full: boolean;
  /**
   * Complete lists of a series' instances (within the provider's sync window), for providers whose
   * feed does not report a cancelled occurrence (Graph v1.0): any instance of that series the host
   * was given that is not listed is gone.
   */
  series?: { seriesId: string; instanceIds: string[] }[];
}

/** Which calendars and which window a `freeBusy` call asks about. */
export interface FreeBusyRequest {
  calendarIds: string[];
  from: string;
  to: string;
}

/** One busy (or tentative) stretch of time in a free/busy answer. */
export interface BusyInterval {
  /** ISO-8601 instants, half-open. */
  start: string;
  end: string;
  /** `tentative` when the provider says so (Graph); Google reports only busy. */
  kind?: 'busy' | 'tentative';
}

/** Busy intervals per calendar id, with the provider's per-calendar errors (a calendar it cannot read). */
export type FreeBusyResult = Record<string, { busy: BusyInterval[]; errors?: string[] }>;

/** What `watch` needs to open a push channel (Google channel, Graph subscription) on one calendar. */
export interface WatchRequest {
  calendarId: string;
  /** HTTPS endpoint that receives notifications. */
  address: string;
  /** Shared secret echoed by the provider (Google channel token, Graph `clientState`). */
  token: string;
  /** Requested lifetime in seconds; the provider may shorten it. Trust `Channel.expiresAt`. */
  ttlSeconds?: number;
}

/** An open push channel, as the provider granted it; pass it to `stopWatch`, renew it before `expiresAt`. */
export interface Channel {
  id: string;
  /** Provider resource id (Google `resourceId`, Graph subscription id): needed to stop it. */
  resourceId: string;
  calendarId: string;
  /** Epoch milliseconds, as the provider granted it. */
  expiresAt: number;
}

/** The answer `respondToEvent` sends to an invitation. */
export interface RespondOptions {
  response: Exclude<ResponseStatus, 'needsAction'>;
  comment?: string;
}

/** Preconditions of an `updateEvent` or `deleteEvent` call. */
export interface UpdateOptions {
  /** Fail with `precondition_failed` when the event changed since this etag was read. */
  etag?: string;
}

/** The calendar port: every adapter (Google, Outlook, CalDAV, the fake) implements it, and the sync engine and the host use only it. */
export interface CalendarProvider {
  /** `google`, `outlook`, `fake`: used in errors, telemetry and store keys. */
  readonly name: string;
  /** Every calendar the account can see, with its access role and time zone. */
  listCalendars(): Promise<CalendarInfo[]>;
  /** One event (a single event, a series master or an instance) by id; `not_found` when it does not exist. */
  getEvent(calendarId: string, eventId: string): Promise<CalendarEvent>;
  /** The events overlapping a window, with recurring series expanded into instances when `expand` is set. */
  listEvents(calendarId: string, options: ListEventsOptions): Promise<CalendarEvent[]>;
  /** Create an event; retry-safe (a client-chosen id or `transactionId`), so a retried create never duplicates it. */
  createEvent(calendarId: string, input: EventInput): Promise<CalendarEvent>;
  /** Change the fields in `patch`; with `options.etag`, only if the event is unchanged since (`precondition_failed` otherwise). */
  updateEvent(calendarId: string, eventId: string, patch: EventPatch, options?: UpdateOptions): Promise<CalendarEvent>;
  /** Delete an event (a whole series for a master); with `options.etag`, only if it is unchanged since. */
  deleteEvent(calendarId: string, eventId: string, options?: UpdateOptions): Promise<void>;
  /** Accept, decline or tentatively accept an invitation as the calendar's owner. */
  respondToEvent(calendarId: string, eventId: string, options: RespondOptions): Promise<CalendarEvent>;
  /** Busy intervals of several calendars over a window, merged per calendar (long windows are chunked as the provider needs). */
  freeBusy(request: FreeBusyRequest): Promise<FreeBusyResult>;
  /** One page of changes since `cursor` (omit it for a full listing). Throws `sync_token_expired`. */
  listChanges(calendarId: string, cursor?: string): Promise<ChangePage>;
  /** Open a push channel (Google channel, Graph subscription) that notifies `address` of changes until it expires. */
  watch(request: WatchRequest): Promise<Channel>;
  /** Close a push channel opened by `watch`. */
  stopWatch(channel: Channel): Promise<void>;
  /**
   * Extend a channel in place, when the provider can (Graph: PATCH the subscription). Providers
   * without it (Google has no renewal call) leave it undefined: the channel manager opens a new
   * channel, then stops the old one.
   */
  renewWatch?(channel: Channel, ttlSeconds?: number): Promise<Channel>;
}
