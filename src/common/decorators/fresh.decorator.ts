import { SetMetadata } from '@nestjs/common';

export const FRESH_KEY = 'fresh';

/** The route needs an access token from a password login, not one minted by /refresh. */
export const Fresh = () => SetMetadata(FRESH_KEY, true);
