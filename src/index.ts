/**
 * switchyard core: the error type, the logger interface, redaction and the shared value types.
 * This entry loads no provider SDK and no `node:` module, so it is safe everywhere.
 */

export { CURRENCY_EXPONENTS } from './core/currencies.js';
export {
  ERROR_CODES,
  type ErrorCode,
  IntegrationError,
  type IntegrationErrorJSON,
  type IntegrationErrorOptions,
  isIntegrationError,
  isRetryableCode,
} from './core/errors.js';
export {
  type ConsoleLoggerOptions,
  createConsoleLogger,
  type LogFields,
  type Logger,
  type LogLevel,
  silentLogger,
  withRedaction,
} from './core/logger.js';
export { addMoney, createMoney, currencyExponent, formatMoney, isCurrency, type Money, parseMoney, toDecimalString } from './core/money.js';
export { isSecretKey, redact, redactString } from './core/redact.js';
export type { JsonValue, Page } from './core/types.js';
