/**
 * Provider presets: endpoints, the least-privilege scope set for each calendar feature, and the
 * parameters each provider needs before it hands out a refresh token.
 *
 * Scope choices (see docs/security.md for the table and the reasoning):
 * - Google: the narrow `calendar.events*` and `calendar.calendarlist.readonly` scopes instead of
 *   `calendar` / `calendar.readonly`, which also grant ACLs, settings and calendar deletion.
 * - Microsoft Graph: `Calendars.ReadBasic` is enough for free/busy (`getSchedule`) and hides
 *   bodies and attachments; `Calendars.Read` / `Calendars.ReadWrite` for sync and writes.
 */

/** What the host wants to do with the user's calendar; picks the smallest scope set that allows it. */
export type CalendarFeature = 'calendar.read' | 'calendar.readwrite' | 'calendar.freebusy';

/** An authorization server's endpoints. */
export interface OAuthEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 7009 revocation endpoint; without one, `revoke` only forgets the tokens locally. */
  revocationEndpoint?: string;
  /** Expected `iss` on the callback (RFC 9207) when the server sends one. */
  issuer?: string;
}

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1), or `none` for public clients. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ResolvedPreset extends OAuthEndpoints {
  name: string;
  /** Scopes that must be added for a refresh token (Microsoft `offline_access`). */
  offlineScopes: string[];
  /** Extra authorization parameters for a refresh token (Google `access_type=offline`). */
  offlineParams: Record<string, string>;
  featureScopes: Record<CalendarFeature, string[]>;
  clientAuth: ClientAuthMethod;
}

const GOOGLE_CALENDAR = 'https://www.googleapis.com/auth/calendar';
/** Google's least-privilege scope set for each calendar feature. */
export const GOOGLE_SCOPES: Record<CalendarFeature, string[]> = {
  'calendar.read': [`${GOOGLE_CALENDAR}.calendarlist.readonly`, `${GOOGLE_CALENDAR}.events.readonly`],
  'calendar.readwrite': [`${GOOGLE_CALENDAR}.calendarlist.readonly`, `${GOOGLE_CALENDAR}.events`],
  'calendar.freebusy': [`${GOOGLE_CALENDAR}.events.freebusy`],
};

const GRAPH = 'https://graph.microsoft.com';
/** Microsoft Graph's least-privilege scope set for each calendar feature. */
export const MICROSOFT_SCOPES: Record<CalendarFeature, string[]> = {
  'calendar.read': [`${GRAPH}/Calendars.Read`],
  'calendar.readwrite': [`${GRAPH}/Calendars.ReadWrite`],
  'calendar.freebusy': [`${GRAPH}/Calendars.ReadBasic`],
};

export function googlePreset(): ResolvedPreset {
  return {
    name: 'google',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
    issuer: 'https://accounts.google.com',
    offlineScopes: [],
    // Google only returns a refresh token with access_type=offline, and only on the first consent
    // unless prompt=consent asks again; without it a reconnect would leave us with no refresh token.
    offlineParams: { access_type: 'offline', prompt: 'consent' },
    featureScopes: GOOGLE_SCOPES,
    clientAuth: 'client_secret_post',
  };
}

/** `tenant`: `common` (default), `organizations`, `consumers`, or a tenant id / domain. */
export function microsoftPreset(tenant = 'common'): ResolvedPreset {
  const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/oauth2/v2.0`;
  return {
    name: 'microsoft',
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    // The identity platform has no RFC 7009 endpoint for a single grant.
    offlineScopes: ['offline_access'],
    offlineParams: {},
    featureScopes: MICROSOFT_SCOPES,
    clientAuth: 'client_secret_post',
  };
}
