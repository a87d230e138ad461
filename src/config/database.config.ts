import type { EnvReader } from './env-reader.js';

export class DatabaseConfig {
  /** Picks the driver: sqlite:<file>, sqlite::memory:, mysql://... or postgres://... */
  readonly url: string;

  constructor(read: EnvReader) {
    this.url =
      read.matching(
        'DATABASE_URL',
        /^(sqlite:.+|mysql:\/\/.+|postgres(ql)?:\/\/.+)$/,
        'DATABASE_URL must be sqlite:<file>, sqlite::memory:, mysql://user:pass@host:3306/db or postgres://user:pass@host:5432/db',
      ) ?? 'sqlite:data/app.db';
  }
}
