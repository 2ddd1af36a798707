/**
 * Request adapters: turn what a framework hands you into a `RawWebhook` whose body is the exact
 * bytes received. Signatures are over bytes; a body that was parsed and re-serialized (the classic
 * `express.json()` mistake) can never verify, so we refuse it with a message that says what to do.
 */
import { parsedBodyHint } from './common.js';
import { concatBytes, utf8 } from './encoding.js';
import { fail } from './errors.js';
import type { RawWebhook } from './types.js';

const PROVIDER = 'webhooks';
/** Default cap on a body read from a Node stream. SNS allows 256 KB; SendGrid batches stay well under this. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Options of `fromFetchRequest` and `fromNodeRequest`. */
export interface ReadBodyOptions {
  /** Refuse bodies larger than this many bytes (default 4 MiB). */
  maxBytes?: number;
}

/**
 * A Fetch `Request` (Next.js route handlers, Hono's `c.req.raw`, Workers, Deno, Bun). Reads the body
 * once, as a stream, and stops at `maxBytes` whatever Content-Length claimed.
 *
 * @example
 * export async function POST(request: Request) {
 *   const { payload } = await verifyStripeWebhook(await fromFetchRequest(request), { secret });
 *   return new Response(null, { status: 204 });
 * }
 */
export async function fromFetchRequest(req: Request, options: ReadBodyOptions = {}): Promise<RawWebhook> {
  if (req === null || typeof req !== 'object' || typeof (req as Request).arrayBuffer !== 'function') {
    throw fail.input(PROVIDER, 'fromFetchRequest expects a Fetch Request (in Hono pass c.req.raw)', 'req');
  }
  if (req.bodyUsed) {
    throw fail.input(
      PROVIDER,
      'the request body was already read (req.json() or req.text()?); call fromFetchRequest first, or pass req.clone()',
      'body',
    );
  }
  const maxBytes = maxBytesOf(options);
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const body = req.body ? await readStream(streamChunks(req.body), maxBytes) : new Uint8Array(0);
  return { body, headers: req.headers, url: req.url };
}

/**
 * The parts of Node's `IncomingMessage` we use (Express and Fastify requests have them too).
 * Structural, so the public types do not depend on `@types/node`.
 */
export interface NodeRequestLike {
  headers: Record<string, string | string[] | undefined>;
  url?: string;
  /** Express: the URL before router mounting stripped its prefix. */
  originalUrl?: string;
  /** Set by body parsers (Express `express.raw()` gives a Buffer; `express.json()` an object). */
  body?: unknown;
  /** Fastify's request keeps the Node request here. */
  raw?: unknown;
  /** `encrypted` is set on TLS sockets. */
  socket?: object | null;
  readableEnded?: boolean;
}

/**
 * A Node request (Express, Fastify, plain `http`). Pass `rawBody` when a body parser already
 * consumed the stream (Express `express.raw()` → `req.body`; Fastify → a `contentTypeParser` with
 * `parseAs: 'buffer'`); otherwise the stream is read here. The URL is rebuilt from `Host` and the
 * socket; behind a proxy pass the public URL to the verifier (`url` option) instead.
 *
 * @example
 * app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
 *   const { payload } = await verifyStripeWebhook(await fromNodeRequest(req), { secret });
 *   res.sendStatus(204);
 * });
 */
export async function fromNodeRequest(
  req: NodeRequestLike,
  rawBody?: Uint8Array | string,
  options: ReadBodyOptions = {},
): Promise<RawWebhook> {
  if (req === null || typeof req !== 'object' || typeof req.headers !== 'object' || req.headers === null) {
    throw fail.input(PROVIDER, 'fromNodeRequest expects an http.IncomingMessage (or an Express/Fastify request)', 'req');
  }
  const maxBytes = maxBytesOf(options);
  let body: Uint8Array | string;
  if (rawBody !== undefined) {
    body = checkBody(rawBody, 'rawBody');
  } else if (req.body !== undefined && req.body !== null && !isUntouchedEmptyObject(req)) {
    body = checkBody(req.body, 'req.body');
  } else {
    // Fastify wraps the Node request; the stream is `req.raw`.
    const stream = isAsyncIterable(req.raw) ? req.raw : isAsyncIterable(req) ? req : undefined;
    if (req.readableEnded || !stream || (stream as { readableEnded?: boolean }).readableEnded) {
      throw fail.input(
        PROVIDER,
        `the request stream was already consumed by a body parser and no raw body is available; ${parsedBodyHint()}`,
        'body',
      );
    }
    body = await readStream(stream, maxBytes);
  }
  const size = typeof body === 'string' ? body.length : body.byteLength;
  if (size > maxBytes) throw tooLarge(maxBytes);
  const raw: RawWebhook = { body, headers: req.headers };
  const url = nodeUrl(req);
  if (url !== undefined) raw.url = url;
  return raw;
}

/** A web ReadableStream as an async iterable (not every runtime makes streams iterable yet). */
async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the transfer when we bail out early (body too large); a no-op once fully read.
    reader.cancel().catch(() => {});
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * Express 4's body parsers set `req.body = {}` even when they skip a request whose content type
 * they do not handle; the stream is then still unread and is the real body.
 */
function isUntouchedEmptyObject(req: NodeRequestLike): boolean {
  const body = req.body;
  return (
    typeof body === 'object' &&
    body !== null &&
    Object.getPrototypeOf(body) === Object.prototype &&
    Object.keys(body).length === 0 &&
    req.readableEnded === false
  );
}

function checkBody(value: unknown, where: string): Uint8Array | string {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  const what = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
  throw fail.input(PROVIDER, `${where} is ${what}, already parsed, so the signature cannot be checked; ${parsedBodyHint()}`, 'body');
}

async function readStream(req: AsyncIterable<unknown>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of req) {
    const bytes = typeof chunk === 'string' ? utf8(chunk) : chunk instanceof Uint8Array ? chunk : undefined;
    if (!bytes) throw fail.input(PROVIDER, 'the request stream yielded something other than bytes (object mode?)', 'body');
    length += bytes.byteLength;
    if (length > maxBytes) throw tooLarge(maxBytes);
    chunks.push(bytes);
  }
  return concatBytes(chunks);
}

function nodeUrl(req: NodeRequestLike): string | undefined {
  const host = req.headers.host;
  const path = req.originalUrl ?? req.url;
  if (typeof host !== 'string' || host.length === 0 || typeof path !== 'string') return undefined;
  const scheme = (req.socket as { encrypted?: boolean } | null | undefined)?.encrypted ? 'https' : 'http';
  if (!path.startsWith('/')) return undefined;
  try {
    // Concatenated, not resolved: a path like `//other.host/x` must not change the host.
    return new URL(`${scheme}://${host}${path}`).href;
  } catch {
    return undefined;
  }
}

function maxBytesOf(options: ReadBodyOptions): number {
  const max = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (typeof max !== 'number' || !(max > 0)) throw fail.config(PROVIDER, 'maxBytes must be a positive number', 'maxBytes');
  return max;
}

function tooLarge(maxBytes: number) {
  return fail.input(
    PROVIDER,
    `the request body is larger than ${maxBytes} bytes; raise maxBytes if this provider sends bigger batches`,
    'body',
  );
}
