import type { EnvReader } from './env-reader.js';

/** The OpenAPI explorer and document. */
export class DocsConfig {
  readonly enabled: boolean;

  constructor(read: EnvReader) {
    this.enabled = read.boolean('DOCS_ENABLED', true);
  }
}
