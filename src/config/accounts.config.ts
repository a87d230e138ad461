import type { EnvReader } from './env-reader.js';

/** Who may get an account and with which passwords. */
export class AccountsConfig {
  /** New accounts start pending until an admin activates them. */
  readonly requireApproval: boolean;
  /** In code points. */
  readonly passwordMinLength: number;
  /** Registration needs an email address, and login needs it verified. */
  readonly requireEmailVerification: boolean;

  constructor(read: EnvReader) {
    this.requireApproval = read.boolean('REQUIRE_APPROVAL', false);
    this.passwordMinLength = read.integer('PASSWORD_MIN_LENGTH', 15, 8, 128);
    this.requireEmailVerification = read.boolean('REQUIRE_EMAIL_VERIFICATION', false);
  }
}
