/**
 * switchyard core: the error type, the logger interface, redaction and the shared value types.
 * This entry loads no provider SDK and no `node:` module, so it is safe everywhere.
 *
 * @packageDocumentation
 */
export {
  ERROR_CODES,
  IntegrationError,
  isIntegrationError,
  isRetryableCode,
  type ErrorCode,
  type IntegrationErrorJSON,
  type IntegrationErrorOptions,
} from './core/errors.js';
export {
  createConsoleLogger,
  silentLogger,
  withRedaction,
  type ConsoleLoggerOptions,
  type LogFields,
  type Logger,
  type LogLevel,
} from './core/logger.js';
export { isSecretKey, redact, redactString } from './core/redact.js';
export { CURRENCY_EXPONENTS } from './core/currencies.js';
export { addMoney, createMoney, currencyExponent, formatMoney, isCurrency, parseMoney, toDecimalString, type Money } from './core/money.js';
export type { JsonValue, Page } from './core/types.js';
export {
  createTelemetry,
  TELEMETRY_ATTRIBUTES,
  TELEMETRY_NAMES,
  type CallContext,
  type CallInfo,
  type CallOutcome,
  type Attributes,
  type MeterLike,
  type OpenTelemetryApiLike,
  type SpanLike,
  type TracerLike,
  type RequestEvent,
  type ResponseEvent,
  type RetryEvent,
  type Telemetry,
  type TelemetryHooks,
  type TelemetryOptions,
  type WebhookEvent,
} from './core/observability.js';
export {
  createPrivacyRegistry,
  type ErasureReport,
  type PersonalDataSource,
  type PersonExport,
  type PrivacyRegistry,
  type PrivacyRegistryOptions,
} from './core/privacy.js';
