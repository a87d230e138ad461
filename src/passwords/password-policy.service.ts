import { Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { AccountsConfig } from '../config/accounts.config.js';

export const PASSWORD_MAX_LENGTH = 128;

/** The ~49,000 most common passwords shipped with zxcvbn-ts, checked offline. */
const COMMON_PASSWORDS = new Set(
  (dictionary['passwords-common'] as string[]).map((password) => password.toLowerCase()),
);

/**
 * NIST SP 800-63B rules: a minimum length in code points, no composition rules, no
 * common or username-derived passwords. Returns the first rule the password breaks.
 */
@Injectable()
export class PasswordPolicyService {
  constructor(private readonly config: AccountsConfig) {}

  violation(password: string, username: string, field = 'password'): string | undefined {
    const length = [...password].length;
    if (length < this.config.passwordMinLength) {
      return `${field} must be at least ${this.config.passwordMinLength} characters long`;
    }
    if (length > PASSWORD_MAX_LENGTH) {
      return `${field} must be at most ${PASSWORD_MAX_LENGTH} characters long`;
    }
    const lowered = password.toLowerCase();
    if (username && lowered.includes(username.toLowerCase())) {
      return `${field} must not contain the username`;
    }
    if (COMMON_PASSWORDS.has(lowered)) {
      return `${field} is too common; choose a less predictable one`;
    }
    return undefined;
  }
}
