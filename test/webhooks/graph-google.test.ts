/** Microsoft Graph change notifications (clientState, validation handshake) and Google Calendar push channels. */
import { describe, expect, it } from 'vitest';
import { graphValidationResponse, verifyGoogleChannel, verifyGraphNotification } from '../../src/webhooks/index.js';
import { expectCode } from './helpers.js';

const clientState = 'cs-7f3a9c2e-secret-value';
const item = (state: string | undefined, id = '1') => ({
  subscriptionId: 'sub-1',
  clientState: state,
  changeType: 'updated',
  resource: `Users/u1/Events/${id}`,
  resourceData: { id, '@odata.type': '#Microsoft.Graph.Event' },
});

describe('verifyGraphNotification', () => {
  it('accepts a batch where every item carries the clientState', async () => {
    const body = JSON.stringify({ value: [item(clientState, '1'), item(clientState, '2')] });
    const result = await verifyGraphNotification({ body, headers: {} }, { clientState });
    expect(result.payload.value.map((v) => v.resourceData?.id)).toEqual(['1', '2']);
  });

  it('rejects the whole batch when one item has a wrong or missing clientState', async () => {
    for (const bad of ['wrong', undefined, '']) {
      const body = JSON.stringify({ value: [item(clientState), item(bad)] });
      const error = await expectCode(verifyGraphNotification({ body, headers: {} }, { clientState }), 'signature_invalid');
      expect(error.message).toMatch(/notification 1/);
      expect(error.message).not.toContain(clientState);
    }
  });

  it('accepts any of several clientStates during rotation', async () => {
    const body = JSON.stringify({ value: [item('old-state'), item(clientState)] });
    await expect(verifyGraphNotification({ body, headers: {} }, { clientState: ['old-state', clientState] })).resolves.toBeTruthy();
  });

  it('tells the caller to answer a validation request first', async () => {
    const error = await expectCode(
      verifyGraphNotification({ body: '', headers: {}, url: 'https://example.com/graph?validationToken=abc' }, { clientState }),
      'invalid_input',
    );
    expect(error.message).toMatch(/graphValidationResponse/);
  });

  it.each([['{}'], ['{"value":[]}'], ['not json'], ['{"value":"x"}']])('body %s is invalid_input', async (body) => {
    await expectCode(verifyGraphNotification({ body, headers: {} }, { clientState }), 'invalid_input');
  });
});

describe('graphValidationResponse', () => {
  it('echoes the decoded token as text/plain', async () => {
    const response = graphValidationResponse(
      'https://example.com/graph?validationToken=Validation%3A%20Testing%20client%20application%20reachability',
    );
    expect(response?.status).toBe(200);
    expect(response?.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response?.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response?.text()).toBe('Validation: Testing client application reachability');
  });

  it('returns null for ordinary notifications and accepts URL objects and paths', () => {
    expect(graphValidationResponse('https://example.com/graph')).toBeNull();
    expect(graphValidationResponse(new URL('https://example.com/graph?validationToken='))).toBeNull();
    expect(graphValidationResponse('/graph?validationToken=x')).not.toBeNull();
  });
});

describe('verifyGoogleChannel', () => {
  const token = 'channel-token-123';
  const headers = (extra: Record<string, string> = {}) => ({
    'X-Goog-Channel-ID': 'chan-1',
    'X-Goog-Channel-Token': token,
    'X-Goog-Resource-ID': 'res-1',
    'X-Goog-Resource-URI': 'https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json',
    'X-Goog-Resource-State': 'exists',
    'X-Goog-Message-Number': '7',
    'X-Goog-Channel-Expiration': 'Wed, 02 Dec 2026 10:00:00 GMT',
    ...extra,
  });

  it('accepts a change notification and returns the channel facts', async () => {
    const result = await verifyGoogleChannel({ body: '', headers: headers() }, { token, channelIds: ['chan-1'] });
    expect(result).toEqual({
      provider: 'google',
      id: 'chan-1:7',
      payload: {
        channelId: 'chan-1',
        resourceId: 'res-1',
        resourceState: 'exists',
        resourceUri: 'https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json',
        messageNumber: 7,
        channelExpiration: 'Wed, 02 Dec 2026 10:00:00 GMT',
        isSync: false,
      },
    });
  });

  it('flags the first sync message', async () => {
    const result = await verifyGoogleChannel(
      { body: '', headers: headers({ 'X-Goog-Resource-State': 'sync', 'X-Goog-Message-Number': '1' }) },
      { token },
    );
    expect(result.payload.isSync).toBe(true);
  });

  it('rejects a wrong or missing token and unknown channels', async () => {
    await expectCode(
      verifyGoogleChannel({ body: '', headers: headers({ 'X-Goog-Channel-Token': 'nope' }) }, { token }),
      'signature_invalid',
    );
    const { 'X-Goog-Channel-Token': _t, ...noToken } = headers();
    await expectCode(verifyGoogleChannel({ body: '', headers: noToken }, { token }), 'signature_invalid');
    await expectCode(verifyGoogleChannel({ body: '', headers: headers() }, { token, channelIds: ['chan-2'] }), 'signature_invalid');
  });

  it.each([
    ['unknown resource state', { 'X-Goog-Resource-State': 'deleted' }],
    ['bad message number', { 'X-Goog-Message-Number': '-1' }],
  ])('%s is invalid_input', async (_name, extra) => {
    await expectCode(verifyGoogleChannel({ body: '', headers: headers(extra) }, { token }), 'invalid_input');
  });
});
