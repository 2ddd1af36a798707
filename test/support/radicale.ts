/**
 * A real Radicale 3 for the CalDAV tests, started with its own config (Debian's default uses
 * remote_user auth and TLS): a free port on 127.0.0.1, `auth none`, `owner_only` rights, storage
 * in a temp dir, no web UI. `radicaleSkipReason()` is synchronous (vitest registers tests
 * synchronously) and, like `peerSkipReason`, throws under `CI=true` instead of skipping.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

let cached: string | false | undefined;

export function radicaleSkipReason(): string | false {
  if (cached !== undefined) return cached;
  let reason: string | false = false;
  try {
    execFileSync('radicale', ['--version'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    reason = 'radicale is not installed (apt-get install radicale; .ci/run does it)';
  }
  if (reason && process.env.CI === 'true') throw new Error(`CI=true and a required test peer is missing: ${reason}`);
  if (reason) console.warn(`[skip] ${reason}`);
  cached = reason;
  return reason;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RadicaleServer {
  url: string;
  storage: string;
  stop(): Promise<void>;
}

export async function startRadicale(): Promise<RadicaleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-radicale-'));
  const storage = join(dir, 'collections');
  const port = await freePort();
  const config = join(dir, 'config');
  writeFileSync(
    config,
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      '[auth]',
      'type = none',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${storage}`,
      '[web]',
      'type = none',
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('radicale', ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`radicale exited: ${stderr.slice(0, 500)}`);
    try {
      const res = await fetch(url, { method: 'OPTIONS' });
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`radicale did not start: ${stderr.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    storage,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts one Radicale for the enclosing `describe` (beforeAll / afterAll) and returns a handle whose
 * `url` and `storage` are read inside tests and hooks, once the server is up.
 */
export function useRadicale(): { readonly url: string; readonly storage: string } {
  let server: RadicaleServer | undefined;
  beforeAll(async () => {
    server = await startRadicale();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  const started = (): RadicaleServer => {
    if (!server) throw new Error('Radicale is not started yet: read the server inside a test or a hook');
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get storage() {
      return started().storage;
    },
  };
}
