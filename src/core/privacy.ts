/**
 * GDPR access and erasure across every store a host configured. switchyard keeps personal data in
 * several places (OAuth grants, notification preferences, the person ↔ suppression links); a
 * `Store` cannot list keys, so each of them keeps a per-person index record and exposes
 * `exportPerson` / `erasePerson`. This registry fans a request out to all of them, so a host
 * answers a data-subject request with one call and cannot forget a store.
 */
import { IntegrationError, isIntegrationError } from './errors.js';

/** Anything that holds personal data per person: `TokenStore`, `Preferences`, `SuppressionList`, yours. */
export interface PersonalDataSource {
  /** What the source holds for `personId`, as plain JSON data; never credentials. */
  exportPerson(personId: string): Promise<unknown>;
  /** Delete what the source holds for `personId`; returns how many records went. Must be idempotent. */
  erasePerson(personId: string): Promise<number>;
}

/** `exportPerson` result: one entry per registered source, by name. */
export interface PersonExport {
  personId: string;
  /** ISO-8601 instant the export was taken. */
  exportedAt: string;
  sources: Record<string, unknown>;
}

/** `erasePerson` result: records deleted per source, by name. */
export interface ErasureReport {
  personId: string;
  erased: Record<string, number>;
}

/** Fans GDPR export and erasure out to every registered `PersonalDataSource`; built by `createPrivacyRegistry`. */
export interface PrivacyRegistry {
  /** Add a source under a unique name (`oauth`, `notify.preferences`, …). */
  register(name: string, source: PersonalDataSource): PrivacyRegistry;
  /** Names of the registered sources, in registration order. */
  sources(): string[];
  /** Collect what every source holds for `personId`; a failing source fails the export. */
  exportPerson(personId: string): Promise<PersonExport>;
  /**
   * Erase from every source. All sources are attempted even when one fails, then a failure throws
   * `unavailable` (retryable) naming the failed sources: sources are idempotent, so the host
   * retries the whole call.
   */
  erasePerson(personId: string): Promise<ErasureReport>;
}

/** Options of `createPrivacyRegistry`. */
export interface PrivacyRegistryOptions {
  /** Sources to register up front, by name; `register` adds more later. */
  sources?: Record<string, PersonalDataSource>;
  /** Clock for `exportedAt`, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function assertPersonId(personId: unknown): asserts personId is string {
  if (typeof personId !== 'string' || personId.length === 0 || personId.length > 200) {
    throw new IntegrationError('invalid_input', 'personId must be a string of 1 to 200 characters', { details: { field: 'personId' } });
  }
}

/**
 * Build the registry that answers a data-subject request (access or erasure) with one call.
 *
 * @example
 * const privacy = createPrivacyRegistry({ sources: { oauth: tokenStore, 'notify.preferences': preferences, 'notify.suppression': suppression } });
 * await privacy.erasePerson('user-42');
 */
export function createPrivacyRegistry(options: PrivacyRegistryOptions = {}): PrivacyRegistry {
  const sources = new Map<string, PersonalDataSource>();
  const now = options.now ?? Date.now;

  // Runs every source, never stopping at the first failure: a partial erasure that stops early
  // would leave later stores holding data the host believes gone.
  const fanOut = async <T>(personId: string, operation: 'export' | 'erase', run: (source: PersonalDataSource) => Promise<T>) => {
    assertPersonId(personId);
    const results: Record<string, T> = {};
    const failed: string[] = [];
    const errors: unknown[] = [];
    for (const [name, source] of sources) {
      try {
        results[name] = await run(source);
      } catch (error) {
        failed.push(name);
        errors.push(error);
      }
    }
    // A source that refuses the id itself (e.g. the token store allows no spaces) will refuse it
    // again: say so, instead of an `unavailable` that invites a retry loop.
    if (failed.length > 0 && errors.every((e) => isIntegrationError(e) && e.code === 'invalid_input')) {
      throw new IntegrationError('invalid_input', `personId was refused by ${failed.join(', ')}`, {
        cause: errors[0],
        details: { field: 'personId', failedSources: failed, completedSources: Object.keys(results) },
      });
    }
    const firstError = errors[0];
    if (failed.length > 0) {
      // The message names sources only: the person id and the cause's text may be personal data.
      throw new IntegrationError('unavailable', `${operation} failed for ${failed.length} source(s): ${failed.join(', ')}`, {
        retryable: true,
        cause: firstError,
        details: { failedSources: failed, completedSources: Object.keys(results) },
      });
    }
    return results;
  };

  const registry: PrivacyRegistry = {
    register(name, source) {
      if (typeof name !== 'string' || !NAME.test(name)) {
        throw new IntegrationError('invalid_config', `source name must match ${NAME}`, { details: { field: 'name' } });
      }
      if (typeof source?.exportPerson !== 'function' || typeof source.erasePerson !== 'function') {
        throw new IntegrationError('invalid_config', `source "${name}" must have exportPerson and erasePerson`, {
          details: { field: name },
        });
      }
      if (sources.has(name))
        throw new IntegrationError('invalid_config', `source "${name}" is already registered`, { details: { field: name } });
      sources.set(name, source);
      return registry;
    },
    sources: () => [...sources.keys()],
    async exportPerson(personId) {
      const results = await fanOut(personId, 'export', (s) => s.exportPerson(personId));
      return { personId, exportedAt: new Date(now()).toISOString(), sources: results };
    },
    async erasePerson(personId) {
      const erased = await fanOut(personId, 'erase', (s) => s.erasePerson(personId));
      return { personId, erased };
    },
  };
  for (const [name, source] of Object.entries(options.sources ?? {})) registry.register(name, source);
  return registry;
}
