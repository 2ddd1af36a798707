/**
 * A tiny benchmark harness. Every benchmark measures its anchor in the same run and reports each
 * contender as a ratio to it, so results compare across machines; nothing here asserts a time.
 */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  opsPerSecond: number;
  /** Median time of one operation, microseconds. */
  medianMicros: number;
}

export interface MeasureOptions {
  /** How long to sample, milliseconds (after warm-up). Default 400. */
  durationMs?: number;
  /** Operations per sample; raise for very fast functions. Default 100. */
  batch?: number;
}

/** Measure `fn` (sync or async) in batches until `durationMs` elapses; median of the batch means. */
export async function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const batch = options.batch ?? 100;
  const durationMs = options.durationMs ?? 400;
  const runBatch = async () => {
    const start = performance.now();
    for (let i = 0; i < batch; i++) {
      const r = fn();
      if (r && typeof (r as Promise<unknown>).then === 'function') await r;
    }
    return (performance.now() - start) / batch;
  };
  for (let i = 0; i < 5; i++) await runBatch(); // warm-up: JIT and caches
  const samples: number[] = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end || samples.length < 5) samples.push(await runBatch());
  samples.sort((a, b) => a - b);
  const medianMs = samples[Math.floor(samples.length / 2)] as number;
  return { name, opsPerSecond: 1000 / medianMs, medianMicros: medianMs * 1000 };
}

/** Print a table with each row's speed relative to `anchor` (ratio > 1 means slower than the anchor). */
export function report(title: string, anchor: Measurement, rows: Measurement[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| case | ops/s | median µs/op | time ratio to anchor |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const row of [anchor, ...rows]) {
    const ratio = row.medianMicros / anchor.medianMicros;
    console.log(
      `| ${row === anchor ? `${row.name} (anchor)` : row.name} | ${Math.round(row.opsPerSecond).toLocaleString('en-US')} | ${row.medianMicros.toFixed(2)} | ${ratio.toFixed(2)}× |`,
    );
  }
}
