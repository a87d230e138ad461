import type { EnvReader } from './env-reader.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export class LoggingConfig {
  readonly level: (typeof LEVELS)[number];

  /** Tests log nothing unless asked to. */
  constructor(read: EnvReader, test: boolean) {
    this.level = read.oneOf('LOG_LEVEL', LEVELS, test ? 'silent' : 'info');
  }
}
