/**
 * Every tag a route may use, with its description (OpenAPI lint requires both). A new
 * feature with a new tag adds one line here.
 */
export const API_TAGS = {
  auth: 'Registration, login, token refresh, logout and the caller’s sessions',
  users: 'The caller’s account, and user administration for admins',
  authors: 'Authors owned by the user who created them; admins see all',
  audit: 'Security and administration events (admins only)',
  'two-factor': 'The caller’s authenticator app (TOTP) and recovery codes; every change needs a fresh token',
  operations: 'Health of the service and its database',
} as const;

export type ApiTag = keyof typeof API_TAGS;
