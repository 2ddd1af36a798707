import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/retry/index.js';

describe('classifyError: SDK network errors without a code', () => {
  it('treats gaxios/node-fetch FetchError and a status-less GaxiosError as a retryable network error', () => {
    const fetchError = Object.assign(new Error('request to https://www.googleapis.com failed, reason: socket hang up'), {
      name: 'FetchError',
      type: 'system',
    });
    expect(classifyError(fetchError)).toMatchObject({ retryable: true, reason: 'network error', notDelivered: false });
    const gaxios = Object.assign(new Error('Network error'), { name: 'GaxiosError' });
    expect(classifyError(gaxios)).toMatchObject({ retryable: true, notDelivered: false });
    const gaxios404 = Object.assign(new Error('Not Found'), { name: 'GaxiosError', status: 404 });
    expect(classifyError(gaxios404)).toMatchObject({ retryable: false, reason: 'http 404' });
  });
});
