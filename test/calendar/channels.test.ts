/**
 * The channel manager: open, renew before expiry (Google: new channel then stop the old one;
 * Graph: PATCH, trusting the granted expiry), lifecycle events, and notification bursts coalesced
 * into one follow-up sync.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalendarProvider,
  createCalendarSync,
  createChannelManager,
  createFakeCalendar,
  type EventChange,
} from '../../src/calendar/index.js';
import { createOutlookCalendar } from '../../src/calendar/outlook/index.js';
import { IntegrationError } from '../../src/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { createGraphApi } from './support/graph-api.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const TOKEN = 'channel-token-0123456789';
const ev = {
  start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Paris' },
  end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Paris' },
};

function setup(provider: CalendarProvider, clock: { t: number }) {
  const store = createMemoryStore();
  const changes: EventChange[] = [];
  let runs = 0;
  const inner = createCalendarSync({ provider, store, onChange: (c) => void changes.push(c) });
  const sync = {
    ...inner,
    sync: async (id: string) => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 5));
      return inner.sync(id);
    },
  };
  const manager = createChannelManager({
    provider,
    store,
    sync,
    address: 'https://hooks.example.com/cal',
    token: TOKEN,
    now: () => clock.t,
    renewBeforeSeconds: 3600,
  });
  return { manager, changes, runs: () => runs };
}

describe('channel manager', () => {
  it('Google-style renewal: opens a new channel before stopping the old one', async () => {
    const clock = { t: Date.parse('2026-03-01T00:00:00Z') };
    const fake = createFakeCalendar({ now: () => clock.t, maxChannelSeconds: 86_400 });
    const { manager } = setup(fake, clock);
    const first = await manager.ensure('primary');
    expect(await manager.ensure('primary')).toEqual(first);
    expect(await manager.renewDue()).toEqual([]);
    clock.t += 23.5 * 3600_000;
    const [second] = await manager.renewDue();
    expect(second?.id).not.toBe(first.id);
    expect(fake.channels().map((c) => c.id)).toEqual([second?.id]);
    // A late notification on the replaced channel still resolves to its calendar.
    expect((await manager.handleNotification({ channelId: first.id, resourceState: 'exists' })).calendarId).toBe('primary');
  });

  it('a burst of notifications runs one sync plus one follow-up, and the sync message is ignored', async () => {
    const clock = { t: Date.parse('2026-03-01T00:00:00Z') };
    const fake = createFakeCalendar({ now: () => clock.t });
    const { manager, changes, runs } = setup(fake, clock);
    const channel = await manager.ensure('primary');
    expect((await manager.handleNotification({ channelId: channel.id, resourceState: 'sync' })).action).toBe('ignored');
    await fake.createEvent('primary', { ...ev, title: 'a' });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => manager.handleNotification({ channelId: channel.id, resourceState: 'exists' })),
    );
    expect(outcomes.filter((o) => o.action === 'synced')).toHaveLength(1);
    expect(outcomes.filter((o) => o.action === 'coalesced')).toHaveLength(9);
    expect(runs()).toBe(2);
    expect(changes).toHaveLength(1);
  });

  it('unknown channels are not_found; bad options are invalid_config', async () => {
    const clock = { t: 0 };
    const { manager } = setup(createFakeCalendar(), clock);
    await expect(manager.handleNotification({ channelId: 'nope', resourceState: 'exists' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(manager.handleNotification({})).rejects.toBeInstanceOf(IntegrationError);
    expect(() =>
      createChannelManager({
        provider: createFakeCalendar(),
        store: createMemoryStore(),
        sync: {} as never,
        address: 'http://x',
        token: TOKEN,
      }),
    ).toThrow(/https/);
  });

  it('Graph: renews by PATCH, keeps the granted expiry, and handles lifecycle events', async () => {
    const clock = { t: Date.parse('2026-03-01T00:00:00Z') };
    const api = createGraphApi({ now: () => clock.t });
    server.resetHandlers(...api.handlers);
    const outlook = createOutlookCalendar({ auth: 'tok', now: () => clock.t, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    const { manager } = setup(outlook, clock);
    const sub = await manager.ensure('AAMkCal1');
    // Asked for 7 days; Graph allows 4230 minutes at most: the adapter asked for 70 hours and kept what came back.
    expect(sub.expiresAt).toBe(clock.t + 70 * 3600_000);
    clock.t += 70 * 3600_000 - 1800_000;
    const [renewed] = await manager.renewDue();
    expect(renewed?.id).toBe(sub.id);
    expect(renewed?.expiresAt).toBe(clock.t + 70 * 3600_000);
    expect((await manager.handleNotification({ subscriptionId: sub.id, lifecycleEvent: 'reauthorizationRequired' })).action).toBe(
      'renewed',
    );
    expect((await manager.handleNotification({ subscriptionId: sub.id, lifecycleEvent: 'missed' })).action).toBe('synced');
    api.subscriptions.clear();
    const reopened = await manager.handleNotification({ subscriptionId: sub.id, lifecycleEvent: 'subscriptionRemoved' });
    expect(reopened.action).toBe('reopened');
    expect(api.subscriptions.size).toBe(1);
    await manager.stop('AAMkCal1');
    expect(api.subscriptions.size).toBe(0);
  });
});
