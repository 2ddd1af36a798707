/**
 * Initial plus incremental sync of 10,000 events over 100 pages from a local HTTP server speaking
 * the Google Calendar events.list protocol, through the real `@googleapis/calendar` client.
 * Anchor: a naive loop of `events.list` calls with the same client that collects every page into
 * an array (what most integrations do). Reported: events per second and peak heap growth, and the
 * same for half the pages to show whether memory grows with the number of pages.
 *
 * The server models the sync-token protocol: the full listing ends with `sync-1`, the increment
 * after `sync-1` ends with `sync-2`, and `sync-2` (nothing changed since) answers one empty page.
 * Both sides then read the same 110 pages (ours one more, empty: its second `sync()` finds
 * nothing new). A second scenario delays every response by `CAL_BENCH_LATENCY_MS` (default 20 ms),
 * a fast real API round trip, where the engine's prefetch of the next page matters.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calendar } from '@googleapis/calendar';
import { createGoogleCalendar } from '../src/calendar/google/index.js';
import { createCalendarSync } from '../src/calendar/index.js';
import { createMemoryStore } from '../src/stores/index.js';

const PAGE = 100;
const TOTAL = Number(process.env.CAL_BENCH_EVENTS ?? 10_000);
const CHANGED = TOTAL / 10;

function event(i: number, version: number) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return {
    kind: 'calendar#event',
    id: `ev${String(i).padStart(6, '0')}`,
    etag: `"${version}${i}"`,
    status: 'confirmed',
    summary: `Booking ${i} v${version}`,
    description: 'x'.repeat(200),
    start: { dateTime: `2026-03-${day}T09:00:00-08:00`, timeZone: 'America/Los_Angeles' },
    end: { dateTime: `2026-03-${day}T10:00:00-08:00`, timeZone: 'America/Los_Angeles' },
    attendees: [{ email: `c${i}@example.com`, responseStatus: 'accepted' }],
    extendedProperties: { private: { bookingId: `b${i}` } },
    updated: '2026-03-01T00:00:00.000Z',
  };
}

function pages(count: number, version: number, offset = 0): string[] {
  const out: string[] = [];
  for (let p = 0; p * PAGE < count; p++) {
    const items = Array.from({ length: Math.min(PAGE, count - p * PAGE) }, (_, k) => event(offset + p * PAGE + k, version));
    const last = (p + 1) * PAGE >= count;
    out.push(
      JSON.stringify({
        kind: 'calendar#events',
        timeZone: 'America/Los_Angeles',
        items,
        ...(last ? { nextSyncToken: `sync-${version}` } : { nextPageToken: `p${p + 1}` }),
      }),
    );
  }
  return out;
}

let full = pages(TOTAL, 1);
let inc = pages(CHANGED, 2);
const LATENCY_MS = Number(process.env.CAL_BENCH_LATENCY_MS ?? 20);
let latency = 0;
const EMPTY = JSON.stringify({ kind: 'calendar#events', timeZone: 'America/Los_Angeles', items: [], nextSyncToken: 'sync-2' });
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  res.setHeader('content-type', 'application/json');
  const send = (body: string) => (latency ? setTimeout(() => res.end(body), latency) : res.end(body));
  if (url.pathname.endsWith('/calendars/bench')) return send('{"id":"bench","timeZone":"America/Los_Angeles"}');
  if (url.searchParams.get('syncToken') === 'sync-2') return send(EMPTY);
  const page = Number((url.searchParams.get('pageToken') ?? 'p0').slice(1));
  const list = url.searchParams.has('syncToken') || url.searchParams.get('pageToken')?.startsWith('q') ? inc : full;
  const body = list[page];
  if (body === undefined) {
    res.statusCode = 400;
    return res.end('{}');
  }
  // Incremental pages continue with q-tokens so the server knows which listing they belong to.
  send(list === inc ? body.replace(/"nextPageToken":"p/g, '"nextPageToken":"q') : body);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const rootUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
async function run(name: string, fn: () => Promise<number>) {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 2);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const events = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  // CPU time (this process: client, in-process server, GC) is what a shared, loaded machine
  // distorts least; wall time is what a user waits.
  return { name, events, ms, cpuMs: (cpu.user + cpu.system) / 1000, eps: (events / ms) * 1000, peakMb: (peak - base) / 1_048_576 };
}

async function naive(): Promise<number> {
  const api = calendar({ version: 'v3', rootUrl, retry: false } as Parameters<typeof calendar>[0]);
  const all: unknown[] = [];
  let pageToken: string | undefined;
  let syncToken: string | undefined;
  do {
    const res = await api.events.list({ calendarId: 'bench', maxResults: PAGE, showDeleted: true, ...(pageToken ? { pageToken } : {}) });
    all.push(...(res.data.items ?? []));
    pageToken = res.data.nextPageToken ?? undefined;
    syncToken = res.data.nextSyncToken ?? syncToken;
  } while (pageToken);
  do {
    const res = await api.events.list({ calendarId: 'bench', maxResults: PAGE, ...(pageToken ? { pageToken } : { syncToken }) });
    all.push(...(res.data.items ?? []));
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  return all.length;
}

async function ours(): Promise<number> {
  const provider = createGoogleCalendar({ auth: 'bench-token', rootUrl, pageSize: PAGE });
  let n = 0;
  const sync = createCalendarSync({ provider, store: createMemoryStore(), onChange: () => void n++ });
  await sync.sync('bench');
  await sync.sync('bench');
  return n;
}

// Warm-up (JIT, sockets), then alternate so neither side always runs on a colder process.
await naive();
await ours();
const rows: Awaited<ReturnType<typeof run>>[] = [];
for (let i = 0; i < 3; i++) {
  rows.push(await run('naive events.list loop (anchor)', naive));
  rows.push(await run('createCalendarSync + createGoogleCalendar', ours));
}
latency = LATENCY_MS;
const slow: Awaited<ReturnType<typeof run>>[] = [];
for (let i = 0; i < 3; i++) {
  slow.push(await run(`naive, ${LATENCY_MS} ms per response (anchor)`, naive));
  slow.push(await run(`ours, ${LATENCY_MS} ms per response`, ours));
}
latency = 0;
full = pages(TOTAL / 2, 1);
inc = pages(CHANGED / 2, 2);
const half: Awaited<ReturnType<typeof run>>[] = [];
for (let i = 0; i < 2; i++) {
  half.push(await run('naive, half the pages', naive));
  half.push(await run('ours, half the pages', ours));
}
server.close();

const median = (name: string, list: typeof rows) => {
  const r = list.filter((x) => x.name === name).sort((a, b) => a.eps - b.eps);
  return r[Math.floor(r.length / 2)] as (typeof rows)[number];
};
const anchor = median('naive events.list loop (anchor)', rows);
const mine = median('createCalendarSync + createGoogleCalendar', rows);
const hn = median('naive, half the pages', half);
const ho = median('ours, half the pages', half);
console.log(
  `\n## Calendar sync: ${TOTAL} events / ${TOTAL / PAGE} pages + ${CHANGED} changed (target: memory flat in pages, throughput ≥ the naive loop)\n`,
);
console.log('| run | events | ms | events/s | ratio to anchor | CPU ms | CPU ratio (anchor CPU / this CPU) | peak heap growth (MB) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const row = (r: (typeof rows)[number], a: (typeof rows)[number]) =>
  console.log(
    `| ${r.name} | ${r.events} | ${r.ms.toFixed(0)} | ${r.eps.toFixed(0)} | ${(r.eps / a.eps).toFixed(2)} | ${r.cpuMs.toFixed(0)} | ${(a.cpuMs / r.cpuMs).toFixed(2)} | ${r.peakMb.toFixed(1)} |`,
  );
for (const r of [anchor, mine, hn, ho]) row(r, anchor);
const slowAnchor = median(`naive, ${LATENCY_MS} ms per response (anchor)`, slow);
const slowMine = median(`ours, ${LATENCY_MS} ms per response`, slow);
for (const r of [slowAnchor, slowMine]) row(r, slowAnchor);
