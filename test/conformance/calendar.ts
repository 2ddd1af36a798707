/**
 * The calendar conformance suite: every `CalendarProvider` (the fake, Google over msw, Outlook over
 * msw) registers it with its own factory and must pass all of it.
 *
 *   describeCalendarConformance('google', async () => ({ provider, calendarId: 'primary', ... }));
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type CalendarEvent,
  type CalendarProvider,
  calendarEventSchema,
  calendarInfoSchema,
  type EventChange,
} from '../../src/calendar/index.js';
import { IntegrationError } from '../../src/index.js';

export interface CalendarHarness {
  provider: CalendarProvider;
  calendarId: string;
  /** The authenticated user's address (for respondToEvent). */
  ownerEmail: string;
  /** Make the provider forget every cursor it issued (Google 410, Graph syncStateNotFound). */
  expireCursors(): void | Promise<void>;
  /** Epoch ms the provider considers "now" (channel expiry). */
  now(): number;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return undefined;
  expect(error).toBeInstanceOf(IntegrationError);
  return (error as IntegrationError).code;
}

/** Pages through `listChanges` from `cursor` to the end, returning the changes and the final cursor. */
export async function drainChanges(provider: CalendarProvider, calendarId: string, cursor?: string) {
  const changes: EventChange[] = [];
  let next = cursor;
  let pages = 0;
  for (;;) {
    const page = await provider.listChanges(calendarId, next);
    changes.push(...page.changes);
    next = page.cursor;
    pages += 1;
    if (!page.more) return { changes, cursor: next, pages };
    if (pages > 1000) throw new Error('listing never ends');
  }
}

const base = {
  start: { dateTime: '2026-03-02T09:00:00', timeZone: 'America/Los_Angeles' },
  end: { dateTime: '2026-03-02T10:00:00', timeZone: 'America/Los_Angeles' },
};

/** `skip: ['watch']` for providers with no push channel at all (CalDAV), which test their `unsupported` answer themselves. */
export interface CalendarConformanceOptions {
  skip?: 'watch'[];
}

