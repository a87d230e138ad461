/** The web client's pages that take a link token (API.md: "Links point at the web client"). */
export type AccountLinkPage = 'verify-email' | 'reset-password';

/** A token is base64url, so it needs no escaping in the hash route's query. */
export function accountLink(appUrl: string, page: AccountLinkPage, token: string): string {
  return `${appUrl}/#/${page}?token=${token}`;
}

/** The one-time token purposes of the two kinds of link. */
export const EMAIL_VERIFICATION = 'email-verification';
export const PASSWORD_RESET = 'password-reset';

/** The one answer to a link token that is unknown, used, expired or no longer good. */
export const INVALID_LINK = 'Invalid, used or expired link';
