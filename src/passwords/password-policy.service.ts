import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AccountsConfig } from '../config/accounts.config.js';
import { passwordProblem } from './password-strength.js';

export { PASSWORD_MAX_LENGTH } from './password-strength.js';

/**
 * NIST SP 800-63B rules (see password-strength.ts): a minimum length, no composition rules,
 * no common, patterned or username-derived passwords. Returns the first rule the password breaks.
 */
@Injectable()
export class PasswordPolicyService implements OnApplicationBootstrap {
  constructor(private readonly config: AccountsConfig) {}

  /**
   * Builds the word lists and runs the scorer once before the first request. Done by the first
   * registration instead, that synchronous work (~0.4 s here, seconds on a busy machine) froze
   * every request in flight, long enough for their database queries to time out (503s seen in CI).
   */
  onApplicationBootstrap(): void {
    this.violation('start-up check of the scorer', '');
  }

  violation(password: string, username: string, field = 'password'): string | undefined {
    return passwordProblem(password, { minLength: this.config.passwordMinLength, username, field });
  }
}
