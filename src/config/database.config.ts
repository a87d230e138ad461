import type { EnvReader } from './env-reader.js';

export class DatabaseConfig {
  /** Picks the driver: sqlite:<file>, sqlite::memory: or mysql://... */
  readonly url: string;

  constructor(read: EnvReader) {
    this.url =
      read.matching(
        'DATABASE_URL',
        /^(sqlite:.+|mysql:\/\/.+)$/,
        'DATABASE_URL must be sqlite:<file>, sqlite::memory: or mysql://user:pass@host:3306/db',
      ) ?? 'sqlite:data/app.db';
  }
}
