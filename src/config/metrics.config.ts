import type { EnvReader } from './env-reader.js';

/** The Prometheus endpoint: its own port, never the public one; unset means metrics are off. */
export class MetricsConfig {
  readonly port?: number;

  constructor(read: EnvReader) {
    this.port = read.raw('METRICS_PORT') === undefined ? undefined : read.integer('METRICS_PORT', 0, 0, 65535);
  }
}
