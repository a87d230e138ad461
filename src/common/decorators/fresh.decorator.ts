import { SetMetadata } from '@nestjs/common';

export const FRESH_KEY = 'fresh';

/** The 401 message for a valid but non-fresh token; API.md promises it mentions "fresh". */
export const FRESH_TOKEN_REQUIRED = 'A fresh token is required: log in again with your password';

/** The route needs an access token from a password login, not one minted by /refresh. */
export const Fresh = () => SetMetadata(FRESH_KEY, true);
