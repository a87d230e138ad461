import type { EnvReader } from './env-reader.js';

/** The first admin, created at start-up when none exists. */
export class AdminConfig {
  readonly username?: string;
  readonly password?: string;

  constructor(read: EnvReader) {
    this.username = read.matching('ADMIN_USERNAME', /^[A-Za-z0-9._-]{3,32}$/, 'ADMIN_USERNAME must be 3-32 letters, digits, ".", "_" or "-"');
    this.password = read.raw('ADMIN_PASSWORD');
    if (Boolean(this.username) !== Boolean(this.password)) read.problem('ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }
}