export function describeCalendarConformance(
  name: string,
  factory: () => Promise<CalendarHarness> | CalendarHarness,
  options: CalendarConformanceOptions = {},
): void {
  describe(`CalendarProvider conformance: ${name}`, () => {
    let h: CalendarHarness;
    beforeEach(async () => {
      h = await factory();
    });

    it('lists calendars with access role and time zone', async () => {
      const calendars = await h.provider.listCalendars();
      for (const c of calendars) calendarInfoSchema.parse(c);
      const mine = calendars.find((c) => c.id === h.calendarId);
      expect(mine).toBeDefined();
      expect(['owner', 'writer', 'reader', 'freeBusyReader']).toContain(mine?.accessRole);
      expect(mine?.timeZone).toMatch(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/);
    });

    it('creates, reads, updates with an etag precondition and deletes an event', async () => {
      const created = await h.provider.createEvent(h.calendarId, {
        ...base,
        title: 'Yoga',
        location: 'Studio 2',
        extendedProperties: { bookingId: 'b-1' },
        attendees: [{ email: 'ana@example.com' }],
      });
      expect(created.id.length).toBeGreaterThan(0);
      const read = await h.provider.getEvent(h.calendarId, created.id);
      // What every adapter returns is a valid CalendarEvent by the published schema.
      calendarEventSchema.parse(created);
      calendarEventSchema.parse(read);
      expect(read).toMatchObject({ title: 'Yoga', location: 'Studio 2', status: 'confirmed', transparency: 'opaque' });
      expect(read.extendedProperties).toEqual({ bookingId: 'b-1' });
      expect(read.start).toEqual(base.start);
      expect(read.end).toEqual(base.end);
      expect(read.attendees.map((a) => a.email)).toEqual(['ana@example.com']);
      expect(read.attendees[0]?.responseStatus).toBe('needsAction');

      const updated = await h.provider.updateEvent(h.calendarId, created.id, { title: 'Yin yoga' }, { etag: read.etag });
      expect(updated.title).toBe('Yin yoga');
      expect(updated.etag).not.toBe(read.etag);
      expect(await codeOf(h.provider.updateEvent(h.calendarId, created.id, { title: 'stale' }, { etag: read.etag }))).toBe(
        'precondition_failed',
      );
      expect((await h.provider.getEvent(h.calendarId, created.id)).title).toBe('Yin yoga');

      await h.provider.deleteEvent(h.calendarId, created.id);
      expect(await codeOf(h.provider.getEvent(h.calendarId, created.id))).toMatch(/^not_found$/);
    });

    it('a retried create with the same client id does not duplicate the event', async () => {
      const input = { ...base, id: 'booking000042', title: 'Class' };
      const first = await h.provider.createEvent(h.calendarId, input);
      const again = await h.provider.createEvent(h.calendarId, input);
      expect(again.id).toBe(first.id);
      const listed = await h.provider.listEvents(h.calendarId, { from: '2026-03-01T00:00:00Z', to: '2026-03-04T00:00:00Z' });
      expect(listed.filter((e) => e.id === first.id)).toHaveLength(1);
      expect(await codeOf(h.provider.createEvent(h.calendarId, { ...input, title: 'Another' }))).toBe('conflict');
    });

    it('keeps all-day dates as dates', async () => {
      const created = await h.provider.createEvent(h.calendarId, {
        title: 'Retreat',
        start: { date: '2026-03-08' },
        end: { date: '2026-03-10' },
      });
      const read = await h.provider.getEvent(h.calendarId, created.id);
      expect(read.start).toEqual({ date: '2026-03-08' });
      expect(read.end).toEqual({ date: '2026-03-10' });
    });

    it('expands a weekly series across a DST change at the same wall time, with a cancelled instance', async () => {
      const master = await h.provider.createEvent(h.calendarId, {
        ...base,
        title: 'Weekly class',
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      });
      const window = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
      const instances = await h.provider.listEvents(h.calendarId, { ...window, expand: true });
      for (const e of instances) calendarEventSchema.parse(e);
      const mine = instances.filter((e) => e.recurringEventId === master.id);
      expect(mine.map((e) => (e.start as { dateTime: string }).dateTime.slice(0, 16))).toEqual([
        '2026-03-02T09:00',
        '2026-03-09T09:00',
        '2026-03-16T09:00',
        '2026-03-23T09:00',
      ]);
      const second = mine[1] as CalendarEvent;
      await h.provider.deleteEvent(h.calendarId, second.id);
      const after = (await h.provider.listEvents(h.calendarId, { ...window, expand: true })).filter(
        (e) => e.recurringEventId === master.id,
      );
      expect(after.map((e) => e.id)).not.toContain(second.id);
      expect(after).toHaveLength(3);
      const masters = await h.provider.listEvents(h.calendarId, { ...window, expand: false });
      expect(masters.find((e) => e.id === master.id)?.recurrence?.some((l) => l.startsWith('RRULE:FREQ=WEEKLY'))).toBe(true);
    });

    it('pages through changes: full listing, then only what changed, deletions included', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await h.provider.createEvent(h.calendarId, { ...base, title: `e${i}` })).id);
      const full = await drainChanges(h.provider, h.calendarId);
      const upserted = new Set(full.changes.flatMap((c) => (c.type === 'upsert' ? [c.event.id] : [])));
      for (const id of ids) expect(upserted.has(id)).toBe(true);

      const [a, b] = ids as [string, string];
      await h.provider.updateEvent(h.calendarId, a, { title: 'changed' });
      await h.provider.deleteEvent(h.calendarId, b);
      const inc = await drainChanges(h.provider, h.calendarId, full.cursor);
      expect(inc.changes.find((c) => c.type === 'upsert' && c.event.id === a)).toMatchObject({ event: { title: 'changed' } });
      expect(inc.changes.some((c) => c.type === 'delete' && c.eventId === b)).toBe(true);
      expect(inc.changes.some((c) => c.type === 'upsert' && ids.slice(2).includes(c.event.id))).toBe(false);

      const quiet = await drainChanges(h.provider, h.calendarId, inc.cursor);
      expect(quiet.changes).toEqual([]);
    });

    it('an expired cursor is sync_token_expired, and a new full listing works', async () => {
      await h.provider.createEvent(h.calendarId, { ...base, title: 'x' });
      const full = await drainChanges(h.provider, h.calendarId);
      await h.expireCursors();
      expect(await codeOf(h.provider.listChanges(h.calendarId, full.cursor))).toBe('sync_token_expired');
      const again = await drainChanges(h.provider, h.calendarId);
      expect(again.changes.length).toBeGreaterThan(0);
    });

    it('free/busy: opaque events block, transparent ones do not', async () => {
      await h.provider.createEvent(h.calendarId, { ...base, title: 'busy' });
      await h.provider.createEvent(h.calendarId, {
        start: { dateTime: '2026-03-02T12:00:00', timeZone: 'America/Los_Angeles' },
        end: { dateTime: '2026-03-02T13:00:00', timeZone: 'America/Los_Angeles' },
        transparency: 'transparent',
        title: 'free',
      });
      const result = await h.provider.freeBusy({ calendarIds: [h.calendarId], from: '2026-03-02T00:00:00Z', to: '2026-03-03T12:00:00Z' });
      const busy = result[h.calendarId]?.busy ?? [];
      expect(busy.map((b) => [Date.parse(b.start), Date.parse(b.end)])).toEqual([
        [Date.parse('2026-03-02T17:00:00Z'), Date.parse('2026-03-02T18:00:00Z')],
      ]);
    });

    it('responds to an invitation', async () => {
      const created = await h.provider.createEvent(h.calendarId, {
        ...base,
        title: 'Invite',
        attendees: [{ email: h.ownerEmail }, { email: 'bo@example.com' }],
      });
      const answered = await h.provider.respondToEvent(h.calendarId, created.id, { response: 'accepted' });
      expect(answered.attendees.find((a) => a.email === h.ownerEmail)?.responseStatus).toBe('accepted');
    });

    // Skipped, with the reason in its name, for a provider without push (CalDAV), which tests its
    // `unsupported` answer itself.
    const noPush = options.skip?.includes('watch') === true;
    it.skipIf(noPush)(
      `opens and stops a push channel with the expiry the provider granted${noPush ? ' (skipped: this provider has no push channel; its watch() is tested to be unsupported)' : ''}`,
      async () => {
        const channel = await h.provider.watch({
          calendarId: h.calendarId,
          address: 'https://hooks.example.com/calendar',
          token: 'tok-123',
          ttlSeconds: 3600,
        });
        expect(channel.calendarId).toBe(h.calendarId);
        expect(channel.expiresAt).toBeGreaterThan(h.now());
        expect(channel.expiresAt).toBeLessThanOrEqual(h.now() + 3600_000 + 1000);
        await h.provider.stopWatch(channel);
      },
    );

    it('rejects bad input with invalid_input before calling the provider', async () => {
      const cases = [
        { ...base, start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Mars/Olympus' } },
        { ...base, end: { dateTime: '2026-03-02T08:00:00', timeZone: 'America/Los_Angeles' } },
        { start: { date: '2026-03-02' }, end: base.end },
        { ...base, recurrence: ['RRULE:FREQ=SOMETIMES'] },
        { ...base, id: 'NOT-base32hex!' },
      ];
      for (const input of cases) expect(await codeOf(h.provider.createEvent(h.calendarId, input as never))).toBe('invalid_input');
      expect(await codeOf(h.provider.listEvents(h.calendarId, { from: '2026-03-02', to: '2026-03-01T00:00:00Z' }))).toBe('invalid_input');
      expect(await codeOf(h.provider.listChanges(h.calendarId, 'garbage!!'))).toMatch(/^(invalid_input|sync_token_expired)$/);
    });
  });
}
