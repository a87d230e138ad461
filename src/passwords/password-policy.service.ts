import { Injectable } from '@nestjs/common';
import { AccountsConfig } from '../config/accounts.config.js';
import { passwordProblem } from './password-strength.js';

export { PASSWORD_MAX_LENGTH } from './password-strength.js';

/**
 * NIST SP 800-63B rules (see password-strength.ts): a minimum length, no composition rules,
 * no common, patterned or username-derived passwords. Returns the first rule the password breaks.
 */
@Injectable()
export class PasswordPolicyService {
  constructor(private readonly config: AccountsConfig) {}

  violation(password: string, username: string, field = 'password'): string | undefined {
    return passwordProblem(password, { minLength: this.config.passwordMinLength, username, field });
  }
}
