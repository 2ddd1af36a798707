/**
 * A pino-shaped logger interface, so a host can pass pino, a pino child, or anything with the same
 * four methods. switchyard never logs through a logger it was given without {@link withRedaction}.
 */
import { redact, redactString } from './redact.js';

/** Severity of a log line, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Structured fields of a log line (pino's merge object). */
export type LogFields = Record<string, unknown>;

/** What switchyard logs through: pino, a pino child, or anything with these four methods. */
export interface Logger {
  /** Per-call detail: provider calls and their outcome. */
  debug(fields: LogFields, message?: string): void;
  /** Notable, expected events. */
  info(fields: LogFields, message?: string): void;
  /** Failures switchyard handled or reports, such as a failed provider call or a throwing hook. */
  warn(fields: LogFields, message?: string): void;
  /** Failures the host should look at. */
  error(fields: LogFields, message?: string): void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The default: logs nothing. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

// Marks a logger that already redacts, so wrapping twice costs nothing.
const REDACTED = Symbol.for('switchyard.logger.redacted');

/**
 * Wrap any logger so that every field and message passes through `redact` first.
 *
 * @example
 * const logger = withRedaction(pino());
 * logger.info({ authorization: 'Bearer abc123' }, 'calling Stripe'); // the token is masked
 */
export function withRedaction(logger: Logger | undefined): Logger {
  if (!logger) return silentLogger;
  if ((logger as { [REDACTED]?: true })[REDACTED]) return logger;
  const wrapped = {} as Logger & { [REDACTED]: true };
  for (const level of LEVELS) {
    wrapped[level] = (fields: LogFields, message?: string) => {
      const safeFields = redact(fields ?? {});
      if (message === undefined) logger[level](safeFields);
      else logger[level](safeFields, redactString(message));
    };
  }
  wrapped[REDACTED] = true;
  return wrapped;
}

/** Options of `createConsoleLogger`. */
export interface ConsoleLoggerOptions {
  /** Lowest level printed. Default `info`. */
  level?: LogLevel;
  /** Fields added to every line, e.g. `{ service: 'billing' }`. */
  base?: LogFields;
  /** Where lines go. Default: `console` (`debug`/`info` to stdout, `warn`/`error` to stderr). */
  sink?: Pick<Console, 'log' | 'error'>;
  /** Clock for the `time` field, epoch milliseconds. */
  now?: () => number;
}

/**
 * A small JSON-lines logger for scripts and examples; use pino in production. Redacts everything.
 *
 * @example
 * const logger = createConsoleLogger({ level: 'debug', base: { service: 'billing' } });
 * logger.info({ customerId: 'cus_123' }, 'customer created');
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const min = LEVELS.indexOf(options.level ?? 'info');
  const sink = options.sink ?? console;
  const now = options.now ?? Date.now;
  const write = (level: LogLevel) => (fields: LogFields, message?: string) => {
    if (LEVELS.indexOf(level) < min) return;
    const line = JSON.stringify({
      level,
      time: new Date(now()).toISOString(),
      ...options.base,
      ...fields,
      ...(message === undefined ? {} : { msg: message }),
    });
    if (level === 'warn' || level === 'error') sink.error(line);
    else sink.log(line);
  };
  return withRedaction({ debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') });
}
